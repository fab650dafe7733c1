"""The audit trail as auditors and coordinators read it: every stored event of their municipality,
filtered and paged, and a record's history with old -> new values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.application import Splot
from domain.errors import NotFound, bilingual
from domain.policy import Action, User, authorize
from domain.ports import Accounts, AuditChain, ChainCheck, ReadModels, Row
from domain.security_log import DEPLOYMENT_SCOPE
from domain.use_cases.scope import Scopes

# Kinds of entry that are the store's own bookkeeping, not anyone's work: hidden unless asked for.
INTERNAL_KINDS = frozenset({"unique_key", "closing_gate", "idempotency_key"})  # gate, keys: issue 11


@dataclass(frozen=True)
class AuditFilter:
    user: str | None = None  # who recorded it (user id)
    institution_id: UUID | None = None  # acting or owning institution
    record_id: UUID | None = None
    kind: str | None = None
    recorded_from: datetime | None = None
    recorded_to: datetime | None = None


@dataclass(frozen=True)
class Recorder:
    """Someone who may have recorded something: a user of the viewer's municipality."""

    id: str
    email: str
    institution_id: str | None
    active: bool


@dataclass(frozen=True)
class TrailPage:
    """One page of the trail and what a page needs to name things in it."""

    entries: list[Row]
    next_cursor: str | None
    recorders: list[Recorder]  # by e-mail; the users a filter can pick and entries are named by
    institutions: list[Row]  # the municipality's institutions (id, name, short_name), by name
    places: dict[str, str]  # the municipality's own id and its networks' ids -> their names
    chain_available: bool
    last_check: ChainCheck | None


