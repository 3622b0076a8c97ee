"""Coding work on a project: ingest, applying codes, recoding, the review session, exchange files."""
