"""Evaluation: precision, recall and F1 of every method against labelled postings."""
