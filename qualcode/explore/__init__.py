"""Finding things in the material: which turns to look at (turns.py), searching them with
keyword-in-context output and counts (search.py), and word frequencies per group (words.py).

Why a package of its own: searching and counting words read the transcripts' text with the
project's language (spaCy lemmas and stop words) and return tables for reading, not codes; they
sit beside ``tables/`` and below ``Project``, which gathers the case attributes and codings they
filter on. Turning search hits into codings is a coding matter (``coding/apply.py``).
"""
