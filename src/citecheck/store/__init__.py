"""Stage 5: the persistent SQLite store (caches, check history)."""

from citecheck.store.db import DEFAULT_STORE_PATH, Store, StoreError

__all__ = ["DEFAULT_STORE_PATH", "Store", "StoreError"]
