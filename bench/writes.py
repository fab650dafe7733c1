"""Durable writes through the real API, beside a bare FastAPI endpoint, in the same run (issue 13).

    .venv/bin/python bench/writes.py                 # SQLite, fresh store, with and without Idempotency-Key
    .venv/bin/python bench/writes.py --json          # the same, one JSON object for `make bench`
    .venv/bin/python bench/writes.py --large 100000  # also on a store of that many events (takes minutes)
    .venv/bin/python bench/writes.py --postgres      # also on a PostgreSQL 15 server this script starts
    .venv/bin/python bench/writes.py --seconds 20    # longer runs per figure (default 8)
    .venv/bin/python bench/writes.py --workers 2     # also with 2 server processes (`splot serve --workers 2`)

Each figure starts a real server process on 127.0.0.1 (`splot serve` over a fresh SQLite store with a
few institutions and a staff token; the baseline `bench/bare_endpoint.py` under uvicorn) and sends
POST requests from CLIENTS (32) concurrent keep-alive connections for the given seconds, after a
warm-up second. Splot's requests are real meetings (bearer token, validation, reference and year checks,
the audit chain, idempotency when asked, the read models kept current by the server's own thread), dated
across 2010-2024. Throughput counts the 2xx answers; any other answer is an error and is reported.

The load comes from one asyncio process speaking minimal HTTP/1.1 over raw streams: on 2 cores a client
library's own cost (httpx takes about a core for 1k req/s) would be measured as the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CLIENTS = 32
GOAL = "≥ 1.5× the baseline, ≥ 2,000/s, p99 ≤ 50 ms"


# ---------------------------------------------------------------- load
@dataclass
class Result:
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # the server process's CPU time (user + system) over the measured window
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    sample_error: str = ""

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        """Server CPU per answered request: steadier than req/s on a machine shared with other work."""
        return self.cpu_seconds / self.ok * 1000 if self.ok else float("nan")

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


async def _request(reader, writer, raw: bytes) -> tuple[int, bytes]:
    writer.write(raw)
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return status, body


def _raw(port: int, path: str, body: dict, headers: dict[str, str]) -> bytes:
    payload = json.dumps(body).encode()
    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Content-Type: application/json",
            f"Content-Length: {len(payload)}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + payload


def _cpu(pid: int | None) -> float:
    """CPU seconds (user + system) of the process and its live descendants (the workers of `serve --workers N`)."""
    if pid is None:
        return 0.0
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # exited meanwhile
    family, total = {pid}, 0.0
    for _ in range(4):  # a few generations are enough (serve -> uvicorn workers)
        family |= {p for p, fields in stats.items() if int(fields[1]) in family}
    for p in family:
        if p in stats:
            total += int(stats[p][11]) + int(stats[p][12])
    return total / os.sysconf("SC_CLK_TCK")


async def _load(port: int, make: Callable[[int, int], bytes], seconds: float, warmup: float,
                pid: int | None = None) -> Result:
    result = Result()
    start = time.perf_counter()
    measure_from, stop_at = start + warmup, start + warmup + seconds

    async def meter() -> None:
        await asyncio.sleep(warmup)
        before = _cpu(pid)
        await asyncio.sleep(max(0.0, stop_at - time.perf_counter()))
        result.cpu_seconds = _cpu(pid) - before

    async def client(index: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        n = 0
        try:
            while True:
                sent = time.perf_counter()
                if sent >= stop_at:
                    return
                try:
                    status, body = await _request(reader, writer, make(index, n))
                except (ConnectionError, asyncio.IncompleteReadError) as error:  # the server closed it: reconnect
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    status, body = 0, f"connection lost: {error!r}".encode()
                n += 1
                done = time.perf_counter()
                if sent < measure_from:
                    continue
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if 200 <= status < 300:
                    result.ok += 1
                    result.latencies.append(done - sent)
                else:
                    result.errors += 1
                    result.sample_error = result.sample_error or body[:300].decode(errors="replace")
        finally:
            writer.close()

    await asyncio.gather(meter(), *(client(i) for i in range(CLIENTS)))
    result.seconds = time.perf_counter() - measure_from
    return result


def run_load(port: int, make: Callable[[int, int], bytes], seconds: float, warmup: float = 1.0,
             pid: int | None = None) -> Result:
    return asyncio.run(_load(port, make, seconds, warmup, pid))


# ---------------------------------------------------------------- servers
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int, proc: subprocess.Popen, path: str) -> None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                if s.recv(12).startswith(b"HTTP/1.1"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not answer within 600 s")


class Server:
    def __init__(self, args: list[str], env: dict[str, str], ready_path: str) -> None:
        self.port = _free_port()
        self.proc = subprocess.Popen([*args, "--port", str(self.port)], cwd=ROOT,
                                     env={**os.environ, "PYTHONPATH": str(ROOT), **env},
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(self.port, self.proc, ready_path)

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def splot_server(env: dict[str, str], workers: int = 1) -> Server:
    return Server([sys.executable, "-c", "from infra.cli import main; main()", "serve",
                   *(["--workers", str(workers)] if workers > 1 else [])], env, "/api/v1/health")


def bare_server(env: dict[str, str]) -> Server:
    # uvicorn's defaults, as `splot serve` runs it (INFO, an access-log line per request)
    return Server([sys.executable, "-m", "uvicorn", "bench.bare_endpoint:create_app", "--factory",
                   "--log-level", "info"], env, "/docs")


# ---------------------------------------------------------------- stores
@dataclass
class Store:
    env: dict[str, str]  # the server's environment (SPLOT_DATA_DIR / SPLOT_DATABASE_URL)
    token: str
    organiser: str
    partner: str
    firm: str


def prepare_store(tmp: Path, database_url: str | None = None, extra_events: int = 0) -> Store:
    from domain.application import DEFAULT_NETWORK_ID
    from infra.container import open_container
    from infra.settings import Settings
    from tests.support.world import build_world

    settings = Settings(data_dir=tmp / "var", database_url=database_url)
    with open_container(settings) as container:
        world = build_world(container, DEFAULT_NETWORK_ID)
        if extra_events:
            fill(container, world, extra_events)
    env = {"SPLOT_DATA_DIR": str(tmp / "var")}
    if database_url:
        env["SPLOT_DATABASE_URL"] = database_url
    return Store(env, world.tokens["staff"], str(world.riph), str(world.citt), str(world.firm_a))


def fill(container, world, events: int) -> None:
    """`events` more events in the log: contacts through the domain, saved 500 to a transaction, then the
    read models brought up to date (so the server starts on a store of that size, projected)."""
    from domain.application import DEFAULT_NETWORK_ID
    from domain.values import Actor

    actor = Actor("bench")
    app, batch = container.app, []
    for i in range(events):
        batch.append(app.records.prepare("contact", {
            "network_id": DEFAULT_NETWORK_ID, "occurred_on": date(2010 + i % 15, 1 + i % 12, 1 + i % 28),
            "institution_id": world.riph, "with_institution_id": world.citt, "channel": "phone",
            "summary": f"kontakt {i}"}, actor))
        if len(batch) == 500:
            app.save(*batch)
            batch = []
    if batch:
        app.save(*batch)
    container.runner.catch_up()


def meeting_request(store: Store, port: int, keyed: bool) -> Callable[[int, int], bytes]:
    def make(client: int, n: int) -> bytes:
        day = date(2010 + (client + n) % 15, 1 + n % 12, 1 + client % 28)
        body = {"occurred_on": day.isoformat(), "title": f"Spotkanie {client}-{n}", "kind": "network_meeting",
                "organiser_id": store.organiser, "institution_ids": [store.partner], "firm_ids": [store.firm]}
        headers = {"Authorization": f"Bearer {store.token}"}
        if keyed:
            headers["Idempotency-Key"] = uuid.uuid4().hex
        return _raw(port, "/api/v1/meetings", body, headers)
    return make


def bare_request(port: int) -> Callable[[int, int], bytes]:
    def make(client: int, n: int) -> bytes:
        return _raw(port, "/items", {"title": f"Spotkanie {client}-{n}", "occurred_on": "2012-03-05"}, {})
    return make


# ---------------------------------------------------------------- PostgreSQL
class Postgres:
    """A throwaway PostgreSQL server (Debian's postgresql-15 binaries), durable settings (fsync on)."""

    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            raise SystemExit("PostgreSQL server binaries not installed (apt-get install postgresql-15)")
        self.bin = Path(found[-1]).parent
        self.root = Path(tempfile.mkdtemp(prefix="splot-bench-pg-"))
        self.run_as: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            self.run_as = ["runuser", "-u", "postgres", "--"]
        self.port = _free_port()
        data = self.root / "data"
        subprocess.run([*self.run_as, str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                        "-E", "UTF8"], check=True, capture_output=True)
        subprocess.run([*self.run_as, str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(self.root / "log"), "-w",
                        "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200",
                        "start"], check=True, capture_output=True)

    def database(self) -> str:
        import psycopg

        name = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f"CREATE DATABASE {name}")
        return name

    def close(self) -> None:
        subprocess.run([*self.run_as, str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "stop"],
                       capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


# ---------------------------------------------------------------- figures
def measure_bare(env: dict[str, str], seconds: float) -> Result:
    server = bare_server(env)
    try:
        return run_load(server.port, bare_request(server.port), seconds, pid=server.proc.pid)
    finally:
        server.close()


def measure_splot(store: Store, seconds: float, keyed: bool, workers: int = 1) -> Result:
    server = splot_server(store.env, workers)
    try:
        return run_load(server.port, meeting_request(store, server.port, keyed), seconds, pid=server.proc.pid)
    finally:
        server.close()


def figure(name: str, splot: Result, bare: Result, baseline: str) -> list[dict]:
    ratio = splot.rate / bare.rate if bare.rate else 0.0
    return [
        {"figure": f"{name}: writes/s", "value": round(splot.rate, 1), "unit": "req/s", "baseline": baseline,
         "baseline_value": round(bare.rate, 1), "ratio": round(ratio, 3), "goal": GOAL,
         "errors": splot.errors, "statuses": splot.statuses},
        {"figure": f"{name}: p99 latency", "value": round(splot.pct(99), 1), "unit": "ms", "baseline": baseline,
         "baseline_value": round(bare.pct(99), 1), "goal": "p99 ≤ 50 ms", "p50": round(splot.pct(50), 1)},
        {"figure": f"{name}: server CPU per write", "value": round(splot.cpu_ms, 2), "unit": "ms",
         "baseline": baseline, "baseline_value": round(bare.cpu_ms, 2), "goal": "—"},
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per figure (default 8)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--large", type=int, default=0, metavar="EVENTS", help="also on a store of EVENTS events")
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL 15 (started here)")
    parser.add_argument("--no-keyed", action="store_true", help="skip the Idempotency-Key figure")
    parser.add_argument("--workers", type=int, default=0, metavar="N",
                        help="also with N server processes (`splot serve --workers N`), on SQLite and with "
                             "--postgres on PostgreSQL")
    parser.add_argument("--repeat", type=int, default=1, help="pairs (baseline, Splot) per figure; the pair with "
                                                              "the median ratio is reported, every pair in --json")
    args = parser.parse_args()
    figures: list[dict] = []
    notes: list[str] = []
    baseline = "bare FastAPI endpoint saving one eventsourcing aggregate per request, same run"

    def report(name: str, run_splot: Callable[[], Result], run_bare: Callable[[], Result]) -> None:
        pairs = []
        for _ in range(max(1, args.repeat)):  # alternated, so a busier minute of the machine hits both
            bare_run = run_bare()
            pairs.append((run_splot(), bare_run))
        pairs.sort(key=lambda p: p[0].rate / p[1].rate if p[1].rate else 0.0)
        splot, bare = pairs[len(pairs) // 2]
        figures.extend(figure(name, splot, bare, baseline))
        if len(pairs) > 1:
            figures[-3]["runs"] = [{"value": round(a.rate, 1), "baseline_value": round(b.rate, 1)} for a, b in pairs]
        if splot.errors:
            notes.append(f"{name}: {splot.errors} errors {splot.statuses}: {splot.sample_error}")
        if not args.json:
            print(f"{name:<46} {splot.rate:8.0f} req/s  p50 {splot.pct(50):6.1f} ms  p99 {splot.pct(99):7.1f} ms"
                  f"  cpu {splot.cpu_ms:5.1f} ms/req  | baseline {bare.rate:6.0f} req/s p99 {bare.pct(99):6.1f} ms"
                  f" cpu {bare.cpu_ms:4.1f} ms/req | ratio {splot.rate / bare.rate:.2f}  errors {splot.errors}",
                  flush=True)

    with tempfile.TemporaryDirectory(prefix="splot-bench-writes-") as tmp_name:
        tmp = Path(tmp_name)
        seconds, bares = args.seconds, iter(range(10**6))

        def bare_sqlite() -> Result:  # a fresh baseline store each run, like Splot's fresh store
            return measure_bare({"BARE_SQLITE": str(tmp / f"bare{next(bares)}.sqlite3")}, seconds)

        store = prepare_store(tmp / "fresh")
        report("POST /meetings, SQLite FULL, fresh store", lambda: measure_splot(store, seconds, False), bare_sqlite)
        if not args.no_keyed:
            report("the same with Idempotency-Key", lambda: measure_splot(store, seconds, True), bare_sqlite)
        if args.workers > 1:
            report(f"the same with {args.workers} server processes", lambda: measure_splot(store, seconds, False,
                                                                                            args.workers), bare_sqlite)
        if args.large:
            big = prepare_store(tmp / "large", extra_events=args.large)
            report(f"the same on a store of {args.large:,} more events", lambda: measure_splot(big, seconds, False),
                   bare_sqlite)
        if args.postgres:
            pg = Postgres()
            try:
                url = f"postgresql://postgres@127.0.0.1:{pg.port}/{pg.database()}"
                pg_store = prepare_store(tmp / "pg", database_url=url)
                def bare_pg() -> Result:
                    return measure_bare({"BARE_POSTGRES": f"host=127.0.0.1 port={pg.port} user=postgres "
                                                          f"dbname={pg.database()}"}, seconds)

                report("the same on PostgreSQL 15", lambda: measure_splot(pg_store, seconds, False), bare_pg)
                if args.workers > 1:
                    report(f"the same on PostgreSQL 15 with {args.workers} server processes",
                           lambda: measure_splot(pg_store, seconds, False, args.workers), bare_pg)
            finally:
                pg.close()
    if args.json:
        print(json.dumps({"figures": figures, "notes": notes, "clients": CLIENTS, "seconds": args.seconds},
                         ensure_ascii=False))
    else:
        for note in notes:
            print("note:", note)


if __name__ == "__main__":
    main()
