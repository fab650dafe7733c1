"""Photos of investment sites, kept by the application (the directory database, beside persons and users).

A photo is accepted only when Pillow reads it as a JPEG, PNG or WebP image of sane dimensions and it is at most
`MAX_PHOTO_BYTES`: the type is decided by the bytes, never by the file name or the browser's claim; the served
response names that type, with `nosniff`. The event log records only the photo's id, type, size and SHA-256
(domain/investor.py); the bytes live here, so a backup of the directory carries them.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

from PIL import Image

from domain.errors import ValidationFailed, bilingual

MAX_PHOTO_BYTES = 2 * 1024 * 1024  # drone photos compress well below this as JPEG or WebP
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class SitePhotoStore:
    def __init__(self, db: Any) -> None:
        self.db = db
        blob = "BYTEA" if getattr(db, "dialect", "sqlite") == "postgres" else "BLOB"
        with db.transaction(write=True) as tx:
            tx.execute("CREATE TABLE IF NOT EXISTS site_photos (photo_id TEXT PRIMARY KEY, site_id TEXT NOT NULL, "
                       f"content_type TEXT NOT NULL, data {blob} NOT NULL)")

    @staticmethod
    def inspect(data: bytes) -> str:
        """The media type of an acceptable photo; ValidationFailed (on the field `photo`) otherwise."""
        if not data:
            raise ValidationFailed(bilingual("Wybierz plik ze zdjęciem.", "Choose a photo file."), field="photo")
        if len(data) > MAX_PHOTO_BYTES:
            raise ValidationFailed(bilingual(f"Zdjęcie może mieć najwyżej {MAX_PHOTO_BYTES // (1024 * 1024)} MB.",
                                             f"A photo may be at most {MAX_PHOTO_BYTES // (1024 * 1024)} MB."),
                                   field="photo")
        wrong = ValidationFailed(bilingual("Zdjęcie musi być plikiem JPEG, PNG albo WebP.",
                                           "The photo must be a JPEG, PNG or WebP file."), field="photo")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as image:
                    kind = image.format
                    width, height = image.size
                    image.verify()
        except Exception:
            raise wrong from None
        if kind not in TYPES or width * height > MAX_PIXELS:
            raise wrong
        return TYPES[kind]

    def put(self, photo_id: str, site_id: str, content_type: str, data: bytes) -> None:
        with self.db.transaction(write=True) as tx:
            tx.execute("INSERT INTO site_photos (photo_id, site_id, content_type, data) VALUES (?, ?, ?, ?)",
                       (photo_id, site_id, content_type, data))

    def get(self, photo_id: str) -> tuple[str, bytes] | None:
        with self.db.transaction() as tx:
            rows = tx.execute("SELECT content_type, data FROM site_photos WHERE photo_id = ?", (photo_id,))
        return (rows[0]["content_type"], bytes(rows[0]["data"])) if rows else None

    def delete(self, photo_id: str) -> None:
        with self.db.transaction(write=True) as tx:
            tx.execute("DELETE FROM site_photos WHERE photo_id = ?", (photo_id,))
