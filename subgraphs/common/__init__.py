"""Shared building blocks of every FitGraph subgraph (DESIGN §1)."""
