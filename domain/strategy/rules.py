"""Indicator rules: how an indicator's achieved value is computed from the records. Pure.

A rule in plain words (`describe`) lives in domain/strategy/rule_words.py. This module is over 400 lines
on purpose: each kind's check and its computation (with its own views) are read and changed together.

A rule is a small JSON-able dict (it is stored in events and versioned there). The kinds:

| kind | value for a year |
|---|---|
| `count` | records of `record_kind` (optionally `subkinds`, at least `min_network_institutions` network members, at least `min_firms` firms) with business date in the year; an institution's own view counts the records it owns |
| `count_shared` | the same count; one record counts once for the network and once in each participating institution's view (the network total is not the sum of the views) |
| `distinct_count` | distinct firm keys (NIP/REGON) or institutions over the matching records of the year |
| `gauge` | distinct members of clusters (`cluster_firms`) or of the network (`network_institutions`) whose membership covers 31 December (`at = "year_end"`) or any day of the year (`at = "during_year"`); an institution's own view counts its clusters' members (a cluster's own, and those of the clusters an institution runs; in the network: itself and the clusters it runs) |
| `boolean` | 1 when every condition (a rule and an `at_least` threshold) holds in the year, else 0; in an institution's or a source's own view, 1 when every condition holds in that view, None ("–") where a condition defines no own view (`ratio`, `reported` for institutions) |
| `ratio` | numerator / denominator, each aggregated separately (×100 when `percent`); "bd" when the denominator is 0 |
| `reported` | the value a coordinator entered (e.g. GUS data); "bd" when none was entered |

`evaluate(rule, facts, sources)` returns the value, the per-institution and per-source
breakdowns, and the evidence: the records or memberships behind the value (the drill-down).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from domain.errors import ValidationFailed, bilingual
from domain.strategy.values import NO_DATA, YearValue, check_year_value, is_number, number
from domain.values import ConclusionKind, MeetingKind, RecordKind, Channel, plural_pl

COUNT_KINDS = ("count", "count_shared")
RULE_KINDS = (*COUNT_KINDS, "distinct_count", "gauge", "boolean", "ratio", "reported")
MEMBERSHIPS = ("cluster_firms", "network_institutions")
MEMBERSHIP_TABLE = {"cluster_firms": "cluster_members", "network_institutions": "network_members"}
SUBKINDS = {
    RecordKind.CONTACT.value: {c.value for c in Channel},
    RecordKind.MEETING.value: {m.value for m in MeetingKind},
    RecordKind.INFORMATION_EXCHANGE.value: {c.value for c in Channel},
    RecordKind.CONCLUSION.value: {c.value for c in ConclusionKind},
}


# ---------------------------------------------------------------------------------------------- facts
@dataclass(frozen=True)
class RecordFact:
    """One version of a record as it counts: its business date and its parties."""

    record_id: str
    version: int
    kind: str
    subkind: str | None
    occurred_on: date
    owner_institution_id: str
    institution_ids: tuple[str, ...]  # every participating institution, the owner included
    firm_ids: tuple[str, ...]
    title: str = ""


@dataclass(frozen=True)
class MembershipFact:
    """A membership interval (end inclusive, None = open): a firm in a cluster, an institution in the network."""

    group_id: str
    member_id: str
    joined_on: date
    left_on: date | None

    def covers(self, day: date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)

    def overlaps_year(self, year: int) -> bool:
        return self.joined_on <= date(year, 12, 31) and (self.left_on is None or self.left_on >= date(year, 1, 1))


@dataclass(frozen=True)
class ReportedFact:
    year: int
    source: str  # "" = the whole network
    value: YearValue
    note: str
    recorded_by: str
    recorded_from: str


@dataclass
class YearFacts:
    """Everything a rule may look at for one year, as known at one recorded time."""

    year: int
    records: list[RecordFact] = field(default_factory=list)
    network_members: list[MembershipFact] = field(default_factory=list)
    cluster_members: list[MembershipFact] = field(default_factory=list)
    firm_keys: dict[str, str] = field(default_factory=dict)
    # institution id -> lower-case source names it reports for (its short name; for a cluster also
    # the short name of the institution that runs it)
    institution_sources: dict[str, frozenset[str]] = field(default_factory=dict)
    coordinators: dict[str, str] = field(default_factory=dict)  # cluster id -> id of the institution that runs it
    reported: dict[str, list[ReportedFact]] = field(default_factory=dict)  # indicator code -> entries


@dataclass(frozen=True)
class Evidence:
    """One thing behind a value: a record version, a membership, or a reported entry."""

    type: str  # "record" | "membership" | "reported"
    ref: str
    institution_ids: tuple[str, ...]
    sources: tuple[str, ...]
    detail: dict[str, Any]


@dataclass
class Evaluation:
    value: YearValue
    by_institution: dict[str, int | float] = field(default_factory=dict)
    by_source: dict[str, YearValue] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- checking
def check_rule(rule: object, *, field: str = "rule") -> dict[str, Any]:
    """Validates and normalises a rule definition; raises ValidationFailed naming the field."""
    if not isinstance(rule, dict):
        raise ValidationFailed(bilingual(f"Pole {field} musi być tabelą z kluczem 'kind'.",
                                         f"{field} must be a table with a 'kind'."), field=field)
    kind = rule.get("kind")
    if kind not in RULE_KINDS:
        raise ValidationFailed(bilingual(f"Pole {field}.kind musi mieć jedną z wartości: {', '.join(RULE_KINDS)}; "
                                         f"podano {kind!r}.",
                                         f"{field}.kind must be one of: {', '.join(RULE_KINDS)}; got {kind!r}."),
                               field=f"{field}.kind")
    allowed: set[str]
    if kind in COUNT_KINDS or kind == "distinct_count":
        out = _check_record_filter(rule, field)
        allowed = {"kind", "record_kind", "subkinds", "min_network_institutions", "min_firms"}
        if kind == "distinct_count":
            key = rule.get("key", "firm")
            if key not in ("firm", "institution"):
                raise ValidationFailed(bilingual(f"Pole {field}.key musi mieć wartość 'firm' lub 'institution'.",
                                                 f"{field}.key must be 'firm' or 'institution'."),
                                       field=f"{field}.key")
            out["key"] = key
            allowed.add("key")
    elif kind == "gauge":
        membership, at = rule.get("membership"), rule.get("at", "year_end")
        if membership not in MEMBERSHIPS:
            raise ValidationFailed(bilingual(f"Pole {field}.membership musi mieć jedną z wartości: "
                                             f"{', '.join(MEMBERSHIPS)}.",
                                             f"{field}.membership must be one of: {', '.join(MEMBERSHIPS)}."),
                                   field=f"{field}.membership")
        if at not in ("year_end", "during_year"):
            raise ValidationFailed(bilingual(f"Pole {field}.at musi mieć wartość 'year_end' lub 'during_year'.",
                                             f"{field}.at must be 'year_end' or 'during_year'."), field=f"{field}.at")
        out, allowed = {"membership": membership, "at": at}, {"kind", "membership", "at"}
    elif kind == "boolean":
        conditions = rule.get("conditions")
        if not isinstance(conditions, list) or not conditions:
            raise ValidationFailed(bilingual(f"Pole {field}.conditions musi zawierać co najmniej jeden warunek.",
                                             f"{field}.conditions must list at least one condition."),
                                   field=f"{field}.conditions")
        checked = []
        for i, condition in enumerate(conditions):
            where = f"{field}.conditions[{i}]"
            if not isinstance(condition, dict):
                raise ValidationFailed(bilingual(f"Pole {where} musi być tabelą z kluczami 'rule' i 'at_least'.",
                                                 f"{where} must be a table with 'rule' and 'at_least'."), field=where)
            inner = check_rule(condition.get("rule"), field=f"{where}.rule")
            if inner["kind"] in ("boolean", "ratio", "reported"):
                raise ValidationFailed(bilingual(f"Pole {where}.rule musi być regułą zliczającą lub stanem "
                                                 "(count, distinct_count, gauge).",
                                                 f"{where}.rule must be a count, distinct count or gauge."),
                                       field=f"{where}.rule.kind")
            at_least = condition.get("at_least", 1)
            if isinstance(at_least, bool) or not isinstance(at_least, int) or at_least < 1:
                raise ValidationFailed(bilingual(f"Pole {where}.at_least musi być liczbą całkowitą nie mniejszą niż 1.",
                                                 f"{where}.at_least must be a whole number of at least 1."),
                                       field=f"{where}.at_least")
            checked.append({"rule": inner, "at_least": at_least})
        out, allowed = {"conditions": checked}, {"kind", "conditions"}
    elif kind == "ratio":
        out = {}
        for part in ("numerator", "denominator"):
            inner = check_rule(rule.get(part), field=f"{field}.{part}")
            if inner["kind"] in ("boolean", "ratio", "reported"):
                raise ValidationFailed(bilingual(f"Pole {field}.{part} musi być regułą zliczającą lub stanem "
                                                 "(count, distinct_count, gauge).",
                                                 f"{field}.{part} must be a count, distinct count or gauge."),
                                       field=f"{field}.{part}.kind")
            out[part] = inner
        out["percent"] = bool(rule.get("percent", True))
        allowed = {"kind", "numerator", "denominator", "percent"}
    else:
        out, allowed = {}, {"kind"}
    unknown = set(rule) - allowed
    if unknown:
        names = ", ".join(sorted(unknown))
        setting = plural_pl(len(unknown), "nieznane ustawienie", "nieznane ustawienia", "nieznane ustawienia")
        raise ValidationFailed(bilingual(f"Pole {field} ma {setting} dla rodzaju {kind}: {names}.",
                                         f"{field} has unknown setting(s) for kind {kind}: {names}."),
                               field=field)
    return {"kind": kind, **out}


def _check_record_filter(rule: dict[str, Any], field: str) -> dict[str, Any]:
    record_kind = rule.get("record_kind")
    if record_kind not in SUBKINDS:
        raise ValidationFailed(bilingual(f"Pole {field}.record_kind musi mieć jedną z wartości: "
                                         f"{', '.join(SUBKINDS)}; podano {record_kind!r}.",
                                         f"{field}.record_kind must be one of: {', '.join(SUBKINDS)}; "
                                         f"got {record_kind!r}."),
                               field=f"{field}.record_kind")
    subkinds = rule.get("subkinds", [])
    if not isinstance(subkinds, list) or any(s not in SUBKINDS[record_kind] for s in subkinds):
        raise ValidationFailed(
            bilingual(f"Pole {field}.subkinds musi wymieniać rodzaje {record_kind}: "
                      f"{', '.join(sorted(SUBKINDS[record_kind]))}.",
                      f"{field}.subkinds must list kinds of {record_kind}: {', '.join(sorted(SUBKINDS[record_kind]))}."),
            field=f"{field}.subkinds")
    out: dict[str, Any] = {"record_kind": record_kind, "subkinds": sorted(set(subkinds))}
    for name in ("min_network_institutions", "min_firms"):
        value = rule.get(name, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationFailed(bilingual(f"Pole {field}.{name} musi być liczbą całkowitą nie mniejszą niż 0.",
                                             f"{field}.{name} must be a whole number not below 0."),
                                   field=f"{field}.{name}")
        out[name] = value
    return out


def dependencies(rule: dict[str, Any]) -> set[str]:
    """What a rule reads: "record:<kind>", "network_members", "cluster_members", "reported"."""
    kind = rule["kind"]
    if kind in COUNT_KINDS or kind == "distinct_count":
        deps = {f"record:{rule['record_kind']}"}
        if rule.get("min_network_institutions"):
            deps.add("network_members")
        return deps
    if kind == "gauge":
        return {MEMBERSHIP_TABLE[rule["membership"]]}
    if kind == "boolean":
        return set().union(*(dependencies(c["rule"]) for c in rule["conditions"]))
    if kind == "ratio":
        return dependencies(rule["numerator"]) | dependencies(rule["denominator"])
    return {"reported"}


def is_additive(rule: dict[str, Any]) -> bool:
    """Whether yearly values may be summed into a cumulative value (counts of events may; gauges may not)."""
    return rule["kind"] in COUNT_KINDS


# ---------------------------------------------------------------------------------------------- evaluation
def evaluate(rule: dict[str, Any], facts: YearFacts, *, indicator_code: str = "",
             sources: Iterable[str] = ()) -> Evaluation:
    """The value of `rule` in `facts.year`, its breakdowns and the evidence behind it."""
    sources = list(sources)
    kind = rule["kind"]
    if kind in COUNT_KINDS:
        return _count(rule, facts, sources)
    if kind == "distinct_count":
        return _distinct(rule, facts, sources)
    if kind == "gauge":
        return _gauge(rule, facts, sources)
    if kind == "boolean":
        return _boolean(rule, facts, sources)
    if kind == "ratio":
        return _ratio(rule, facts, sources)
    return _reported(facts.reported.get(indicator_code, []), facts.year, sources)


def has_institution_view(rule: dict[str, Any]) -> bool:
    """Whether the rule gives each institution a value of its own (`reported` and `ratio` do not)."""
    if rule["kind"] == "boolean":
        return all(has_institution_view(c["rule"]) for c in rule["conditions"])
    return rule["kind"] in (*COUNT_KINDS, "distinct_count", "gauge")


def _boolean(rule: dict[str, Any], facts: YearFacts, sources: list[str]) -> Evaluation:
    """1 when every condition holds. In a view (an institution's, a source's) each condition is judged by
    that view's value of its rule: the network of LCB (LCB and the cluster it runs, a network meeting it
    took part in) exists in LCB's view, while an institution alone in its view holds "at least 2" never."""
    conditions = rule["conditions"]
    parts = [evaluate(c["rule"], facts, sources=sources) for c in conditions]

    def holds(values: list[Any]) -> YearValue | None:
        if any(v is None for v in values):
            return None
        if not all(is_number(v) for v in values):
            return NO_DATA
        return 1 if all(v >= c["at_least"] for v, c in zip(values, conditions)) else 0

    by_institution: dict[str, Any] = {}
    if has_institution_view(rule):  # an institution absent from a part's view has 0 there: a real zero
        for institution_id in sorted(set().union(*(p.by_institution for p in parts))):
            by_institution[institution_id] = holds([p.by_institution.get(institution_id, 0) for p in parts])
    by_source = {s: holds([p.by_source.get(s) for p in parts]) for s in sources}
    return Evaluation(holds([p.value for p in parts]), by_institution, by_source,  # type: ignore[arg-type]
                      [e for p in parts for e in p.evidence])


