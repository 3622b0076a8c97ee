"""Anonymity: checks that transcripts are anonymised, and pseudonymising files with a key."""
