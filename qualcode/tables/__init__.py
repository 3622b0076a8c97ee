"""The tables authors print: matrices, quotes, the typology assignment and each table shape."""