def _network_member(facts: YearFacts, institution_id: str, day: date) -> bool:
    return any(m.member_id == institution_id and m.covers(day) for m in facts.network_members)


def matching_records(rule: dict[str, Any], facts: YearFacts) -> list[RecordFact]:
    out = []
    for record in facts.records:
        if record.kind != rule["record_kind"] or record.occurred_on.year != facts.year:
            continue
        if rule["subkinds"] and record.subkind not in rule["subkinds"]:
            continue
        if len(record.firm_ids) < rule["min_firms"]:
            continue
        if rule["min_network_institutions"]:
            members = sum(1 for i in record.institution_ids if _network_member(facts, i, record.occurred_on))
            if members < rule["min_network_institutions"]:
                continue
        out.append(record)
    return sorted(out, key=lambda r: (r.occurred_on, r.record_id))


def _sources_of(facts: YearFacts, institution_ids: Iterable[str], sources: list[str]) -> tuple[str, ...]:
    names: set[str] = set()
    for institution_id in institution_ids:
        names |= facts.institution_sources.get(institution_id, frozenset())
    return tuple(s for s in sources if s.lower() in names)


def _record_evidence(record: RecordFact, view: tuple[str, ...], facts: YearFacts, sources: list[str]) -> Evidence:
    return Evidence("record", record.record_id, view, _sources_of(facts, view, sources), {
        "version": record.version, "kind": record.kind, "subkind": record.subkind,
        "occurred_on": record.occurred_on.isoformat(), "title": record.title,
        "owner_institution_id": record.owner_institution_id, "institution_ids": list(record.institution_ids),
        "firm_ids": list(record.firm_ids),
    })


