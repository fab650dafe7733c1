"""`make bench`: runs every benchmark in bench/ that supports `--json` and writes docs/performance.md (issue 13).

    .venv/bin/python bench/run_all.py                         # everything, at each benchmark's own defaults
    .venv/bin/python bench/run_all.py --quick                 # smaller sizes, for a try-out (say so in the doc)
    .venv/bin/python bench/run_all.py --only import_speed     # one benchmark (repeat --only for more)
    .venv/bin/python bench/run_all.py --args import_speed="--rows 20000"

Each benchmark is run as its own process (`python bench/NAME.py --json [args]`) and must print one JSON object
on its last line of standard output: {"figures": [{"figure", "value", "unit", "baseline", "baseline_value",
"goal", and optionally "ratio" and "met"}], "notes": [...]}. A benchmark that is missing, fails, times out or
prints no such object is listed as such in the document; the others are written all the same. The document
says the machine (cores, CPU model, RAM), the versions (Python, eventsourcing, SQLite, PostgreSQL), the exact
command, the date, and for each figure its value beside its baseline from the same run, the ratio and the goal
(✔ met, ✘ not met, – not judged). A figure is judged by the rule of issue 13's goal table it belongs to
(bench/goals.py) unless the benchmark said "met" itself; the document then lists every row of that table, the
figures measured for it, or why none was, and closes with the goals met and not met. The load average at the
start and the end of the run is written too: on a shared machine, read the ratios, not the rates.

Sizes: `make bench` runs the issue's sizes (FULL_ARGS: 1M events; the generated stores are cached under
var/bench/ by bench/stores.py, so a second run skips generating them); `make bench-quick` (`--quick`) the
small ones (QUICK_ARGS), for development.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from glob import glob
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
from bench.goals import GOALS, SOURCES, classify, judge  # noqa: E402
from bench.goals import ratio_of as ratio_of  # noqa: E402,F401  (kept here: the document's writer uses it)
# The benchmarks the issue asks for (their figures are the acceptance): named in the document even when absent.
EXPECTED = ("writes", "rebuild", "import_speed", "scale", "verify_speed", "serve_memory", "postgres")
QUICK_ARGS = {"writes": ["--seconds", "3", "--no-keyed"], "import_speed": ["--rows", "5000", "--api-rows", "300"],
              "rebuild": ["--events", "20000"], "scale": ["--events", "20000", "--small", "5000"],
              "verify_speed": ["--events", "20000"], "serve_memory": ["--events", "20000"],
              "postgres": ["--events", "5000"], "audit_chain": ["--events", "20000"]}
# The sizes: a store of 1,000,000 events (generated once, cached), imports of 100,000 rows.
FULL_ARGS = {"writes": ["--large", "100000", "--postgres", "--repeat", "3"], "import_speed": ["--rows", "100000"],
             "rebuild": ["--events", "1000000"], "scale": ["--events", "1000000", "--small", "10000"],
             "verify_speed": ["--events", "1000000"], "serve_memory": ["--events", "1000000"],
             "postgres": ["--events", "100000"], "audit_chain": ["--events", "100000"]}
TIMEOUT_SECONDS = 3 * 3600


@dataclass
class Outcome:
    name: str
    command: list[str]
    status: str  # "ok", "missing", "failed", "timeout", "no json"
    seconds: float = 0.0
    figures: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    detail: str = ""  # what went wrong, for the document


def supports_json(path: Path) -> bool:
    """A benchmark takes part when its source offers a `--json` option."""
    try:
        return '"--json"' in path.read_text(encoding="utf-8")
    except OSError:
        return False


def discover(bench_dir: Path = BENCH) -> list[str]:
    return sorted(Path(p).stem for p in glob(str(bench_dir / "*.py"))
                  if Path(p).name != "run_all.py" and supports_json(Path(p)))


def last_json_object(stdout: str) -> dict[str, Any] | None:
    for line in reversed(stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                return None
            return value if isinstance(value, dict) and isinstance(value.get("figures"), list) else None
    return None


def run_one(name: str, extra: list[str], *, bench_dir: Path = BENCH, python: str = sys.executable,
            timeout: float = TIMEOUT_SECONDS) -> Outcome:
    path = bench_dir / f"{name}.py"
    command = [python, str(path.relative_to(bench_dir.parent)) if path.is_relative_to(bench_dir.parent) else str(path),
               "--json", *extra]
    if not path.exists():
        return Outcome(name, command, "missing", detail=f"bench/{name}.py is not in the repository yet")
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(bench_dir.parent)}
    try:
        done = subprocess.run(command, cwd=bench_dir.parent, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return Outcome(name, command, "timeout", time.perf_counter() - started, detail=f"no answer in {timeout:.0f} s")
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return Outcome(name, command, "failed", seconds, detail=f"exit {done.returncode}: " + " / ".join(tail))
    result = last_json_object(done.stdout)
    if result is None:
        return Outcome(name, command, "no json", seconds, detail="its last line of output is not a figures object")
    return Outcome(name, command, "ok", seconds, figures=result["figures"],
                   notes=[str(n) for n in result.get("notes", [])])


# ---------------------------------------------------------------------------------------------- the document
def machine() -> dict[str, str]:
    model, memory = platform.processor() or "unknown", "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {"cores": str(os.cpu_count()), "cpu": model, "ram": memory, "os": platform.platform()}


def versions() -> dict[str, str]:
    found = {"Python": platform.python_version(), "SQLite": sqlite3.sqlite_version}
    try:
        found["eventsourcing"] = metadata.version("eventsourcing")
    except metadata.PackageNotFoundError:
        found["eventsourcing"] = "not installed"
    servers = sorted(glob("/usr/lib/postgresql/*/bin/postgres"))
    if servers:
        try:
            found["PostgreSQL"] = subprocess.run([servers[-1], "--version"], capture_output=True, text=True,
                                                 timeout=10).stdout.strip().removeprefix("postgres (PostgreSQL) ")
        except (OSError, subprocess.SubprocessError):
            found["PostgreSQL"] = "installed, version unknown"
    else:
        found["PostgreSQL"] = "not installed"
    return found


def _number(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "–"
    if isinstance(value, (int, float)):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"
    return str(value)


def judged(benchmark: str, figure: dict[str, Any]) -> bool | None:
    """The figure's own "met" if it says, else the goal table's rule for it (bench/goals.py), else None."""
    _goal, rule = classify(benchmark, figure)
    return judge(figure, rule.check if rule else {})


def verdict(figure: dict[str, Any], benchmark: str = "") -> str:
    met = judged(benchmark, figure)
    return "✔" if met is True else "✘" if met is False else "–"


def _load() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _cell(text: Any) -> str:
    return str(text if text not in (None, "") else "–").replace("|", "\\|").replace("\n", " ")


def render(outcomes: list[Outcome], *, command: str, started: datetime, quick: bool,
           machine_info: dict[str, str] | None = None, version_info: dict[str, str] | None = None,
           load: tuple[str, str] | None = None, stores: list[str] | None = None, seconds: float | None = None) -> str:
    machine_info = machine_info or machine()
    version_info = version_info or versions()
    lines = ["# Performance", "",
             "Written by `make bench` (`bench/run_all.py`): every benchmark in `bench/` that supports `--json`, each "
             "figure beside its baseline measured in the same run. Do not edit by hand; run it again.", "",
             "## The run", "",
             f"- Date: {started.strftime('%Y-%m-%d %H:%M')} UTC",
             f"- Command: `{command}`" + (" (quick sizes: not the issue's figures)" if quick else ""),
             f"- Machine: {machine_info['cores']} cores, {machine_info['cpu']}, {machine_info['ram']} RAM "
             f"({machine_info['os']})",
             "- Versions: " + ", ".join(f"{k} {v}" for k, v in version_info.items())]
    if load:
        lines.append(f"- Load average (1 / 5 / 15 min): {load[0]} at the start, {load[1]} at the end")
    if seconds is not None:
        lines.append(f"- The whole run took {seconds / 60:,.0f} min")
    lines += [f"- Store: {line}" for line in stores or []]
    lines += ["",
             "## Figures", "",
             "| benchmark | figure | value | baseline (same run) | baseline value | ratio | goal | met |",
             "|---|---|---|---|---|---|---|---|"]
    for outcome in outcomes:
        for figure in outcome.figures:
            ratio = ratio_of(figure)
            unit = figure.get("unit", "")
            lines.append("| " + " | ".join(_cell(c) for c in (
                outcome.name, figure.get("figure"), f"{_number(figure.get('value'))} {unit}".strip(),
                figure.get("baseline"), f"{_number(figure.get('baseline_value'))} {unit}".strip()
                if figure.get("baseline_value") is not None else "–",
                f"{ratio:.3g}" if ratio is not None else "–", figure.get("goal"), verdict(figure, outcome.name))) + " |")
    if not any(o.figures for o in outcomes):
        lines.append("| – | no benchmark produced figures | | | | | | |")
    lines += ["", "## Benchmarks run", "", "| benchmark | status | seconds | command |", "|---|---|---|---|"]
    for outcome in outcomes:
        shown = "ok" if outcome.status == "ok" else f"**{outcome.status}**: {outcome.detail}"
        lines.append(f"| {outcome.name} | {_cell(shown)} | {outcome.seconds:,.0f} | "
                     f"`{_cell(shlex.join(outcome.command))}` |")
    lines += goal_table(outcomes)
    figures = [(o.name, f) for o in outcomes for f in o.figures]
    met = [f for n, f in figures if judged(n, f) is True]
    missed = [(n, f) for n, f in figures if judged(n, f) is False]
    lines += ["", "## Closing note", "",
              f"{len(met)} of {len(figures)} figures meet their goal; {len(missed)} do not; "
              f"{len(figures) - len(met) - len(missed)} are not judged by their benchmark."]
    absent = [o for o in outcomes if o.status != "ok"]
    if absent:
        lines.append("Not measured in this run: " + "; ".join(f"{o.name} ({o.status})" for o in absent) + ".")
    lines.append("")
    for goal, verdicts in goals_met(outcomes):
        lines.append(f"- {verdicts}: {goal.figure} ({goal.goal})")
    for name, figure in missed:
        lines.append(f"- ✘ {name}: {figure.get('figure')} — {_number(figure.get('value'))} {figure.get('unit', '')} "
                     f"against the goal {figure.get('goal')}.")
    notes = [(o.name, n) for o in outcomes for n in o.notes]
    if notes:
        lines += ["", "Notes from the benchmarks (what limits a figure, and what would change it):", ""]
        lines += [f"- {name}: {note}" for name, note in notes]
    return "\n".join(lines) + "\n"


def _by_goal(outcomes: list[Outcome]) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    found: dict[str, list[tuple[str, dict[str, Any]]]] = {g.key: [] for g in GOALS}
    for outcome in outcomes:
        for figure in outcome.figures:
            goal, _rule = classify(outcome.name, figure)
            if goal is not None:
                found[goal.key].append((outcome.name, figure))
    return found


def goal_table(outcomes: list[Outcome]) -> list[str]:
    """Every row of issue 13's goal table: its figures from this run with ratio and verdict, or why there are none."""
    status = {o.name: o for o in outcomes}
    lines = ["", "## Issue 13's goal table", "", "| figure | baseline | goal | measured (value / baseline = ratio) | met |",
             "|---|---|---|---|---|"]
    for goal in GOALS:
        found = _by_goal(outcomes)[goal.key]
        if found:
            measured = "; ".join(_measured(n, f) for n, f in found)
            marks = " ".join(verdict(f, n) for n, f in found)
        else:
            why = [f"bench/{s}.py {status[s].status}" + (f" ({status[s].detail})" if status[s].detail else "")
                   if s in status else f"bench/{s}.py not run" for s in SOURCES.get(goal.key, ())]
            measured, marks = "not measured: " + ("; ".join(why) or "no benchmark measures it"), "–"
        lines.append("| " + " | ".join(_cell(c) for c in (goal.figure, goal.baseline, goal.goal, measured, marks)) + " |")
    return lines


