"""Issue 13's goal table, and how bench/run_all.py judges each figure against it.

Every row of the table is named in docs/performance.md whether or not a benchmark measured it. A figure
belongs to the first row one of whose rules matches it (the benchmark's name and words of the figure's
name); the rule's check then judges it unless the benchmark said `"met"` itself:

- `min` / `max`: the figure's value (in its own unit) must be at least / at most this;
- `min_ratio` / `max_ratio`: value ÷ baseline value (or the figure's own "ratio") must be at least / at most this.

Every condition given must hold. A figure no rule matches is still listed, unjudged (–).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Rule:
    benchmark: str | None  # None: any benchmark
    words: tuple[str, ...]  # all of them in the figure's name (case-insensitive)
    check: dict[str, float] = field(default_factory=dict)  # empty: the figure belongs here, unjudged
    without: tuple[str, ...] = ()  # none of them in the figure's name

    def matches(self, benchmark: str, figure: dict[str, Any]) -> bool:
        name = str(figure.get("figure", "")).lower()
        return ((self.benchmark is None or self.benchmark == benchmark)
                and all(w.lower() in name for w in self.words) and not any(w.lower() in name for w in self.without))


@dataclass(frozen=True)
class Goal:
    key: str
    figure: str  # the words
    baseline: str
    goal: str
    rules: tuple[Rule, ...]


PG = ("postgresql",)
GOALS: tuple[Goal, ...] = (
    Goal("writes", "durable writes/s through the real API (auth, validation, idempotency, audit chain), 32 concurrent "
         "clients, SQLite FULL", "a bare FastAPI endpoint saving one eventsourcing aggregate per request",
         "≥ 1.5× the baseline and ≥ 2,000/s on 2 cores; p99 ≤ 50 ms",
         (Rule("writes", ("writes/s",), {"min_ratio": 1.5, "min": 2000}, PG),
          Rule("writes", ("p99",), {"max": 50}, PG), Rule("writes", ("cpu",), {}, PG))),
    Goal("rebuild", "rebuild of all read models from 1,000,000 events", "the library's read-back of the same log",
         "≥ 0.5× and ≥ 25,000 events/s; peak RSS ≤ 300 MB",
         (Rule(None, ("rebuild of all read models",), {"min_ratio": 0.5, "min": 25000}, PG),
          Rule(None, ("rebuild peak rss",), {"max": 300}, PG))),
    Goal("size", "read models' size", "the log's size", "≤ 1×",
         (Rule(None, ("read models' size",), {"max_ratio": 1.0}, PG),)),
    Goal("task_report", "task report (both tasks) at 1M events", "scanning the log", "p95 ≤ 5 ms",
         (Rule(None, ("task report", "p95"), {"max": 5}, PG + ("growth",)),
          Rule(None, ("task report",), {}, PG + ("growth",)))),
    Goal("as_of", "as-of report and a paged drill-down at 1M events", "the current report", "p95 ≤ 20 ms for both",
         (Rule(None, ("as-of report p95",), {"max": 20}, PG), Rule(None, ("drill-down page p95",), {"max": 20}, PG),
          Rule(None, ("as-of report",), {}, PG), Rule(None, ("drill-down",), {}, PG))),
    Goal("import", "bulk import of 100,000 register rows",
         "raw `sqlite3.executemany` of rows of the same size in one transaction", "≥ 0.1×",
         (Rule("import_speed", ("bulk import",), {"min_ratio": 0.1}, ("json api",)),
          Rule("import_speed", ("bulk import",)))),
    Goal("verify", "`splot verify` of 1M events", "hashlib over the same bytes", "≥ 0.3× (met today: keep it)",
         (Rule(None, ("splot verify",), {"min_ratio": 0.3}),)),
    Goal("growth", "growth", "the same figure at 10,000 events", "per-event cost at 1M within 1.3× of that at 10k",
         (Rule(None, ("growth",), {"max_ratio": 1.3}, PG),
          Rule("rebuild", ("rebuild rate over the last 10%",), {"min_ratio": 1 / 1.3}, PG))),
    Goal("memory", "server memory", "—", "RSS ≤ 200 MB serving a 1M-event store",
         (Rule(None, ("server rss",), {"max": 200}),)),
    Goal("postgres", "the write, rebuild and report figures again on PostgreSQL", "the same baselines on PostgreSQL",
         "the same goals as on SQLite",
         (Rule(None, ("postgresql", "writes/s"), {"min_ratio": 1.5, "min": 2000}),
          Rule(None, ("postgresql", "p99"), {"max": 50}),
          Rule(None, ("postgresql", "rebuild of all read models"), {"min_ratio": 0.5, "min": 25000}),
          Rule(None, ("postgresql", "rebuild peak rss"), {"max": 300}),
          Rule(None, ("postgresql", "task report", "p95"), {"max": 5}),
          Rule(None, ("postgresql", "as-of report p95"), {"max": 20}),
          Rule(None, ("postgresql", "drill-down page p95"), {"max": 20}),
          Rule(None, ("postgresql",)))),
)

# The benchmarks that measure each row, to say why a row has no figure.
SOURCES = {"writes": ("writes",), "rebuild": ("rebuild",), "size": ("rebuild",), "task_report": ("scale",),
           "as_of": ("rebuild",), "import": ("import_speed",), "verify": ("verify_speed",),
           "growth": ("scale", "rebuild"), "memory": ("serve_memory",), "postgres": ("writes", "postgres")}


def ratio_of(figure: dict[str, Any]) -> float | None:
    if isinstance(figure.get("ratio"), (int, float)) and not isinstance(figure.get("ratio"), bool):
        return float(figure["ratio"])
    value, base = figure.get("value"), figure.get("baseline_value")
    if isinstance(value, (int, float)) and isinstance(base, (int, float)) and base:
        return value / base
    return None


def classify(benchmark: str, figure: dict[str, Any]) -> tuple[Goal | None, Rule | None]:
    for goal in GOALS:
        for rule in goal.rules:
            if rule.matches(benchmark, figure):
                return goal, rule
    return None, None


def judge(figure: dict[str, Any], check: dict[str, float]) -> bool | None:
    """True / False against the check, None when there is nothing to judge (no check, or no number)."""
    if isinstance(figure.get("met"), bool):
        return figure["met"]
    if not check:
        return None
    value, ratio = figure.get("value"), ratio_of(figure)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    results = []
    for name, bound in check.items():
        if name in ("min_ratio", "max_ratio") and ratio is None:
            return None
        results.append({"min": lambda: value >= bound, "max": lambda: value <= bound,
                        "min_ratio": lambda: ratio >= bound, "max_ratio": lambda: ratio <= bound}[name]())
    return all(results)
