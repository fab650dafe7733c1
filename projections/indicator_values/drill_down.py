"""The drill-down: the records (or memberships, or reported entries) behind one indicator value, whole or a page.

The current drill-down reads the record leaves' evidence from `indicator_evidence` (evidence.py): a page is
one keyset query per leaf it spans plus a count, and only its items are turned into entries (their record
versions, names of institutions and firms). Gauges and reported values, whose facts are small, are evaluated
as the report evaluates them. As of a day (`as_of`) the evidence is the domain's own evaluation over the
facts known then: the bitemporal history keeps the tallies of each day, not their evidence. Both give the
items in the evaluation's order (rules.evaluate: leaf after leaf — a boolean's conditions in turn, a ratio's
numerator then its denominator — records by day and id), and the same cursor: the place and the reference
of the last item seen.
"""

from __future__ import annotations

import datetime
from typing import Any, Iterator

from domain.labels import indicator_not_found
from domain.strategy.rules import Evidence, YearFacts, dependencies, evaluate
from domain.values import check_query_day
from projections.base import Tx, decode_cursor, encode_cursor, end_of_warsaw_day
from projections.indicator_values import evidence as stored
from projections.indicator_values.compute import computable
from projections.indicator_values.facts import StrategyState, institution_names, strategy_state, year_facts
from projections.indicator_values.tallies import RECORD_LEAVES, ROOT, non_record_needs, version_facts

DRILL_CURSOR = "drill"
MAX_DRILL_PAGE = 1000
_CHUNK = 500  # entries described at a time when the whole drill-down is asked for


def indicator_events(tx: Tx, indicator_code: str, year: int, *, strategy_id: str, institution_id: str | None = None,
                     as_of: datetime.date | None = None) -> list[dict[str, Any]]:
    """Every entry behind the value, in order (read from the table a chunk at a time when current)."""
    source = _source(tx, indicator_code, year, strategy_id, institution_id, as_of)
    total = source.total()
    out: list[dict[str, Any]] = []
    for start in range(0, total, _CHUNK):
        out += source.describe(source.items(start, _CHUNK))
    return out


def indicator_events_page(tx: Tx, indicator_code: str, year: int, *, strategy_id: str,
                          institution_id: str | None = None, as_of: datetime.date | None = None,
                          cursor: str | None = None, limit: int = 100) -> dict[str, Any]:
    """One page of the drill-down: {items, total, limit, offset, next_cursor, previous_cursor} (previous_cursor
    None on the first page, "" when the page before is the first). Items keep `indicator_events`' order;
    the cursor names the last item seen (its place and its reference), so a page follows on from it even when
    items before it came or went since (then from that item's new place), and is refused (BadCursor) if it
    was not made here. Only the page's items are turned into entries."""
    if not 1 <= int(limit) <= MAX_DRILL_PAGE:
        raise ValueError(f"limit must be between 1 and {MAX_DRILL_PAGE}")
    limit = int(limit)
    source = _source(tx, indicator_code, year, strategy_id, institution_id, as_of)
    total = source.total()
    start, hint = 0, None
    if cursor:
        place, ref = decode_cursor(cursor, DRILL_CURSOR, int, str)
        found = source.find(ref, place)
        if found is not None:
            start, hint = found[0] + 1, found[1]
        else:
            start = min(place + 1, total)
    page = source.items(start, limit, hint) if start < total else []
    last = start + len(page) - 1
    next_cursor = encode_cursor(DRILL_CURSOR, last, evidence_ref(page[-1])) if page and last + 1 < total else None
    before = max(0, start - limit)  # where the page before this one starts ("" cursor: the first page)
    previous_cursor = (None if start == 0 else "" if before == 0
                       else encode_cursor(DRILL_CURSOR, before - 1, source.ref_at(before - 1)))
    return {"items": source.describe(page), "total": total, "limit": limit, "offset": start,
            "next_cursor": next_cursor, "previous_cursor": previous_cursor}


def evidence_ref(item: Evidence) -> str:
    """The reference a cursor names: type, role (a ratio's part) and the thing itself."""
    return f"{item.type}:{item.detail.get('role', '')}:{item.ref}"


