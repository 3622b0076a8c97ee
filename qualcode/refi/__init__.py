"""REFI-QDA exchange: codebooks (QDC) and projects (QDPX), read and written."""
