"""LLM service of the voice connector: intent matching and semantic search."""

__version__ = "0.1.0"