# ---------------------------------------------------------------------------------------------- sources
def _source(tx: Tx, code: str, year: int, strategy_id: str, institution_id: str | None,
            as_of: datetime.date | None) -> "_Source":
    bound = end_of_warsaw_day(check_query_day(as_of, field="as_of")) if as_of is not None else None
    state = strategy_state(tx, strategy_id, bound)
    if code not in state.indicators:
        raise indicator_not_found(code)
    if not computable(state, code):
        return _Source(tx, state, bound, [])
    indicator = state.indicators[code]
    rule = state.rules[code]["rule"]
    sources = list(indicator["sources"])
    year = int(year)
    if bound is not None or year not in state.tasks[indicator["task_code"]]["years"]:
        # as of a day, or a year outside the task's (never tallied): the evaluation itself
        facts = year_facts(tx, state.network_id, year, bound, needs=dependencies(rule) - {"reported"},
                           reported=state.reported)
        items = evaluate(rule, facts, indicator_code=code, sources=sources).evidence
        return _Source(tx, state, bound, [_Listed(_of_institution(items, institution_id))])
    others: YearFacts | None = None
    needs = non_record_needs(rule)
    segments: list[Any] = []
    for path, leaf, role in _parts(rule):
        if leaf["kind"] in RECORD_LEAVES:
            scope = stored.NETWORK if institution_id is None else stored.INSTITUTION + str(institution_id)
            segments.append(_Stored(tx, state, stored.LeafRows(tx, str(strategy_id), code, year, path, scope),
                                    leaf, role, sources, year))
        else:
            if others is None:
                others = year_facts(tx, state.network_id, year, needs=needs, reported=state.reported)
            part = evaluate(leaf, others, indicator_code=code if path == ROOT else "", sources=sources).evidence
            segments.append(_Listed(_of_institution([stored.with_role(e, role) for e in part], institution_id)))
    return _Source(tx, state, None, segments)


def _parts(rule: dict[str, Any], path: str = ROOT, role: str | None = None) -> Iterator[tuple[str, dict[str, Any], str | None]]:
    """(path, leaf, role) of every leaf in the evaluation's order; paths as `tallies.leaves` names them, role
    the side of the outermost ratio (the one whose mark `rules._ratio` leaves last)."""
    kind = rule["kind"]
    if kind == "boolean":
        for i, condition in enumerate(rule["conditions"]):
            yield from _parts(condition["rule"], f"{path}.c{i}", role)
    elif kind == "ratio":
        yield from _parts(rule["numerator"], f"{path}.n", role or "numerator")
        yield from _parts(rule["denominator"], f"{path}.d", role or "denominator")
    else:
        yield path, rule, role


def _of_institution(items: list[Evidence], institution_id: str | None) -> list[Evidence]:
    return [e for e in items if institution_id is None or str(institution_id) in e.institution_ids]


class _Listed:
    """Evidence already evaluated (small, or as of a day)."""

    def __init__(self, items: list[Evidence]) -> None:
        self.list = items

    def count(self) -> int:
        return len(self.list)

    def ref_at(self, offset: int) -> str:
        return evidence_ref(self.list[offset])

    def find(self, ref: str, offset: int | None = None) -> tuple[int, Any] | None:
        """The item's offset: `offset` if it is there (a record may be behind two conditions), else its first."""
        if offset is not None and evidence_ref(self.list[offset]) == ref:
            return offset, None
        return next(((i, None) for i, item in enumerate(self.list) if evidence_ref(item) == ref), None)

    def items(self, offset: int, limit: int, after: Any = None) -> list[Evidence]:
        return self.list[offset:offset + limit]


