"""The tables authors print: matrices, quotes, the typology assignment and each table shape.

Why a package: each shape (data overview, distribution over types, type profile, strategies,
context, logics by dimension, aspects by group, the type-assignment appendix) has its own rule
for what a cell means, and a reader should find that rule from the file name. Every module works
on plain data (coding dicts, case attributes, a :class:`qualcode.tables.typology.TypologyData`) and
returns a pandas DataFrame whose ``attrs`` carry a ``title`` and ``notes`` (the rules a reader of
the table needs); :func:`frame_table` turns it into a :class:`qualcode.export.Table` for every
output format. ``Project`` methods gather the data and call these functions.
"""
