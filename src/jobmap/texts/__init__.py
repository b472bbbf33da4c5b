"""Texts: the strings each method reads, built from postings (``"Job title: <title>"``, title +
description), and tokenisers for topic models. Functions over batches of rows."""
