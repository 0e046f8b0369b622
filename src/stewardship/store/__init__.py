"""SQLite store through sqlite-utils: migrations, records, audit log, outbox."""

from .database import DB_FILENAME, ConstraintError, Store, StoreError

__all__ = ["DB_FILENAME", "ConstraintError", "Store", "StoreError"]
