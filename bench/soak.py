"""The soak run (issue 11): `splot serve` on 127.0.0.1 over a fresh SQLite store under mixed load for
SOAK_MINUTES (default 30), recording every request's outcome and latency and the server's RSS.

    make soak                      # 30 minutes
    SOAK_MINUTES=10 make soak      # shorter; SOAK_CLIENTS (4), SOAK_THINK (0.05 s), SOAK_OUTPUT (docs/soak.json)

The load, from SOAK_CLIENTS threads each pausing up to SOAK_THINK between requests: writes (contacts
and meetings, half with an Idempotency-Key, dated across 2009-2025; corrections and retractions of
the thread's own records), reads (a record, the register, a task report, an indicator's drill-down)
and exports (the pages' downloads: a task report as CSV, XLSX and PDF, a drill-down and the register
of a year as CSV; the JSON API's audit CSV of the last two minutes). Exports read one year or a
recent window, so their size stays about constant while the store grows.

Per minute: requests, errors (any answer but the expected 2xx, or none), p50/p95/p99/max latency
overall and per class (write, read, export), and the server's RSS (VmRSS of its process). At the
end `splot verify` and `splot verify --read-models` run over the store, and a summary is written to
SOAK_OUTPUT (JSON). Exit 1 when errors > 0, when latency is not stable (the median per-minute p95 of
the last third more than twice that of the first third) or when memory is not bounded (RSS at the
end more than 1.25 x RSS after minute 2, plus 25 MB).
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import httpx

from domain.application import DEFAULT_NETWORK_ID
from infra.container import open_container
from infra.settings import Settings
from tests.support.world import build_world

ROOT = Path(__file__).resolve().parents[1]
MINUTES = float(os.environ.get("SOAK_MINUTES", "30"))
CLIENTS = int(os.environ.get("SOAK_CLIENTS", "4"))
THINK = float(os.environ.get("SOAK_THINK", "0.05"))
OUTPUT = Path(os.environ.get("SOAK_OUTPUT", ROOT / "docs" / "soak.json"))
V1 = "/api/v1"
INDICATORS = ("III.1.3.W2", "III.1.3.W3", "III.1.3.W4", "I.3.5.W1")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# (operation, class, weight)
MIX = [("contact", "write", 18), ("meeting", "write", 6), ("correction", "write", 8), ("retraction", "write", 1),
       ("record", "read", 10), ("register", "read", 8), ("task_report", "read", 8), ("drill_down", "read", 8),
       ("task_csv", "export", 3), ("task_xlsx", "export", 2), ("task_pdf", "export", 1),
       ("drill_down_csv", "export", 3), ("register_csv", "export", 2), ("audit_csv", "export", 3)]


class Soak:
    def __init__(self, url: str, world, page_cookies: str, seed: int) -> None:
        self.url, self.world, self.cookies = url, world, page_cookies
        self.samples: list[tuple[float, str, str, float, bool]] = []  # (t, op, class, seconds, ok)
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.seed = seed
        self.started = time.monotonic()

    def headers(self, role: str = "staff", **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.world.tokens[role]}", **extra}

    def client_loop(self, index: int) -> None:
        rng = random.Random(self.seed * 100 + index)
        mine: dict[str, tuple[str, int]] = {}  # record id -> (kind, version)
        ops, weights = [m[0] for m in MIX], [m[2] for m in MIX]
        classes = {m[0]: m[1] for m in MIX}
        n = 0
        with httpx.Client(base_url=self.url, timeout=120) as client:
            while not self.stop.is_set():
                op = rng.choices(ops, weights)[0]
                n += 1
                started = time.monotonic()
                try:
                    ok, what = self.one(client, op, rng, mine, f"{index}-{n}")
                except httpx.HTTPError as error:
                    ok, what = False, f"{type(error).__name__}: {error}"
                elapsed = time.monotonic() - started
                with self.lock:
                    self.samples.append((started - self.started, op, classes[op], elapsed, ok))
                    if not ok:
                        self.errors.append(f"{op}: {what}"[:400])
                if THINK:
                    time.sleep(rng.uniform(0, THINK))

    def one(self, client: httpx.Client, op: str, rng: random.Random, mine: dict, tag: str) -> tuple[bool, str]:
        w, year = self.world, rng.randint(2009, 2025)  # the world's institutions joined in 2009
        day = date(year, rng.randint(1, 12), rng.randint(1, 28)).isoformat()
        key = {"Idempotency-Key": f"soak-{self.seed}-{tag}"} if rng.random() < 0.5 else {}
        if op == "correction" and not mine or op == "retraction" and len(mine) < 20:
            op = "contact"
        if op == "record" and not mine:
            op = "register"
        if op == "contact":
            r = client.post(f"{V1}/contacts", headers=self.headers(**key), json={
                "occurred_on": day, "institution_id": str(w.riph), "with_institution_id": str(w.citt),
                "channel": rng.choice(["phone", "email"]), "summary": f"Kontakt soak {tag}"})
        elif op == "meeting":
            r = client.post(f"{V1}/meetings", headers=self.headers(**key), json={
                "occurred_on": day, "title": f"Spotkanie soak {tag}", "kind": "network_meeting",
                "organiser_id": str(w.riph), "institution_ids": [str(w.citt)], "firm_ids": [str(w.firm_a)]})
        elif op in ("correction", "retraction"):
            record_id = rng.choice(list(mine))
            kind, version = mine[record_id]
            if op == "correction":
                field = "summary" if kind == "contact" else "title"
                body = {"expected_version": version, "reason": f"Poprawka {tag}", "changes": {field: f"Poprawione {tag}"}}
            else:
                body = {"expected_version": version, "reason": f"Wycofanie {tag}"}
            r = client.post(f"{V1}/records/{record_id}/{op}s", headers=self.headers(**key), json=body)
            if r.status_code == 200:
                if op == "retraction":
                    mine.pop(record_id)
                else:
                    mine[record_id] = (kind, r.json()["version"])
            return r.status_code == 200, f"{r.status_code} {r.text[:200]}"
        elif op == "record":
            r = client.get(f"{V1}/records/{rng.choice(list(mine))}", headers=self.headers())
        elif op == "register":
            r = client.get(f"{V1}/records", params={"year": year, "limit": 50}, headers=self.headers())
        elif op == "task_report":
            r = client.get(f"{V1}/strategy/tasks/{rng.choice(['III.1.3', 'I.3.5'])}/report", headers=self.headers())
        elif op == "drill_down":
            r = client.get(f"{V1}/indicators/{rng.choice(INDICATORS)}/years/{year}/events", headers=self.headers())
        elif op in ("task_csv", "task_xlsx", "task_pdf"):
            r = client.get(f"/strategia/zadania/{rng.choice(['III.1.3', 'I.3.5'])}/pobierz/{op[5:]}",
                           headers={"Cookie": self.cookies})
        elif op == "drill_down_csv":
            r = client.get(f"/strategia/wskazniki/{rng.choice(INDICATORS)}/{year}/pobierz/csv",
                           headers={"Cookie": self.cookies})
        elif op == "register_csv":
            r = client.get("/wpisy/pobierz/csv", params={"year": year}, headers={"Cookie": self.cookies})
        elif op == "audit_csv":
            since = (datetime.now(timezone.utc) - timedelta(minutes=2)).isoformat(timespec="seconds")
            r = client.get(f"{V1}/audit/entries.csv", params={"recorded_from": since}, headers=self.headers("auditor"))
        else:  # pragma: no cover
            raise AssertionError(op)
        if op in ("contact", "meeting") and r.status_code == 201:
            mine[r.json()["id"]] = (op, r.json()["version"])
        ok = 200 <= r.status_code < 300 and (op not in ("task_pdf",) or r.content[:4] == b"%PDF")
        return ok, f"{r.status_code} {r.text[:200]}"


def sign_in(url: str, email: str, password: str = "correct horse battery") -> str:
    """Signs in through the pages' form; returns the Cookie header (the `__Host-` cookies are Secure, which
    httpx would not send over http, so they are carried by hand)."""
    with httpx.Client(base_url=url, timeout=60) as client:
        form = client.get("/login")
        token = CSRF.search(form.text).group(1)
        jar = {c.split("=", 1)[0]: c.split("=", 1)[1].split(";", 1)[0] for c in form.headers.get_list("set-cookie")}
        answer = client.post("/login", data={"csrf_token": token, "email": email, "password": password, "next": "/"},
                             headers={"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}, follow_redirects=False)
        assert answer.status_code == 303, answer.text[:500]
        jar |= {c.split("=", 1)[0]: c.split("=", 1)[1].split(";", 1)[0] for c in answer.headers.get_list("set-cookie")}
    return "; ".join(f"{k}={v}" for k, v in jar.items() if v and v != '""')


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ms = sorted(v * 1000 for v in values)
    q = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else [ms[0]] * 99
    return {"n": len(ms), "p50_ms": round(q[49], 1), "p95_ms": round(q[94], 1), "p99_ms": round(q[98], 1),
            "max_ms": round(ms[-1], 1)}


def summarise(soak: Soak, rss: list[tuple[float, float]], minutes: int) -> list[dict]:
    rows = []
    for minute in range(minutes):
        inside = [s for s in soak.samples if minute * 60 <= s[0] < (minute + 1) * 60]
        by_class = defaultdict(list)
        for s in inside:
            by_class[s[2]].append(s[3])
        at = [mb for t, mb in rss if t <= (minute + 1) * 60]
        rows.append({"minute": minute + 1, "requests": len(inside), "errors": sum(not s[4] for s in inside),
                     **percentiles([s[3] for s in inside]),
                     "by_class": {c: percentiles(v) for c, v in sorted(by_class.items())},
                     "rss_mb": round(at[-1], 1) if at else None})
    return rows


def verdicts(rows: list[dict], errors: int) -> dict:
    p95 = [r["p95_ms"] for r in rows if "p95_ms" in r]
    third = max(1, len(p95) // 3)
    first, last = statistics.median(p95[:third]), statistics.median(p95[-third:])
    rss = [r["rss_mb"] for r in rows if r["rss_mb"] is not None]
    after_warm_up = rss[1] if len(rss) > 1 else rss[0]
    return {"errors_zero": errors == 0,
            "latency_stable": last <= 2 * first, "p95_first_third_ms": first, "p95_last_third_ms": last,
            "memory_bounded": rss[-1] <= 1.25 * after_warm_up + 25, "rss_after_minute_2_mb": after_warm_up,
            "rss_end_mb": rss[-1], "rss_max_mb": max(rss)}


def main() -> int:
    seed = int(os.environ.get("SOAK_SEED") or random.SystemRandom().randrange(1, 10**6))
    with tempfile.TemporaryDirectory(prefix="splot-soak-") as tmp:
        data_dir = Path(tmp) / "var"
        settings = Settings(data_dir=data_dir)
        with open_container(settings) as container:
            world = build_world(container, DEFAULT_NETWORK_ID)
        port = int(os.environ.get("SOAK_PORT") or 0) or _free_port()
        env = {**os.environ, "SPLOT_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
        env.pop("SPLOT_DATABASE_URL", None)
        server = subprocess.Popen([sys.executable, "-c", "from infra.cli import main; main()", "serve", "--port",
                                   str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait(url, server)
            soak = Soak(url, world, sign_in(url, "staff@example.org"), seed)
            load_start = os.getloadavg()
            threads = [threading.Thread(target=soak.client_loop, args=(i,), daemon=True) for i in range(CLIENTS)]
            for t in threads:
                t.start()
            rss: list[tuple[float, float]] = []
            end = soak.started + MINUTES * 60
            while time.monotonic() < end:
                time.sleep(min(5, max(0.0, end - time.monotonic())))
                rss.append((time.monotonic() - soak.started, rss_mb(server.pid)))
                if int(rss[-1][0]) % 60 < 5:
                    done = [s for s in soak.samples if s[0] >= rss[-1][0] - 60]
                    print(f"minute {rss[-1][0] / 60:.0f}: {len(done)} requests, {sum(not s[4] for s in done)} errors, "
                          f"RSS {rss[-1][1]:.0f} MB", flush=True)
            soak.stop.set()
            for t in threads:
                t.join(timeout=300)
            load_end = os.getloadavg()
        finally:
            server.terminate()
            server.wait(timeout=60)
        minutes = max(1, round(MINUTES))
        rows = summarise(soak, rss, minutes)
        errors = len(soak.errors)
        counts = defaultdict(int)
        for s in soak.samples:
            counts[s[1]] += 1
        checks = {name: subprocess.run([sys.executable, "-c", "from infra.cli import main; main()", *args], cwd=ROOT,
                                       env=env, capture_output=True, text=True)
                  for name, args in (("verify", ["verify"]), ("verify_read_models", ["verify", "--read-models"]))}
        summary = {
            "command": f"SOAK_MINUTES={MINUTES:g} make soak", "seed": seed, "minutes": MINUTES, "clients": CLIENTS,
            "think_s": THINK, "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "loadavg_at_start": load_start, "loadavg_at_end": load_end},
            "requests": len(soak.samples), "errors": errors, "first_errors": soak.errors[:20],
            "requests_by_operation": dict(sorted(counts.items())),
            "overall": {**percentiles([s[3] for s in soak.samples]),
                        "by_class": {c: percentiles([s[3] for s in soak.samples if s[2] == c])
                                     for c in ("write", "read", "export")}},
            "events_in_log": _events(settings),
            "after": {name: {"exit": r.returncode, "output": " ".join((r.stdout + r.stderr).split())[-300:]}
                      for name, r in checks.items()},
            "per_minute": rows,
        }
        summary["verdict"] = verdicts(rows, errors)
        summary["verdict"]["verify_ok"] = all(r.returncode == 0 for r in checks.values())
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: summary[k] for k in ("requests", "errors", "overall", "verdict", "after")}, indent=1))
    print(f"summary written to {OUTPUT}")
    return 0 if all(v for k, v in summary["verdict"].items() if isinstance(v, bool)) else 1


def _events(settings: Settings) -> int:
    import sqlite3

    with sqlite3.connect(f"file:{settings.events_path}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}{V1}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        time.sleep(0.2)
    raise SystemExit("the server did not answer within 120 s")


if __name__ == "__main__":
    sys.exit(main())
