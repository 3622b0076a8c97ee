"""Writing tables for authors: one module per format, and plots."""