class AuditUseCases:
    def __init__(self, store: Splot, reads: ReadModels, scopes: Scopes, *, accounts: Accounts | None = None,
                 chain: AuditChain | None = None) -> None:
        self.store = store
        self.reads = reads
        self.scopes = scopes
        self.accounts = accounts
        self.chain = chain

    def trail(self, user: User, filters: AuditFilter, *, cursor: str | None = None, limit: int = 50,
              include_internal: bool = False) -> TrailPage:
        """A page of the trail for people: `limit` entries (internal bookkeeping left out unless asked),
        the municipality's users and institutions to name them, and the chain's last check."""
        authorize(user, Action.READ_AUDIT)
        entries, next_cursor = self.visible_entries(user, filters, cursor=cursor, limit=limit,
                                                    include_internal=include_internal)
        return self._page(user, entries, next_cursor)

    def export(self, user: User, filters: AuditFilter, *, include_internal: bool = False) -> TrailPage:
        """Every matching entry (for a download), with the same names as a page."""
        authorize(user, Action.READ_AUDIT)
        return self._page(user, self.all_visible_entries(user, filters, include_internal=include_internal), None)

    def _page(self, user: User, entries: list[Row], next_cursor: str | None) -> TrailPage:
        scope = self.scopes.of(user)
        institutions = self.reads.institutions(network_ids=scope.network_texts)
        places = {r["id"]: r["name"] for r in self.reads.networks() if scope.includes(r["id"])}
        places |= {r["id"]: r["name"] for r in self.reads.municipalities()
                   if scope.municipality_id is None or r["id"] == str(scope.municipality_id)}
        return TrailPage(entries=entries, next_cursor=next_cursor, recorders=self.recorders(user),
                         institutions=sorted(institutions, key=lambda r: r["name"]), places=places,
                         chain_available=bool(self.chain and self.chain.available),
                         last_check=self.chain.last_check() if self.chain else None)

    def visible_entries(self, user: User, filters: AuditFilter, *, cursor: str | None = None, limit: int = 50,
                        include_internal: bool = False) -> tuple[list[Row], str | None]:
        """As `entries`, without the internal kinds unless asked. Every batch read is used whole, so the
        cursor returned still means "after the last entry looked at"."""
        if include_internal or filters.kind in INTERNAL_KINDS:
            return self.entries(user, filters, cursor=cursor, limit=limit)
        shown: list[Row] = []
        while True:
            batch, cursor = self.entries(user, filters, cursor=cursor, limit=limit - len(shown))
            shown += [r for r in batch if r["kind"] not in INTERNAL_KINDS]
            if cursor is None or len(shown) >= limit:
                return shown, cursor

    def all_visible_entries(self, user: User, filters: AuditFilter, *, include_internal: bool = False) -> list[Row]:
        """Every matching entry for an export, internal bookkeeping left out unless asked."""
        rows = self.all_entries(user, filters)
        return rows if include_internal or filters.kind in INTERNAL_KINDS else \
            [r for r in rows if r["kind"] not in INTERNAL_KINDS]

    def recorders(self, user: User) -> list[Recorder]:
        """The users of the viewer's municipality (auditors may see who recorded what), by e-mail."""
        authorize(user, Action.READ_AUDIT)
        if self.accounts is None:
            return []
        return sorted((Recorder(id=str(u.id), email=u.email,
                                institution_id=str(u.institution_id) if u.institution_id else None, active=u.active)
                       for u in self.accounts.list()
                       if user.municipality_id is None or u.municipality_id == user.municipality_id),
                      key=lambda r: r.email)

    # ------------------------------------------------------------------ the hash chain
    def _chain(self) -> AuditChain:
        if self.chain is None or not self.chain.available:
            raise NotFound(bilingual("Ten magazyn nie prowadzi łańcucha skrótów.",
                                     "This store keeps no hash chain."), field="chain")
        return self.chain

    def verify_chain(self, user: User) -> ChainCheck:
        """Walks the whole log against its chain now; the result is kept as the last check."""
        authorize(user, Action.READ_AUDIT)
        return self._chain().verify()

    def last_chain_check(self, user: User) -> ChainCheck | None:
        authorize(user, Action.READ_AUDIT)
        return self.chain.last_check() if self.chain is not None else None

    def checkpoint(self, user: User) -> bytes:
        """A signed checkpoint of the log as it is now (JSON), for the auditor to keep outside the system."""
        authorize(user, Action.READ_AUDIT)
        return self._chain().checkpoint()

    def entries(self, user: User, filters: AuditFilter, *, cursor: str | None = None,
                limit: int = 100) -> tuple[list[Row], str | None]:
        """Every stored event of the user's municipality, in log order, with its chain hash; with them the
        security events of the whole deployment (its admin's, sign-ins naming no account: domain/security_log.py)."""
        authorize(user, Action.READ_AUDIT)
        scope = self.scopes.of(user)
        everything = scope.municipality_id is None
        return self.reads.audit_entries(
            network_ids=None if everything else [*scope.network_texts, str(DEPLOYMENT_SCOPE)],
            municipality_ids=None if everything else [str(scope.municipality_id)],
            user=filters.user, institution_id=str(filters.institution_id) if filters.institution_id else None,
            record_id=str(filters.record_id) if filters.record_id else None, kind=filters.kind,
            recorded_from=filters.recorded_from, recorded_to=filters.recorded_to, cursor=cursor, limit=limit)

    def all_entries(self, user: User, filters: AuditFilter, *, page: int = 1000) -> list[Row]:
        """Every matching entry (for an export), read in pages."""
        rows: list[Row] = []
        cursor = None
        while True:
            batch, cursor = self.entries(user, filters, cursor=cursor, limit=page)
            rows += batch
            if cursor is None:
                return rows

    def record_history(self, user: User, record_id: UUID) -> list[Row]:
        """Every version of a record: who, when, why, and each changed field old -> new."""
        authorize(user, Action.READ_AUDIT)
        rows = self.reads.record_history(str(record_id))
        if not rows or not rows[0]["event_type"].startswith("Record.") or \
                not self.scopes.of(user).includes(self._network_of(record_id)):
            raise NotFound(bilingual(f"Nie ma wpisu o identyfikatorze {record_id}.", f"No record with id {record_id}."),
                           field="record_id")
        return rows

    def _network_of(self, record_id: UUID) -> UUID:
        return self.store.get_record(record_id).network_id