def _measured(name: str, figure: dict[str, Any]) -> str:
    unit, ratio = figure.get("unit", ""), ratio_of(figure)
    text = f"{figure.get('figure')}: {_number(figure.get('value'))} {unit}".rstrip()
    if figure.get("baseline_value") is not None:
        text += f" / {_number(figure.get('baseline_value'))} {unit}".rstrip()
    if ratio is not None:
        text += f" = {ratio:.3g}×"
    return text + f" {verdict(figure, name)}"


def goals_met(outcomes: list[Outcome]) -> list[tuple[Any, str]]:
    """(goal, "met" / "not met" / "not judged" / "not measured") for every row of the goal table."""
    rows = []
    for goal in GOALS:
        verdicts = [judged(n, f) for n, f in _by_goal(outcomes)[goal.key]]
        judged_ones = [v for v in verdicts if v is not None]
        word = ("not measured" if not verdicts else "not judged" if not judged_ones
                else "met ✔" if all(judged_ones) else "not met ✘")
        rows.append((goal, word))
    return rows


# Benchmarks that read a generated store (bench/stores.py): it is made before they run, and reused.
STORE_USERS = ("rebuild", "scale", "verify_speed", "serve_memory", "postgres")


def _sizes_asked(options: list[str]) -> list[int]:
    """The store sizes a benchmark's options ask for: --events N (and --small N), the last of each winning
    (as argparse takes it: `--args scale="--events 5000"` overrides FULL_ARGS)."""
    last = {o: int(options[i + 1]) for i, o in enumerate(options[:-1]) if o in ("--events", "--small")}
    return [last[o] for o in ("--events", "--small") if o in last]


