"""What a uniqueness claim (`domain.registry.UniqueKey`) is keyed by, and re-keying the claims of older stores.

A claim's id is derived from its key, so two claims of one key collide in the event store. The key of a
name (an institution's short name) is its comparison key (`domain.values.comparison_key`: NFKC, casefold,
no zero-width or bidi characters), so `RIPH`, `RIPH\\u200b`, `ＲＩＰＨ` and an NFD form are one key; the key
of a NIP or REGON is its ASCII digits (new ones are refused in any other script).

Stores written before comparison keys derived the id from the value as typed, casefolded: `ＲＩＰＨ` and
`RIPH` were two keys, and a NIP typed in full-width digits was claimed in those digits. Such a store needs
a one-time migration, and since claims are events it is one more event per differing claim:
`rekey_claims` claims each old value again under its new key (same owner), marks the store as done, and
reports what it cannot re-key (two old claims with one new key: duplicates the store already held).
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING
from uuid import UUID

from domain.errors import VersionConflict
from domain.registry import UniqueKey
from domain.values import Actor, comparison_key

if TYPE_CHECKING:
    from domain.application import Splot

REKEY_MARKER_SCOPE = "migration"
REKEY_MARKER_VALUE = "unique-claims-by-comparison-key"
_SYSTEM = Actor(user_id="system")
_PAGE = 500


def claim_key(scope: str, value: str) -> str:
    """The key a claim of `value` in `scope` is made under."""
    if scope.startswith("firm_"):  # nip, regon: digits (old claims may hold digits of other scripts)
        return "".join(str(unicodedata.decimal(c)) if unicodedata.decimal(c, None) is not None else c for c in value)
    return comparison_key(value)


def rekey_claims(store: Splot, marker_network_id: UUID, *, attempts: int = 3) -> list[str]:
    """Claims every old claim again under its key (see the module's docstring); idempotent. Two servers
    starting at once race to save the same claims: the loser finds the marker and is done (or, when a
    registration took a key meanwhile, looks again)."""
    for attempt in range(attempts):
        try:
            return _rekey_claims(store, marker_network_id)
        except VersionConflict:
            if attempt == attempts - 1:
                raise
    return []


def _rekey_claims(store: Splot, marker_network_id: UUID) -> list[str]:
    marker_id = UniqueKey.id_for(REKEY_MARKER_SCOPE, marker_network_id, REKEY_MARKER_VALUE)
    if store.exists(marker_id):
        return []
    new: dict[UUID, UniqueKey] = {}
    unresolved: list[str] = []
    seen, start = 0, 1
    while True:
        page = store.recorder.select_notifications(start, _PAGE, topics=(UniqueKey.Claimed.TOPIC,))
        seen += len(page)
        for notification in page:
            event = store.mapper.to_domain_event(notification)
            key = claim_key(event.scope, event.value)
            key_id = UniqueKey.id_for(event.scope, event.network_id, key)
            if event.scope == REKEY_MARKER_SCOPE or key_id == event.originator_id:
                continue
            owner = new[key_id].owner_id if key_id in new else _owner(store, key_id)
            if owner is None:
                new[key_id] = UniqueKey.claim(scope=event.scope, network_id=event.network_id, value=key,
                                              owner_id=event.owner_id, actor=_SYSTEM)
            elif owner != event.owner_id:
                unresolved.append(f"{event.scope} {event.value!r} of {event.owner_id}: its key {key!r} names {owner}")
        if len(page) < _PAGE:
            break
        start = page[-1].id + 1
    if not seen:  # an empty store: nothing to re-key, and no event written (the next start looks again)
        return []
    marker = UniqueKey.claim(scope=REKEY_MARKER_SCOPE, network_id=marker_network_id, value=REKEY_MARKER_VALUE,
                             owner_id=marker_network_id, actor=_SYSTEM)
    store._save(*new.values(), marker)
    return unresolved


def _owner(store: Splot, key_id: UUID) -> UUID | None:
    if not store.exists(key_id):
        return None
    return store.repository.get(key_id).owner_id
