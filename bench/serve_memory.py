"""Server memory: the RSS of `splot serve` serving a generated store, after a warm-up of every report page (issue 13).

    PYTHONPATH=. .venv/bin/python bench/serve_memory.py --events 100000
    PYTHONPATH=. .venv/bin/python bench/serve_memory.py --events 1000000 --json   # for `make bench`

The store is a copy of the cached one of bench/stores.py (the server writes sessions and token use to it).
A coordinator user is added with a session and an API token; then `splot serve` (one process, as deployed)
is started on a free port of 127.0.0.1 and every report page is fetched once, in order: the strategy page,
both tasks' pages (now and as of a date) and their JSON reports, and every indicator-year drill-down of both
tasks (the page, and the JSON API's first page). The server's VmRSS is sampled every 0.2 s meanwhile; the
figures are its RSS after the warm-up and its peak (VmHWM). Any answer other than 200 is counted and named.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from domain.values import warsaw_today  # noqa: E402  (after ROOT is on the path)

TASKS = ("I.3.5", "III.1.3")
EMAIL = "bench-coordinator@example.org"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def credentials(data_dir: Path) -> tuple[str, str, list[tuple[str, int]]]:
    """(session cookie token, API token, the (indicator, year) drill-downs of both tasks) for a coordinator."""
    from domain.application import DEFAULT_MUNICIPALITY_ID
    from infra.container import build_container
    from infra.demo import stable_id
    from infra.settings import Settings

    container = build_container(Settings(data_dir=data_dir))
    try:
        try:
            user = container.users.get_by_email(EMAIL)
        except Exception:  # noqa: BLE001 - not there yet
            user = container.users.add(email=EMAIL, password="bench bench bench bench", role="coordinator",
                                       institution_id=stable_id("demo", "WPiR"), municipality_id=DEFAULT_MUNICIPALITY_ID)
        session = container.sessions.start(user.id)
        token = container.users.create_token(EMAIL).token
        with container.views.transaction() as tx:
            cells = [(r["indicator_code"], int(r["year"])) for r in tx.execute(
                "SELECT DISTINCT indicator_code, year FROM indicator_values WHERE task_code IN (?, ?) "
                "ORDER BY indicator_code, year", TASKS)]
    finally:
        container.close()
    return session.token, token, cells


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def warm_up(port: int, cookie: str, token: str, cells: list[tuple[str, int]]) -> tuple[int, dict[str, int], list[str]]:
    as_of = warsaw_today().isoformat()  # the Warsaw day; recorded-time bound: the store was written recently, so this reads it all
    pages = ["/strategia"] + [p for t in TASKS for p in (f"/strategia/zadania/{t}", f"/strategia/zadania/{t}?as_of={as_of}")]
    api = [p for t in TASKS for p in (f"/api/v1/strategy/tasks/{t}/report", f"/api/v1/strategy/tasks/{t}/report?as_of={as_of}")]
    pages += [f"/strategia/wskazniki/{code}/{year}" for code, year in cells]
    api += [f"/api/v1/indicators/{code}/years/{year}/events" for code, year in cells]
    statuses: dict[str, int] = {}
    odd: list[str] = []
    for path, headers in [(p, {"Cookie": f"__Host-splot_session={cookie}"}) for p in pages] + \
                         [(p, {"Authorization": f"Bearer {token}"}) for p in api]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        try:
            connection.request("GET", path, headers=headers)
            answer = connection.getresponse()
            answer.read()
            status = answer.status
        except OSError as error:
            status = 0
            odd.append(f"{path}: {error}")
        finally:
            connection.close()
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        if status != 200 and len(odd) < 10:
            odd.append(f"{path}: {status}")
    return len(pages) + len(api), statuses, odd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", action="store_true", help='print {"figures": [...]} last')
    args = parser.parse_args()
    from bench.stores import copy_of, ensure

    store, info = ensure(args.events, args.seed, log=lambda m: print(m, file=sys.stderr, flush=True))
    with tempfile.TemporaryDirectory(prefix="splot-serve-memory-") as tmp:
        data = copy_of(store, Path(tmp)) / "var"
        cookie, token, cells = credentials(data)
        port = _free_port()
        server = subprocess.Popen([sys.executable, "-c", "from infra.cli import main; main()", "serve", "--port", str(port)],
                                  cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "SPLOT_DATA_DIR": str(data)},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peak = [0.0]
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                try:
                    peak[0] = max(peak[0], rss_mb(server.pid))
                except OSError:
                    return
                stop.wait(0.2)

        try:
            _wait(port, server)
            started_rss = rss_mb(server.pid)
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            began = time.perf_counter()
            count, statuses, odd = warm_up(port, cookie, token, cells)
            seconds = time.perf_counter() - began
            after, hwm = rss_mb(server.pid), rss_mb(server.pid, "VmHWM")
        finally:
            stop.set()
            server.terminate()
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(data, ignore_errors=True)
    n = info["events"]
    figures = [
        {"figure": f"server RSS serving {n:,} events, after a warm-up of every report page", "value": after,
         "unit": "MB", "baseline": "the same server just started", "baseline_value": started_rss,
         "goal": "≤ 200 MB", "requests": count, "statuses": statuses, "warm_up_seconds": seconds},
        {"figure": f"server RSS at its peak (VmHWM) serving {n:,} events, during the warm-up", "value": max(hwm, peak[0]),
         "unit": "MB", "baseline": "the same server just started", "baseline_value": started_rss, "goal": "≤ 200 MB"},
    ]
    notes = [f"{count} report requests in {seconds:,.0f} s, answers {statuses}",
             f"the server held {started_rss:,.0f} MB before the first report ({100 * started_rss / max(after, 1):.0f} % "
             f"of its RSS after the warm-up): what it imports and loads at start, not the reports, sets this figure"] + odd
    if args.json:
        print(json.dumps({"figures": figures, "notes": notes}, ensure_ascii=False))
        return
    for f in figures:
        print(f"{f['figure']}: {f['value']:,.0f} MB (just started: {f['baseline_value']:,.0f} MB)")
    print("\n".join(notes))


def _wait(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 900  # a server on an old store may catch its read models up first
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"splot serve exited with {proc.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/v1/health")
            if connection.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("splot serve did not answer within 900 s")


if __name__ == "__main__":
    main()
