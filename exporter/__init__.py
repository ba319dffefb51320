"""pionex-export: a complete, exact, tax-ready history of a Pionex account."""

__version__ = "0.1.0"
