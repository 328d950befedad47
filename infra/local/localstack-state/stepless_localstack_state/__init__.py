"""Keeps LocalStack's service state across restarts. See README.md next to pyproject.toml."""

__version__ = "0.1.0"
