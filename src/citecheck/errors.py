"""The root of citecheck's own errors: each message is one line that says what is wrong and what to do."""

from __future__ import annotations


class CitecheckError(Exception):
    """Something the user can fix; ``str(error)`` is one line for stderr."""


class UsageError(CitecheckError):
    """Bad paths, settings or input: one line for stderr, exit code 2."""
