"""Walks the whole stored log against its hash chain and names the first event that does not check.

The log (stored events in notification order) and the chain (links in `seq` order) are read
side by side in pages. Every link is recomputed from the stored event and the previous
*recomputed* hash, so any change to a stored event, a deleted, reordered or inserted event, or
an edited link breaks the walk at that position. A consistent rewrite (events and every link
after them recomputed) keeps the chain self-consistent: only a signed checkpoint taken before
the rewrite catches it, through its head hash and its anchor hashes (see infra/checkpoints.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from infra.audit_chain import GENESIS_HASH, ChainLink, LoggedEvent, canonical_originator_id, is_chained, link_hash

DEFAULT_PAGE_SIZE = 2000


class ChainNotAvailable(RuntimeError):
    """The store has no audit chain (in-memory store, or a recorder without one)."""


@dataclass(frozen=True)
class Finding:
    """The first thing that does not check. `position` is the 1-based place in the chain (commit order)."""

    position: int
    problem: str  # modified | reordered | deleted | inserted | chain_edited | rewritten | truncated
    message: str
    notification_id: int | None = None
    originator_id: str | None = None
    originator_version: int | None = None

    def describe(self) -> str:
        where = f"position {self.position}"
        if self.notification_id is not None:
            where += f", notification {self.notification_id}"
        if self.originator_id is not None:
            where += f", record/aggregate {self.originator_id} v{self.originator_version}"
        return f"[{self.problem}] {where}: {self.message}"


@dataclass
class VerifyResult:
    events_checked: int
    head_seq: int
    head_hash: str
    head_notification_id: int | None
    finding: Finding | None = None
    checkpoint_seq: int | None = None
    anchors: dict[int, str] = field(default_factory=dict)  # collected when asked (for exporting a checkpoint)

    @property
    def ok(self) -> bool:
        return self.finding is None


def _pages(fetch: Callable[[int, int], list[Any]], key: Callable[[Any], int], page_size: int,
           on_page: Callable[[int], None] | None = None) -> Iterator[Any]:
    after = 0
    while True:
        page = fetch(after, page_size)
        if not page:
            return
        if on_page:
            on_page(len(page))
        yield from page
        after = key(page[-1])


def verify_log(
    recorder: Any,
    *,
    checkpoint: dict[str, Any] | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    progress: Callable[[int], None] | None = None,
    anchor_step: int | None = None,
) -> VerifyResult:
    """Checks every stored event. `checkpoint` is a verified checkpoint payload (see checkpoints.load_checkpoint).

    `anchor_step`: also collect the hash at every multiple of it (used when exporting a checkpoint).
    """
    if not is_chained(recorder):
        raise ChainNotAvailable("This store keeps no audit chain (the in-memory store has none).")
    anchors_expected = {int(k): v for k, v in (checkpoint or {}).get("anchors", {}).items()}
    last_good_anchor = 0
    if checkpoint:
        anchors_expected.setdefault(int(checkpoint["seq"]), checkpoint["hash"])

    events = _pages(recorder.read_events, lambda e: e.notification_id, page_size, progress)
    links = _pages(recorder.read_chain, lambda link: link.seq, page_size)
    result = VerifyResult(events_checked=0, head_seq=0, head_hash=GENESIS_HASH, head_notification_id=None)

    def fail(problem: str, message: str, position: int, event: LoggedEvent | None = None,
             link: ChainLink | None = None) -> VerifyResult:
        source: Any = event or link
        result.finding = Finding(
            position=position, problem=problem, message=message,
            notification_id=source.notification_id if source else None,
            originator_id=canonical_originator_id(source.originator_id) if source else None,
            originator_version=source.originator_version if source else None,
        )
        return result

    prev = GENESIS_HASH
    expected_seq = 1
    event: LoggedEvent | None = next(events, None)
    link: ChainLink | None = next(links, None)
    while event is not None or link is not None:
        if link is None:
            return fail("inserted", "this stored event has no chain link: it was added outside the application.",
                        expected_seq, event=event)
        if link.seq != expected_seq:
            return fail("deleted", f"the chain jumps from position {expected_seq - 1} to {link.seq}: the event at "
                        f"position {expected_seq} was deleted together with its link.", expected_seq)
        if link.prev_hash != prev:
            return fail("chain_edited", "the link does not follow the previous link (prev_hash differs): "
                        "the chain table was edited.", link.seq, link=link)
        if event is None or event.notification_id > link.notification_id:
            return fail("deleted", "the chain names this event but the log no longer holds it: it was deleted.",
                        link.seq, link=link)
        if event.notification_id < link.notification_id:
            return fail("inserted", f"this stored event has no chain link (the link at this position names "
                        f"notification {link.notification_id}): it was inserted outside the application.",
                        link.seq, event=event)
        computed = link_hash(prev, link.seq, event.notification_id, event.originator_id, event.originator_version,
                             event.topic, event.state)
        if computed != link.hash:
            same_identity = (canonical_originator_id(event.originator_id) == link.originator_id
                             and event.originator_version == link.originator_version)
            if same_identity:
                return fail("modified", "the stored event's content (topic or state) differs from what was chained "
                            "when it was written.", link.seq, event=event)
            return fail("reordered", f"a different event stands at this position (the chain expects "
                        f"{link.originator_id} v{link.originator_version}): events were reordered or replaced.",
                        link.seq, event=event)
        expected = anchors_expected.get(link.seq)
        if expected is not None:
            if expected != computed:
                return fail("rewritten", f"the log up to here differs from the signed checkpoint (it still matched "
                            f"at position {last_good_anchor}): the log between positions {last_good_anchor + 1} "
                            f"and {link.seq} was rewritten.", link.seq, event=event)
            last_good_anchor = link.seq
        if anchor_step and link.seq % anchor_step == 0:
            result.anchors[link.seq] = computed
        prev = computed
        result.events_checked += 1
        result.head_seq, result.head_hash, result.head_notification_id = link.seq, computed, link.notification_id
        expected_seq += 1
        event = next(events, None)
        link = next(links, None)

    if checkpoint:
        result.checkpoint_seq = int(checkpoint["seq"])
        if result.head_seq < result.checkpoint_seq:
            return fail("truncated", f"the log ends at position {result.head_seq} but the signed checkpoint covers "
                        f"{result.checkpoint_seq} events: events were removed from the end.", result.head_seq + 1)
    return result


# ------------------------------------------------------------------------------------ read models
# `splot verify --read-models`: every read model rebuilt from the log into a scratch database and
# compared, row by row, with the live one at the same log position. Rows are held in memory one
# table at a time (fine for the stores this serves; the live snapshot is one read transaction).

@dataclass(frozen=True)
class RowDifference:
    table: str
    key: tuple[tuple[str, Any], ...]  # the primary key's columns and values
    column: str | None  # None: the row is on one side only
    live: Any
    rebuilt: Any

    def describe(self) -> str:
        key = ", ".join(f"{name}={value!r}" for name, value in self.key)
        if self.column is None:
            side = "only in the live read model" if self.rebuilt is None else "missing from the live read model"
            return f"{self.table} [{key}]: row {side}"
        return f"{self.table} [{key}] {self.column}: live {self.live!r} vs rebuilt {self.rebuilt!r}"


@dataclass
class ReadModelsCheck:
    position: int  # the log position both sides stand on
    tables: int = 0
    rows: int = 0  # live rows compared
    differences: list[RowDifference] = field(default_factory=list)
    differing: int = 0  # every difference found (the list keeps the first `limit`)

    @property
    def ok(self) -> bool:
        return self.differing == 0


def _value(value: Any) -> Any:
    return bytes(value) if isinstance(value, (memoryview, bytearray)) else value


def _primary_key(scratch_tx: Any, table: str) -> list[str]:
    columns = scratch_tx.execute(f"PRAGMA table_info({table})")
    key = [c["name"] for c in sorted((c for c in columns if c["pk"]), key=lambda c: c["pk"])]
    return key or [c["name"] for c in columns]


def _rows_by_key(tx: Any, table: str, key: list[str]) -> dict[tuple, dict[str, Any]]:
    rows = {}
    for row in tx.execute(f"SELECT * FROM {table}"):
        clean = {name: _value(v) for name, v in row.items()}
        rows[tuple(clean[k] for k in key)] = clean
    return rows


def compare_read_models(live: Any, scratch: Any, *, limit: int = 200) -> ReadModelsCheck:
    """`live` and `scratch` are ProjectionRunners over the same log (scratch: empty read models in another
    database). Brings the live read models up to the log, takes one snapshot of them, rebuilds the scratch
    ones up to the same position and names every row that differs."""
    live.catch_up()
    with live.db.transaction() as tx:
        if tx.dialect == "postgres":  # one snapshot for every table, while the server goes on writing
            tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        positions = {r["name"]: r["notification_id"]
                     for r in tx.execute("SELECT name, notification_id FROM projection_tracking")}
        position = min(positions.get(p.name, 0) for p in live.projections)
        if any(positions.get(p.name, 0) != position for p in live.projections):
            raise RuntimeError(f"the live read models stand at different positions ({positions}); run again")
        snapshot = {}
        with scratch.db.transaction() as scratch_tx:
            keys = {t: _primary_key(scratch_tx, t) for p in scratch.projections for t in p.tables}
        for table, key in keys.items():
            snapshot[table] = _rows_by_key(tx, table, key)
    scratch.catch_up(until=position)
    result = ReadModelsCheck(position=position)
    with scratch.db.transaction() as scratch_tx:
        for table, key in keys.items():
            result.tables += 1
            mine, rebuilt = snapshot.pop(table), _rows_by_key(scratch_tx, table, key)
            result.rows += len(mine)
            for k in sorted(mine.keys() | rebuilt.keys(), key=repr):
                a, b = mine.get(k), rebuilt.get(k)
                found = ([RowDifference(table, tuple(zip(key, k)), None, a, b)] if a is None or b is None else
                         [RowDifference(table, tuple(zip(key, k)), c, a.get(c), b.get(c))
                          for c in sorted(a.keys() | b.keys()) if a.get(c) != b.get(c)])
                result.differing += len(found)
                result.differences.extend(found[:max(0, limit - len(result.differences))])
    return result
