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
(✔ met, ✘ not met, – not judged by the benchmark).
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
# The benchmarks the issue asks for (their figures are the acceptance): named in the document even when absent.
EXPECTED = ("writes", "rebuild", "import_speed")
QUICK_ARGS = {"writes": ["--seconds", "3", "--no-keyed"], "import_speed": ["--rows", "5000", "--api-rows", "300"],
              "rebuild": ["--events", "20000"]}
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


def ratio_of(figure: dict[str, Any]) -> float | None:
    if isinstance(figure.get("ratio"), (int, float)):
        return float(figure["ratio"])
    value, base = figure.get("value"), figure.get("baseline_value")
    if isinstance(value, (int, float)) and isinstance(base, (int, float)) and base:
        return value / base
    return None


def verdict(figure: dict[str, Any]) -> str:
    met = figure.get("met")
    return "✔" if met is True else "✘" if met is False else "–"


def _cell(text: Any) -> str:
    return str(text if text not in (None, "") else "–").replace("|", "\\|").replace("\n", " ")


def render(outcomes: list[Outcome], *, command: str, started: datetime, quick: bool,
           machine_info: dict[str, str] | None = None, version_info: dict[str, str] | None = None) -> str:
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
             "- Versions: " + ", ".join(f"{k} {v}" for k, v in version_info.items()), "",
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
                f"{ratio:.3g}" if ratio is not None else "–", figure.get("goal"), verdict(figure))) + " |")
    if not any(o.figures for o in outcomes):
        lines.append("| – | no benchmark produced figures | | | | | | |")
    lines += ["", "## Benchmarks run", "", "| benchmark | status | seconds | command |", "|---|---|---|---|"]
    for outcome in outcomes:
        shown = "ok" if outcome.status == "ok" else f"**{outcome.status}**: {outcome.detail}"
        lines.append(f"| {outcome.name} | {_cell(shown)} | {outcome.seconds:,.0f} | "
                     f"`{_cell(shlex.join(outcome.command))}` |")
    figures = [(o.name, f) for o in outcomes for f in o.figures]
    met = [f for _, f in figures if f.get("met") is True]
    missed = [(n, f) for n, f in figures if f.get("met") is False]
    lines += ["", "## Closing note", "",
              f"{len(met)} of {len(figures)} figures meet their goal; {len(missed)} do not; "
              f"{len(figures) - len(met) - len(missed)} are not judged by their benchmark."]
    absent = [o for o in outcomes if o.status != "ok"]
    if absent:
        lines.append("Not measured in this run: " + "; ".join(f"{o.name} ({o.status})" for o in absent) + ".")
    for name, figure in missed:
        lines.append(f"- ✘ {name}: {figure.get('figure')} — {_number(figure.get('value'))} {figure.get('unit', '')} "
                     f"against the goal {figure.get('goal')}.")
    notes = [(o.name, n) for o in outcomes for n in o.notes]
    if notes:
        lines += ["", "Notes from the benchmarks (what limits a figure, and what would change it):", ""]
        lines += [f"- {name}: {note}" for name, note in notes]
    return "\n".join(lines) + "\n"


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
    started = datetime.now(timezone.utc)
    outcomes = []
    for name in names:
        print(f"bench/{name}.py ...", file=sys.stderr, flush=True)
        options = (QUICK_ARGS.get(name, []) if args.quick else []) + extra.get(name, [])
        outcome = run_one(name, options, timeout=args.timeout)
        print(f"  {outcome.status} in {outcome.seconds:,.0f} s {outcome.detail}", file=sys.stderr, flush=True)
        outcomes.append(outcome)
    command = os.environ.get("SPLOT_BENCH_COMMAND", "").strip() or shlex.join(["python", "bench/run_all.py", *(argv or sys.argv[1:])])
    args.output.write_text(render(outcomes, command=command, started=started, quick=args.quick), encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0 if all(o.status == "ok" for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
