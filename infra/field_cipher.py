"""Free text of records stored encrypted under a key per record, so that it can be forgotten (crypto-shredding).

`FieldCipherMapper` is the application's mapper (installed by infra/container.py through
`Splot(mapper_factory=...)`): eventsourcing's `Mapper` with one more step on each side.

- `to_stored_event`: every free-text value of a record event — the fields with the FREE_TEXT role of its
  kind's spec (`RecordKindSpec.free_text_fields`: title, summary, topic, minutes, subject,
  follow_ups[].action) in a creation event or a correction's changes, and the `reason` of a correction or a
  retraction — becomes `{"_sealed_": "1:<key id>:<base64 nonce+ciphertext>"}`, AES-256-GCM under the record's
  key (infra/record_keys.py) with the record id, the event's version and the value's path as associated
  data (a sealed value moved to another event or field does not open). The key is committed before the
  event is written (`RecordKeys.key_for_writing`).
- `to_domain_event`: sealed values are opened before upcasting, so the aggregates, the projections, the
  exports — everything above the store — see plaintext; a value whose key is gone decodes to
  `domain.privacy.REDACTED_TEXT`, as does plaintext stored before this existed in a version the DPO
  redacted. Rebuilding the read models after a redaction therefore gives what the redaction left.

The audit chain hashes the stored bytes (infra/audit_chain.py), which never change: `splot verify` passes
before and after a key is destroyed. The domain stays free of any of this. Other events pass unchanged.
"""

from __future__ import annotations

import base64
import os
import re
from typing import Any, Callable, Iterable, Sequence
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent, find_id_convertor
from eventsourcing.utils import get_topic, resolve_topic

from domain.privacy import REDACTED_TEXT
from domain.record_kinds import RECORD_KINDS
from domain.records import Record
from infra.record_keys import RecordKeyring, RecordKeys

SEALED = "_sealed_"
_FORMAT = "1"
_NONCE_BYTES = 12

# Where free text sits in each record event's state: (top-level key, paths inside it or None for the key itself).
_CORRECTABLE = tuple(dict.fromkeys(p for spec in RECORD_KINDS.values() for p in spec.free_text_fields))


def text_paths(event_class: type) -> list[tuple[str, tuple[str, ...] | None]]:
    """[(state key, free-text paths within it | None: the value itself)] of a record event class; [] otherwise."""
    if issubclass(event_class, Record.Created):
        kind = getattr(event_class, "record_kind", None)
        return [("fields", RECORD_KINDS[kind].free_text_fields)] if kind in RECORD_KINDS else []
    if issubclass(event_class, Record.Corrected):
        return [("changes", _CORRECTABLE), ("reason", None)]
    if issubclass(event_class, Record.Retracted):
        return [("reason", None)]
    return []


Transform = Callable[[Any, str], Any]  # (value, its path) -> the value to keep


def _transform(state: dict[str, Any], paths: list[tuple[str, tuple[str, ...] | None]], fn: Transform) -> dict[str, Any]:
    """A copy of `state` with `fn` applied to every free-text value (the rest shared, not copied)."""
    out = dict(state)
    for key, inner in paths:
        if key not in out:
            continue
        if inner is None:
            out[key] = fn(out[key], key)
            continue
        if not isinstance(out[key], dict):
            continue
        container = dict(out[key])
        for path in inner:
            name, _, item = path.partition("[].")
            if name not in container:
                continue
            if not item:
                container[name] = fn(container[name], f"{key}.{name}")
            elif isinstance(container[name], list):
                container[name] = [
                    {**entry, item: fn(entry[item], f"{key}.{name}[{i}].{item}")}
                    if isinstance(entry, dict) and item in entry else entry
                    for i, entry in enumerate(container[name])]
        out[key] = container
    return out


def _associated(record_id: Any, version: int, path: str) -> bytes:
    """The associated data of a sealed value: which record, which version, which field (the id canonical:
    stores hand it back as a UUID, its hex or its text)."""
    record = record_id if isinstance(record_id, UUID) else UUID(str(record_id))
    return f"splot-text:{record}:{version}:{path}".encode()


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {SEALED}


