"""Suggesters: rule-based (codebook indicators) and model-based (trained on a coder's codings)."""
