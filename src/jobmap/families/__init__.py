"""Families: what a job family is (anchor phrases, example titles, probe texts, thresholds), in one
file format shipped with the package and extended by users."""
