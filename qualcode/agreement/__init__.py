"""Coder agreement: unit builders, the coefficients, disagreements and consensus."""
