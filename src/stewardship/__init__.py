"""Stewardship Console: the model-welfare steward's desktop tool."""

__version__ = "0.1.0"
