"""citecheck: audit the citations inside documents.

The library is the product; the CLI is a view over it::

    from citecheck import audit, AuditOptions
    result = audit([Path("citations")], AuditOptions(offline=True))
"""

from citecheck.config import AuditOptions
from citecheck.pipeline import AuditResult, UsageError, audit

__all__ = ["AuditOptions", "AuditResult", "UsageError", "audit"]