class _Stored:
    """One record leaf's evidence read from the table; the page's items built from their record versions."""

    def __init__(self, tx: Tx, state: StrategyState, rows: stored.LeafRows, leaf: dict[str, Any], role: str | None,
                 sources: list[str], year: int) -> None:
        self.tx, self.state, self.rows, self.leaf, self.role, self.sources, self.year = (
            tx, state, rows, leaf, role, sources, year)
        self.prefix = f"record:{role or ''}:"
        self._base: YearFacts | None = None

    def count(self) -> int:
        return self.rows.count()

    def ref_at(self, offset: int) -> str:
        return self.prefix + self.rows.rows(1, offset=offset)[0]["record_id"]

    def find(self, ref: str, offset: int | None = None) -> tuple[int, Any] | None:
        """(offset, key) of the record's row (a record is at most once in a leaf, so `offset` is not needed)."""
        if not ref.startswith(self.prefix):
            return None
        return self.rows.place_of(ref[len(self.prefix):])

    def items(self, offset: int, limit: int, after: Any = None) -> list[Evidence]:
        rows = self.rows.rows(limit, offset=offset, after=after)
        facts = version_facts(self.tx, [(r["record_id"], r["version"]) for r in rows])
        if self._base is None:  # what a record's evidence reads beside it: memberships, the sources' names
            self._base = year_facts(self.tx, self.state.network_id, self.year, needs={"network_members"})
        out = []
        for r in rows:
            record = facts[(r["record_id"], r["version"])][1]
            result = stored.single(self.leaf, record, self._base, self.sources)
            out += [stored.with_role(e, self.role) for e in result.evidence]
        return out


class _Source:
    """The drill-down's items as consecutive segments (one per leaf); places count across them."""

    def __init__(self, tx: Tx, state: StrategyState, bound: str | None, segments: list[Any]) -> None:
        self.tx, self.state, self.bound, self.segments = tx, state, bound, segments
        self.counts = [s.count() for s in segments]

    def total(self) -> int:
        return sum(self.counts)

    def _locate(self, place: int) -> tuple[int, int]:
        for i, n in enumerate(self.counts):
            if place < n:
                return i, place
            place -= n
        raise IndexError(place)

    def ref_at(self, place: int) -> str:
        i, offset = self._locate(place)
        return self.segments[i].ref_at(offset)

    def find(self, ref: str, place: int) -> tuple[int, tuple[int, Any]] | None:
        """(place, hint) of the item a cursor names: at its own place if it is still there, else its first."""
        first = None
        here, local = self._locate(place) if 0 <= place < self.total() else (None, None)
        for i, segment in enumerate(self.segments):
            found = segment.find(ref, local if i == here else None)
            if found is None:
                continue
            at = sum(self.counts[:i]) + found[0]
            if i == here and at == place:
                return at, (i, found[1])
            if first is None:
                first = (at, (i, found[1]))
        return first

    def items(self, start: int, limit: int, hint: tuple[int, Any] | None = None) -> list[Evidence]:
        """Up to `limit` items from place `start`; `hint` (segment, key of the item before `start`) lets a
        stored leaf seek by its key instead of counting rows."""
        if start >= self.total():
            return []
        i, offset = self._locate(start)
        out: list[Evidence] = []
        after = hint[1] if hint is not None and hint[0] == i and hint[1] is not None else None
        while i < len(self.segments) and len(out) < limit:
            out += self.segments[i].items(offset, limit - len(out), after)
            i, offset, after = i + 1, 0, None
        return out

    def describe(self, items: list[Evidence]) -> list[dict[str, Any]]:
        """The entries of `items`: names of institutions and firms looked up for these only."""
        if not items:
            return []
        names = institution_names(self.tx, self.bound)
        wanted = sorted({f for item in items if item.type == "record" for f in item.detail["firm_ids"]}
                        | {item.detail["member_id"] for item in items if item.type == "membership"})
        firms: dict[str, dict[str, Any]] = {}
        for at in range(0, len(wanted), 400):
            chunk = wanted[at:at + 400]
            firms.update({r["id"]: r for r in self.tx.execute(
                f"SELECT id, name FROM registry_firms WHERE network_id = ? AND id IN ({', '.join('?' for _ in chunk)})",
                (self.state.network_id, *chunk))})
        return [_entry(item, names, firms) for item in items]


def _entry(item: Evidence, names: dict[str, str], firms: dict[str, dict[str, Any]]) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": item.type, "ref": item.ref, "sources": list(item.sources),
                             "institutions": [{"id": i, "short_name": names.get(i, i)} for i in item.institution_ids]}
    detail = dict(item.detail)
    if item.type == "record":
        entry.update(record_id=item.ref, **detail)
        entry["firms"] = [{"id": f, "name": firms.get(f, {}).get("name", f)} for f in detail["firm_ids"]]
    elif item.type == "membership":
        member = detail["member_id"]
        entry.update(**detail, group_name=names.get(detail["group_id"], detail["group_id"]),
                     member_name=firms.get(member, {}).get("name") or names.get(member, member))
    else:
        entry.update(**detail)
    return entry
