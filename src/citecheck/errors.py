"""The root of citecheck's own errors.

Errors a user can act on derive from :class:`CitecheckError`; their message is
one line that says what went wrong, where, and what to do about it, and the CLI
prints it without a traceback (exit code 2).  Anything else that escapes is a
bug in citecheck (exit code 4).
"""

from __future__ import annotations


class CitecheckError(Exception):
    """An error the user can act on; ``str(error)`` is one line saying what to do."""


class UsageError(CitecheckError):
    """Bad paths, settings or input: one line for stderr, exit code 2."""
