"""zwgk-audit: audit government portals for 政务公开 compliance against a work ledger."""

__version__ = "0.1.0"
