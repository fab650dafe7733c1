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
