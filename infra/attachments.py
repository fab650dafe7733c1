"""The good-practice library's documents (issue 14), kept by the application in the directory database
(outside the event log, and so in every backup of the directory): one row per distinct content, named by
its SHA-256, the bytes as base64 text (portable between SQLite and PostgreSQL). The events name a
document's hash, so the audit trail proves which file was attached; `get` checks the hash again on the way
out, so a row changed behind the application's back is never served."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timezone


class DocumentStore:
    def __init__(self, db) -> None:
        self.db = db
        with db.transaction(write=True) as tx:
            tx.execute("CREATE TABLE IF NOT EXISTS practice_documents ("
                       "sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, content TEXT NOT NULL, stored_at TEXT NOT NULL)")

    def put(self, data: bytes) -> str:
        """Stores the bytes once (a second copy of the same content is the same row); returns their SHA-256."""
        digest = hashlib.sha256(data).hexdigest()
        with self.db.transaction(write=True) as tx:
            if not tx.execute("SELECT 1 AS one FROM practice_documents WHERE sha256 = ?", (digest,)):
                tx.execute("INSERT INTO practice_documents (sha256, size, content, stored_at) VALUES (?, ?, ?, ?)",
                           (digest, len(data), base64.b64encode(data).decode("ascii"),
                            datetime.now(timezone.utc).isoformat()))
        return digest

    def get(self, sha256: str) -> bytes | None:
        with self.db.transaction() as tx:
            rows = tx.execute("SELECT content FROM practice_documents WHERE sha256 = ?", (sha256,))
        if not rows:
            return None
        data = base64.b64decode(rows[0]["content"])
        return data if hashlib.sha256(data).hexdigest() == sha256 else None
