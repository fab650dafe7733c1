"""The crash suite (issue 11): writers through the real server, the server and the separate
projection worker SIGKILLed at random moments, and after every restart the promise checked.

`run(settings, work_dir, seed=..., kills=...)` builds the API test world in the store, starts the
server and the worker, and repeats: writers write for a random while, the server, the worker or
both are killed, the killed ones are started again, each writer's write that was cut off is
resolved (a keyed one retried with its key: it must answer 2xx; an unkeyed one may exist 0 or 1
times), and `checks.check_store` runs. Everything random comes from the seed, so a failure names
`SPLOT_CRASH_SEED=<seed>`; process timing still varies from run to run.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from domain.application import DEFAULT_NETWORK_ID
from infra.container import open_container
from infra.settings import Settings
from tests.crash.checks import check_store
from tests.crash.processes import Server, Worker
from tests.crash.workload import ACKED, MAYBE, V1, Base, Ledger, Write, Writer
from tests.support.world import build_world

WRITERS = 3


@dataclass
class Report:
    seed: int
    store: str
    kills: dict[str, int] = field(default_factory=lambda: {"server": 0, "worker": 0, "both": 0})
    acknowledged: dict[str, int] = field(default_factory=dict)  # op -> count, keyed or not
    acknowledged_keyed: int = 0
    cut_off: int = 0  # writes whose connection dropped
    keys_resolved: dict[str, int] = field(default_factory=lambda: {"replayed": 0, "written": 0})
    unkeyed_cut_off_found: dict[str, int] = field(default_factory=lambda: {"0": 0, "1": 0})
    lost_keys: set[str] = field(default_factory=set)  # client keys of acknowledged writes found 0 times
    doubled_keys: set[str] = field(default_factory=set)  # client keys found more than once
    checks: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return len(self.lost_keys)

    @property
    def doubled(self) -> int:
        return len(self.doubled_keys)

    @property
    def total_kills(self) -> int:
        return sum(self.kills.values())

    def summary(self) -> str:
        acked = sum(self.acknowledged.values())
        ops = ", ".join(f"{op} {n}" for op, n in sorted(self.acknowledged.items()))
        return (f"crash suite [{self.store}] SPLOT_CRASH_SEED={self.seed}: {self.total_kills} kills (server "
                f"{self.kills['server']}, worker {self.kills['worker']}, both {self.kills['both']}), {self.checks} "
                f"checks, {acked} writes acknowledged ({ops}; {self.acknowledged_keyed} with a key), "
                f"{self.cut_off} cut off, keys resolved after a crash {sum(self.keys_resolved.values())} "
                f"(replayed {self.keys_resolved['replayed']}, written on retry {self.keys_resolved['written']}), "
                f"unkeyed cut-off writes found 0x {self.unkeyed_cut_off_found['0']} / 1x "
                f"{self.unkeyed_cut_off_found['1']}, lost {self.lost}, doubled {self.doubled}, "
                f"problems {len(self.problems)}, {self.seconds:.0f} s")


def _worker_ready(worker: Worker, timeout: float = 120) -> None:
    """The worker has started and finished its first catch-up (it prints its position)."""
    deadline = time.monotonic() + timeout
    log = worker.log_dir / "worker.log"
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        if text.rsplit(f"--- start {worker.starts} ---", 1)[-1].find("Read models at notification") >= 0:
            return
        if not worker.alive():
            raise AssertionError(f"the projection worker exited; see {log}")
        time.sleep(0.1)
    raise AssertionError(f"the projection worker did not catch up within {timeout:.0f} s")


def _resolve(writer: Writer, base: Base, report: Report) -> None:
    """A write cut off by the kill: retried with its key (must answer 2xx), or, without one, left as
    'maybe' with its record read back so that the writer knows its version."""
    write = writer.unresolved
    if write is None:
        return
    report.cut_off += 1
    if write.idempotency_key:
        with httpx.Client() as client:
            response = writer.send(client, write)
            again = writer.send(client, write) if 200 <= response.status_code < 300 else None
        if again is not None and (again.status_code != response.status_code or again.json()["id"] != response.json()["id"]
                                  or again.headers.get("Idempotent-Replayed") != "true"):
            report.problems.append(f"cut-off {write.op} {write.ck}: a second retry answered {again.status_code} "
                                   f"{again.text[:200]} after {response.status_code} {response.text[:200]}")
        if 200 <= response.status_code < 300:
            write.resolved_by_retry = "replayed" if response.headers.get("Idempotent-Replayed") == "true" else "written"
            report.keys_resolved[write.resolved_by_retry] += 1
            writer.apply(write, response)
        else:
            write.state = "refused"
            report.problems.append(f"the retry of cut-off {write.op} {write.ck} (key {write.idempotency_key}) "
                                   f"answered {response.status_code}: {response.text[:300]}")
            if write.record_id in writer.records:
                writer.records[write.record_id].uncertain = True
    else:
        write.state = MAYBE
        if write.record_id in writer.records:
            writer.records[write.record_id].uncertain = True
    writer.unresolved = None
    for record_id, own in writer.records.items():  # read back what an unkeyed or refused write left unsure
        if own.uncertain:
            got = httpx.get(f"{base.url}{V1}/records/{record_id}", headers=writer.headers, timeout=60)
            if got.status_code != 200:
                report.problems.append(f"record {record_id} ({own.ck}) answered {got.status_code} on reading back")
                continue
            own.version, own.retracted, own.uncertain = got.json()["version"], got.json()["status"] == "retracted", False


def run(settings: Settings, work_dir: Path, *, seed: int, kills: int, fault: str | None = None,
        min_load: float = 0.3, max_load: float = 1.5, writers: int = WRITERS, think: float = 0.0) -> Report:
    started = time.monotonic()
    rng = random.Random(seed)
    report = Report(seed=seed, store="postgres" if settings.database_url else "sqlite")
    work_dir.mkdir(parents=True, exist_ok=True)
    with open_container(settings) as container:
        world = build_world(container, DEFAULT_NETWORK_ID)
    fault_env = {"SPLOT_CRASH_FAULT": fault} if fault else {}
    server, worker = Server(settings, work_dir, **fault_env), Worker(settings, work_dir)
    base, ledger = Base(), Ledger()
    stop, serving = threading.Event(), threading.Event()
    threads = [Writer(i, seed, base, ledger, world, world.tokens["staff"], stop, serving, think)
               for i in range(writers)]
    checked_upto = 0  # ledger index up to which every acknowledged record was read back one by one
    try:
        server.start(), worker.start()
        server.wait_ready(), _worker_ready(worker)
        base.url = server.url
        for writer in threads:
            writer.start()
        for cycle in range(kills):
            for writer in threads:
                writer.cycle = cycle
            serving.set()
            time.sleep(rng.uniform(min_load, max_load))
            target = "server" if cycle == 0 else rng.choice(["server", "worker", "both"])
            if target in ("server", "both"):
                server.kill()
            if target in ("worker", "both"):
                worker.kill()
            report.kills[target] += 1
            serving.clear()
            for writer in threads:
                assert writer.idle.wait(120), f"writer {writer.index} did not stop"
            if not server.alive():
                server.start()
            if not worker.alive():
                worker.start()
            server.wait_ready(), _worker_ready(worker)
            base.url = server.url
            for writer in threads:
                _resolve(writer, base, report)
            final = cycle == kills - 1
            checked_upto = check_store(settings, base.url, world, ledger, report, checked_upto, rng, full=final)
            report.checks += 1
    finally:
        stop.set(), serving.set()
        for writer in threads:
            writer.join(timeout=60)
        server.stop(), worker.stop()
        report.problems += ledger.errors
        for write in ledger.writes:
            if write.state == ACKED:
                report.acknowledged[write.op] = report.acknowledged.get(write.op, 0) + 1
                report.acknowledged_keyed += write.idempotency_key is not None
        report.seconds = time.monotonic() - started
    return report