class FieldCipherMapper(Mapper):
    """eventsourcing's Mapper, sealing records' free text under per-record keys (see the module docstring)."""

    def __init__(self, transcoder: Any, compressor: Any = None, cipher: Any = None, *, keys: RecordKeys) -> None:
        super().__init__(transcoder=transcoder, compressor=compressor, cipher=cipher)
        self.keys = keys

    # ------------------------------------------------------------------ writing
    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        paths = text_paths(type(domain_event))
        if not paths:
            return super().to_stored_event(domain_event)
        event_state = dict(vars(domain_event))
        originator_id = event_state.pop("originator_id")
        originator_version = event_state.pop("originator_version")
        sealer = _Sealer(self.keys, originator_id, originator_version)
        event_state = _transform(event_state, paths, sealer)
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            event_state["class_version"] = class_version
        stored_state = self.transcoder.encode(event_state)
        if self.compressor:
            stored_state = self.compressor.compress(stored_state)
        if self.cipher:
            stored_state = self.cipher.encrypt(stored_state)
        return StoredEvent(originator_id=originator_id, originator_version=originator_version,
                           topic=get_topic(type(domain_event)), state=stored_state)

    # ------------------------------------------------------------------ reading
    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        return self.to_domain_events([stored_event])[0]

    def to_domain_events(self, stored_events: Sequence[StoredEvent]) -> list[Any]:
        """Decodes a page of stored events, asking the key store once for every key the page's sealed values
        name (and its records' redactions), each AES-GCM key set up once. The keys are held for this call
        only: a key another process destroys is never read from a stale cache by a later call."""
        decoded: list[tuple[StoredEvent, type, Any]] = []  # (stored, class, its state | None: not a record event)
        wanted: dict[str, set[str]] = {}  # record id -> key ids named
        for stored in stored_events:
            cls = resolve_topic(stored.topic)
            paths = text_paths(cls)
            if not paths:
                decoded.append((stored, cls, None))
                continue
            state = self._decode_state(stored)
            named = wanted.setdefault(str(stored.originator_id), set())
            _transform(state, paths, lambda value, path: named.add(_key_id(value)) if is_sealed(value) else None)
            decoded.append((stored, cls, (paths, state)))
        keyrings = self.keys.keyrings(wanted) if wanted else {}
        aeads: dict[str, AESGCM] = {}
        out = []
        for stored, cls, found in decoded:
            if found is None:
                out.append(super().to_domain_event(stored))
                continue
            paths, state = found
            try:
                opener = _Opener(keyrings[str(stored.originator_id)], stored.originator_id,
                                 stored.originator_version, aeads)
                state = _transform(state, paths, opener)
            except Exception as e:
                raise self._failure(stored, e) from e
            out.append(self._finish(stored, cls, state))
        return out

    def _decode_state(self, stored_event: StoredEvent) -> dict[str, Any]:
        try:
            stored_state = stored_event.state
            if self.cipher:
                stored_state = self.cipher.decrypt(stored_state)
            if self.compressor:
                stored_state = self.compressor.decompress(stored_state)
            return self.transcoder.decode(stored_state)
        except Exception as e:
            raise self._failure(stored_event, e) from e

    @staticmethod
    def _failure(stored_event: StoredEvent, e: Exception) -> MapperDeserialisationError:
        return MapperDeserialisationError(
            f"Failed to deserialise state of stored event with topic '{stored_event.topic}', originator_id "
            f"'{stored_event.originator_id}' and originator_version {stored_event.originator_version}: {e}")

    @staticmethod
    def _finish(stored_event: StoredEvent, cls: type, event_state: dict[str, Any]) -> Any:
        """The rest as eventsourcing's Mapper.to_domain_event does it (9.5): ids, version, upcasting."""
        event_state["originator_id"] = find_id_convertor(cls, type(stored_event.originator_id))(
            stored_event.originator_id)
        event_state["originator_version"] = stored_event.originator_version
        class_version = getattr(cls, "class_version", 1)
        from_version = event_state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(event_state)
            from_version += 1
        domain_event = object.__new__(cls)
        object.__setattr__(domain_event, "__dict__", event_state)
        return domain_event

    def key_ids(self, stored_events: Iterable[StoredEvent]) -> set[str]:
        """The key ids that these stored events' sealed values name (a record's, to destroy them all)."""
        found: set[str] = set()
        for stored in stored_events:
            state = stored.state
            if self.cipher:
                state = self.cipher.decrypt(state)
            if self.compressor:
                state = self.compressor.decompress(state)
            found.update(m.decode() for m in _SEALED_KEY.findall(bytes(state)))
        return found


_SEALED_KEY = re.compile(rb'"_sealed_":\s*"1:([0-9a-f]{32}):')


def _key_id(value: dict[str, str]) -> str:
    return value[SEALED].split(":", 2)[1]


class _Sealer:
    """Seals each non-empty text of one event; asks the key store for the record's key at the first one."""

    def __init__(self, keys: RecordKeys, record_id: Any, version: int) -> None:
        self.keys, self.record_id, self.version = keys, record_id, version
        self.key: tuple[str, AESGCM] | None = None

    def __call__(self, value: Any, path: str) -> Any:
        if not isinstance(value, str) or not value:
            return value
        if self.key is None:
            key_id, key = self.keys.key_for_writing(self.record_id)
            self.key = (key_id, AESGCM(key))
        key_id, aead = self.key
        nonce = os.urandom(_NONCE_BYTES)
        sealed = aead.encrypt(nonce, value.encode("utf-8"), _associated(self.record_id, self.version, path))
        return {SEALED: f"{_FORMAT}:{key_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"}


class _Opener:
    """Opens one event's sealed values with its record's keyring; `aeads` (key id -> AESGCM) is shared by the
    events of one decoded page, so each key is set up once."""

    def __init__(self, keyring: RecordKeyring, record_id: Any, version: int,
                 aeads: dict[str, AESGCM] | None = None) -> None:
        self.keyring, self.record_id, self.version = keyring, record_id, version
        self.aeads = {} if aeads is None else aeads

    def __call__(self, value: Any, path: str) -> Any:
        if is_sealed(value):
            form, key_id, payload = value[SEALED].split(":", 2)
            if form != _FORMAT:
                raise ValueError(f"unknown sealed-text format {form!r} at {path}")
            aead = self.aeads.get(key_id)
            if aead is None:
                key = self.keyring.keys.get(key_id)
                if key is None:
                    return REDACTED_TEXT  # the key was destroyed: the text is gone for good
                aead = self.aeads[key_id] = AESGCM(key)
            raw = base64.b64decode(payload)
            try:
                return aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:],
                                    _associated(self.record_id, self.version, path)).decode("utf-8")
            except InvalidTag:
                raise ValueError(f"the sealed text at {path} does not open with its record's key "
                                 "(moved or altered)") from None
        redacted = self.keyring.redacted_through
        if isinstance(value, str) and value and redacted is not None and self.version <= redacted:
            return REDACTED_TEXT  # plaintext from before the encryption, in a version the DPO redacted
        return value
