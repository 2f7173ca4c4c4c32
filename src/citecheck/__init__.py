"""citecheck: audit the citations inside documents.

The library is the product; the CLI is a view over it::

    from citecheck import audit, AuditOptions
    result = audit([Path("citations")], AuditOptions(offline=True))

The names load on first use (PEP 562), so ``import citecheck`` — and with it
``citecheck --help`` and ``citecheck check --offline`` — does not pay for
the network stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from citecheck.config import AuditOptions
    from citecheck.errors import UsageError
    from citecheck.pipeline import AuditResult, audit

__all__ = ["AuditOptions", "AuditResult", "UsageError", "audit"]

# The one place the version is written (pyproject.toml reads it): `citecheck --version` prints it without
# importlib.metadata, whose import and scan of every installed distribution cost more than the rest of the command.
__version__ = "0.1.0"

_HOMES = {
    "AuditOptions": "citecheck.config",
    "AuditResult": "citecheck.pipeline",
    "UsageError": "citecheck.errors",
    "audit": "citecheck.pipeline",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'citecheck' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
