"""An indicator rule in plain words, Polish and English (`describe`), as reports and pages show it.

The rules themselves — their kinds, checks and computation — are in domain/strategy/rules.py.
"""

from __future__ import annotations

from typing import Any

from domain.errors import Message, bilingual
from domain.strategy.rules import COUNT_KINDS

# ---------------------------------------------------------------------------------------------- plain words
# Each phrase as (Polish, English); `describe` joins them into one Message.
_RECORD_WORDS = {
    "contact": ("nawiązanych kontaktów", "contacts established"),
    "meeting": ("spotkań", "meetings"),
    "information_exchange": ("przekazanych informacji", "information exchanges"),
    "conclusion": ("wypracowanych wniosków / opracowań", "conclusions / expertises adopted"),
}
_SUBKIND_WORDS = {
    "conclusion": ("wnioski", "conclusions"), "expertise": ("ekspertyzy", "expertises"),
    "needs_analysis": ("analizy potrzeb", "needs analyses"),
    "cooperation_concept": ("koncepcje współpracy", "cooperation concepts"),
    "network_meeting": ("spotkania sieci", "network meetings"),
    "entrepreneurs_meeting": ("spotkania z przedsiębiorcami", "meetings with entrepreneurs"),
    "workshop": ("warsztaty", "workshops"), "study_visit": ("wizyty studyjne", "study visits"),
    "online_meeting": ("spotkania online", "online meetings"),
}
_Words = tuple[str, str]


def describe(rule: dict[str, Any]) -> Message:
    """The rule in plain words (Polish, and English apart), shown beside its indicator."""
    pl, en = _sentence(rule)
    return bilingual(pl, en)


def _sentence(rule: dict[str, Any]) -> _Words:
    kind = rule["kind"]
    if kind in COUNT_KINDS:
        pl, en = (_capitalised(w) for w in _core_words(rule))
        if kind == "count_shared":
            pl += "; jedno zdarzenie liczy się raz dla sieci i raz dla każdej uczestniczącej instytucji"
            en += "; one event counts once for the network and once for each institution taking part"
        return pl + "; wpisy wycofane nie liczą się.", en + "; retracted records do not count."
    if kind in ("distinct_count", "gauge"):
        pl, en = _core_words(rule)
        return _capitalised(pl) + ".", _capitalised(en) + "."
    if kind == "boolean":
        parts = [(_core_words(c["rule"]), c["at_least"]) for c in rule["conditions"]]
        return ("1, gdy w roku: " + " oraz ".join(f"{w[0]} wynosi co najmniej {n}" for w, n in parts)
                + "; w przeciwnym razie 0.",
                "1 when in the year: " + " and ".join(f"{w[1]} is at least {n}" for w, n in parts)
                + "; otherwise 0.")
    if kind == "ratio":
        top, bottom = _core_words(rule["numerator"]), _core_words(rule["denominator"])
        unit_pl, unit_en = (" (w %)", " (in %)") if rule["percent"] else ("", "")
        return (f"Iloraz{unit_pl}: {top[0]} / {bottom[0]}; „bd”, gdy mianownik wynosi 0.",
                f"Ratio{unit_en}: {top[1]} / {bottom[1]}; “bd” when the denominator is 0.")
    return ("Wartość wprowadzana przez koordynatora (np. dane GUS) ze wskazaniem źródła; "
            "„bd”, gdy brak danych.",
            "A value entered by the coordinator (e.g. GUS data) naming its source; “bd” when there is no data.")


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _core_words(rule: dict[str, Any]) -> _Words:
    kind = rule["kind"]
    if kind == "distinct_count":
        records_pl, records_en = _RECORD_WORDS[rule["record_kind"]]
        filter_pl, filter_en = _filter_words(rule)
        if rule["key"] == "firm":
            what_pl, what_en = "firm (liczonych po NIP/REGON)", "firms (counted by NIP/REGON)"
        else:
            what_pl, what_en = "instytucji", "institutions"
        return (f"liczba różnych {what_pl} w rejestrze {records_pl} w roku{filter_pl}",
                f"number of distinct {what_en} in the register of {records_en} in the year{filter_en}")
    if kind == "gauge":
        if rule["membership"] == "cluster_firms":
            who_pl = "różnych firm należących do klastrów (firma w dwóch klastrach liczy się raz)"
            who_en = "distinct firms belonging to clusters (a firm in two clusters counts once)"
        else:
            who_pl, who_en = "instytucji należących do sieci", "institutions belonging to the network"
        when_pl, when_en = (("na dzień 31 grudnia", "on 31 December") if rule["at"] == "year_end"
                            else ("w dowolnym dniu roku", "on any day of the year"))
        return f"liczba {who_pl} {when_pl}", f"number of {who_en} {when_en}"
    records_pl, records_en = _RECORD_WORDS[rule["record_kind"]]
    filter_pl, filter_en = _filter_words(rule)
    return (f"liczba {records_pl} w roku (wg daty zdarzenia){filter_pl}",
            f"number of {records_en} in the year (by business date){filter_en}")


def _filter_words(rule: dict[str, Any]) -> _Words:
    pl: list[str] = []
    en: list[str] = []
    if rule["subkinds"]:
        words = [_SUBKIND_WORDS.get(s, (s, s)) for s in rule["subkinds"]]
        pl.append("rodzaj: " + ", ".join(w[0] for w in words))
        en.append("kind: " + ", ".join(w[1] for w in words))
    if rule["min_network_institutions"]:
        n = rule["min_network_institutions"]
        pl.append(f"z udziałem co najmniej {n} instytucji sieci")
        en.append(f"with at least {n} network institution{'s' if n != 1 else ''} taking part")
    if rule["min_firms"]:
        n = rule["min_firms"]
        pl.append(f"z udziałem co najmniej {n} firmy" if n == 1 else f"z udziałem co najmniej {n} firm")
        en.append(f"with at least {n} firm{'s' if n != 1 else ''} taking part")
    return ((" (" + "; ".join(pl) + ")") if pl else "", (" (" + "; ".join(en) + ")") if en else "")