def _count(rule: dict[str, Any], facts: YearFacts, sources: list[str]) -> Evaluation:
    shared = rule["kind"] == "count_shared"
    evidence = []
    for record in matching_records(rule, facts):
        view = record.institution_ids if shared else (record.owner_institution_id,)
        evidence.append(_record_evidence(record, view, facts, sources))
    return _tally(len(evidence), evidence, sources)


def _tally(value: int, evidence: list[Evidence], sources: list[str]) -> Evaluation:
    by_institution: dict[str, int | float] = {}
    by_source: dict[str, YearValue] = {s: 0 for s in sources}
    for item in evidence:
        for institution_id in item.institution_ids:
            by_institution[institution_id] = by_institution.get(institution_id, 0) + 1
        for source in item.sources:
            by_source[source] = by_source[source] + 1  # type: ignore[operator]
    return Evaluation(value, dict(sorted(by_institution.items())), by_source, evidence)


def _distinct(rule: dict[str, Any], facts: YearFacts, sources: list[str]) -> Evaluation:
    evidence = []
    keys: set[str] = set()
    keys_by_institution: dict[str, set[str]] = {}
    keys_by_source: dict[str, set[str]] = {s: set() for s in sources}
    for record in matching_records(rule, facts):
        view = record.institution_ids
        item = _record_evidence(record, view, facts, sources)
        record_keys = ({facts.firm_keys.get(f, f"id:{f}") for f in record.firm_ids} if rule["key"] == "firm"
                       else set(record.institution_ids))
        if not record_keys:
            continue
        evidence.append(item)
        keys |= record_keys
        for institution_id in view:
            keys_by_institution.setdefault(institution_id, set()).update(record_keys)
        for source in item.sources:
            keys_by_source[source] |= record_keys
    return Evaluation(len(keys), {i: len(k) for i, k in sorted(keys_by_institution.items())},
                      {s: len(k) for s, k in keys_by_source.items()}, evidence)


