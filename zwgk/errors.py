"""Errors meant for people: each carries a message that names what is wrong and where."""

from __future__ import annotations


class ZwgkError(Exception):
    """Base of every error the CLI turns into a message and exit code 2 (bad usage/config/ledger)."""

    exit_code = 2


class ConfigError(ZwgkError):
    """The inspection config is missing or invalid. The message names the key and line."""


class LedgerError(ZwgkError):
    """A ledger file cannot be read or holds no recognisable tasks."""


class RunDirError(ZwgkError):
    """A run directory is missing or holds no crawl store / results."""