def prepare_stores(sizes: list[int], log=print, paths: dict[int, Path] | None = None) -> list[str]:
    """Makes (or reuses) the cached generated stores the benchmarks will ask for (their paths into `paths`);
    what happened, for the document."""
    from bench.stores import ensure

    said = []
    for size in sizes:
        path, info = ensure(size, log=log)
        if paths is not None:
            paths[size] = path
        rate = info["events"] / info["generate_seconds"] if info["generate_seconds"] else 0
        said.append(f"{info['events']:,} events (seed {info['seed']}) "
                    + ("reused from the cache " if info["reused"] else "generated ")
                    + f"`{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}`: generated at {rate:,.0f} "
                      f"events/s in {info['generate_seconds']:,.0f} s, read models caught up in "
                      f"{info['catch_up_seconds']:,.0f} s")
    return said


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--quick", action="store_true", help="smaller sizes (QUICK_ARGS) for a try-out")
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="run only this benchmark")
    parser.add_argument("--args", action="append", default=[], metavar="NAME=ARGS",
                        help='extra arguments for one benchmark, e.g. import_speed="--rows 20000"')
    parser.add_argument("--timeout", type=float, default=TIMEOUT_SECONDS, help="seconds per benchmark")
    args = parser.parse_args(argv)
    extra = {name: shlex.split(value) for name, value in (a.split("=", 1) for a in args.args)}
    names = args.only or sorted(set(discover()) | set(EXPECTED))
    started, load_start, began = datetime.now(timezone.utc), _load(), time.perf_counter()
    options = {name: (QUICK_ARGS if args.quick else FULL_ARGS).get(name, []) + extra.get(name, []) for name in names}
    say = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    paths: dict[int, Path] = {}
    try:
        stores = prepare_stores(sorted({n for name in names if name in STORE_USERS
                                        for n in _sizes_asked(options[name])}), log=say, paths=paths)
    except Exception as error:  # noqa: BLE001 - the document names it; benchmarks that need no store still run
        stores = [f"**could not be generated**: {type(error).__name__}: {error}"]
    if "rebuild" in options and "--store" not in options["rebuild"] and _sizes_asked(options["rebuild"]):
        size = _sizes_asked(options["rebuild"])[0]  # bench/rebuild.py reads the cached store (and generates none)
        if size in paths:
            options["rebuild"] += ["--store", str(paths[size])]
    outcomes = []
    for name in names:
        say(f"bench/{name}.py ...")
        outcome = run_one(name, options[name], timeout=args.timeout)
        say(f"  {outcome.status} in {outcome.seconds:,.0f} s {outcome.detail}")
        outcomes.append(outcome)
    command = os.environ.get("SPLOT_BENCH_COMMAND", "").strip() or shlex.join(["python", "bench/run_all.py", *(argv or sys.argv[1:])])
    args.output.write_text(render(outcomes, command=command, started=started, quick=args.quick,
                                  load=(load_start, _load()), stores=stores, seconds=time.perf_counter() - began),
                           encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0 if all(o.status == "ok" for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
