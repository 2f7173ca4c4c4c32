"""Installs the suite's network guard in Python child processes the tests start (PYTHONPATH points here).

Only when the session asked for it (``CITECHECK_NETWORK_GUARD_LOG`` names the
directory the child writes its findings to); loaded by file path, so the
child's ``sys.path`` is left as it was.
"""

import importlib.util
import os
import sys
from pathlib import Path

if os.environ.get("CITECHECK_NETWORK_GUARD_LOG"):
    _path = Path(__file__).resolve().parents[1] / "network_guard.py"
    _spec = importlib.util.spec_from_file_location("_citecheck_network_guard", _path)
    if _spec is not None and _spec.loader is not None:
        _guard = importlib.util.module_from_spec(_spec)
        sys.modules["_citecheck_network_guard"] = _guard
        _spec.loader.exec_module(_guard)
        _guard.install(child=True)
