"""stanceline: who stands where on a negotiation, since when, and why."""

__version__ = "0.1.0"