def _gauge(rule: dict[str, Any], facts: YearFacts, sources: list[str]) -> Evaluation:
    year_end = date(facts.year, 12, 31)
    firms = rule["membership"] == "cluster_firms"
    memberships = facts.cluster_members if firms else facts.network_members
    counted = [m for m in memberships
               if (m.covers(year_end) if rule["at"] == "year_end" else m.overlaps_year(facts.year))]
    keys: set[str] = set()
    by_group: dict[str, set[str]] = {}
    by_source: dict[str, set[str]] = {s: set() for s in sources}
    evidence = []
    for m in sorted(counted, key=lambda m: (m.group_id, m.member_id, m.joined_on)):
        key = facts.firm_keys.get(m.member_id, f"id:{m.member_id}") if firms else m.member_id
        keys.add(key)
        holder = m.group_id if firms else m.member_id  # the cluster, or the network's member
        view = tuple(dict.fromkeys((holder, *([facts.coordinators[holder]] if holder in facts.coordinators else []))))
        item_sources = _sources_of(facts, view, sources)
        for institution_id in view:
            by_group.setdefault(institution_id, set()).add(key)
        for source in item_sources:
            by_source[source].add(key)
        evidence.append(Evidence("membership", f"{m.group_id}:{m.member_id}", view, item_sources, {
            "group_id": m.group_id, "member_id": m.member_id, "member_key": key,
            "joined_on": m.joined_on.isoformat(), "left_on": m.left_on.isoformat() if m.left_on else None,
        }))
    return Evaluation(len(keys), {g: len(k) for g, k in sorted(by_group.items())},
                      {s: len(k) for s, k in by_source.items()}, evidence)


