"""The self-contained HTML report about a coded project (``qualcode report``)."""