def _ratio(rule: dict[str, Any], facts: YearFacts, sources: list[str]) -> Evaluation:
    top = evaluate(rule["numerator"], facts, sources=sources)
    bottom = evaluate(rule["denominator"], facts, sources=sources)
    scale = 100 if rule["percent"] else 1

    def divide(a: YearValue, b: YearValue) -> YearValue:
        if not is_number(a) or not is_number(b) or b == 0:
            return NO_DATA
        return number(round(a / b * scale, 4))  # type: ignore[operator]

    evidence = [Evidence(e.type, e.ref, e.institution_ids, e.sources, {**e.detail, "role": role})
                for role, part in (("numerator", top), ("denominator", bottom)) for e in part.evidence]
    by_institution = {i: v for i, d in bottom.by_institution.items()
                      if is_number(v := divide(top.by_institution.get(i, 0), d))}
    by_source = {s: divide(top.by_source.get(s, 0), bottom.by_source.get(s, 0)) for s in sources}
    return Evaluation(divide(top.value, bottom.value), by_institution, by_source, evidence)  # type: ignore[arg-type]


def _reported(entries: list[ReportedFact], year: int, sources: list[str]) -> Evaluation:
    entries = [e for e in entries if e.year == year]
    whole = [e for e in entries if e.source == ""]
    by_source: dict[str, YearValue] = {}
    for source in sources:
        mine = [e for e in entries if e.source.lower() == source.lower()]
        by_source[source] = mine[-1].value if mine else NO_DATA
    if whole:
        value = whole[-1].value
    elif sources and all(is_number(v) for v in by_source.values()):
        value = number(sum(by_source.values()))  # type: ignore[arg-type]
    else:
        value = NO_DATA
    evidence = [Evidence("reported", f"{e.year}:{e.source}", (), (e.source,) if e.source else (), {
        "year": e.year, "source": e.source, "value": e.value, "note": e.note, "recorded_by": e.recorded_by,
        "recorded_at": e.recorded_from}) for e in entries]
    return Evaluation(value, {}, by_source, evidence)


def percent_achieved(target: YearValue, actual: YearValue, direction: str = "increase") -> float | None:
    """Actual against target in %, or None when either is "-"/"bd" or the target is 0."""
    if not is_number(target) or not is_number(actual):
        return None
    if direction == "decrease":
        if actual <= target:  # type: ignore[operator]
            return 100.0
        return round(target / actual * 100, 1) if actual else None  # type: ignore[operator]
    if target == 0:
        return None
    return round(actual / target * 100, 1)  # type: ignore[operator]


def check_reported_value(value: object, *, field: str = "value") -> YearValue:
    return check_year_value(value, field=field)
