"""A server killed in the middle of an idempotent write (issue 11, defect 2).

A real `uvicorn` process over a SQLite store is killed (`os._exit`, no cleanup runs) right before or
right after the event store commits a request's events; a new server is started on the same store and
the client retries with the same Idempotency-Key. The retry must return the first answer (killed after
the commit) or perform the write now (killed before it) — exactly one record either way, never a 409
"still in progress" for the key's lifetime, never a second record.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from domain.application import DEFAULT_NETWORK_ID
from domain.closing import ReportingYear, reporting_year_id
from domain.values import Actor
from infra.container import open_container
from infra.settings import Settings
from tests.support.world import auth, build_world

ROOT = Path(__file__).resolve().parents[3]
V1 = "/api/v1"

# Kills the server around Splot.save while the marker file exists: "before N" / "after N" = at the N-th save.
LAUNCHER = textwrap.dedent("""
    import os, sys
    import uvicorn
    from domain.application import Splot

    marker, port = sys.argv[1], int(sys.argv[2])
    original = Splot.save
    seen = 0

    def save(self, *objs, **kwargs):
        global seen
        if not os.path.exists(marker):
            return original(self, *objs, **kwargs)
        when, n = open(marker).read().split()
        seen += 1
        if when == "before" and seen == int(n):
            os._exit(137)
        result = original(self, *objs, **kwargs)
        if when == "after" and seen == int(n):
            os._exit(137)
        return result

    Splot.save = save
    uvicorn.run("api.app:create_app", factory=True, host="127.0.0.1", port=port, log_level="warning",
                access_log=False)
""")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data_dir: Path, tmp: Path) -> None:
        self.data_dir, self.marker, self.script = data_dir, tmp / "crash", tmp / "launch.py"
        self.script.write_text(LAUNCHER)
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> None:
        port = _free_port()
        env = {**os.environ, "SPLOT_DATA_DIR": str(self.data_dir), "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen([sys.executable, str(self.script), str(self.marker), str(port)], cwd=ROOT,
                                        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}{V1}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert self.process.poll() is None, "the server did not start"
            time.sleep(0.2)
        raise AssertionError("the server did not answer within 60 s")

    def crash_on(self, when: str, nth_save: int = 1) -> None:
        self.marker.write_text(f"{when} {nth_save}")

    def post_and_die(self, path: str, **kwargs) -> None:
        """The request during which the server dies: the client sees the connection drop."""
        with pytest.raises(httpx.HTTPError):
            httpx.post(f"{self.url}{V1}{path}", timeout=30, **kwargs)
        assert self.process.wait(timeout=30) == 137
        self.marker.unlink()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@pytest.fixture
def store(tmp_path):
    data_dir = tmp_path / "var"
    with open_container(Settings(data_dir=data_dir)) as container:
        world = build_world(container, DEFAULT_NETWORK_ID)
    server = Server(data_dir, tmp_path)
    server.start()
    yield server, world
    server.stop()


def contact(world, summary: str) -> dict:
    return {"occurred_on": "2012-03-05", "institution_id": str(world.riph), "with_institution_id": str(world.citt),
            "channel": "phone", "summary": summary}


def records_with(server: Server, world, summary: str) -> list[dict]:
    items = httpx.get(f"{server.url}{V1}/records", params={"limit": 200},
                      headers=auth(world.tokens["staff"])).json()["items"]
    return [item for item in items if item["fields"]["summary"] == summary]


@pytest.mark.parametrize("when", ["after", "before"])
def test_a_retry_after_a_kill_answers_once_and_records_once(store, when):
    server, world = store
    headers = auth(world.tokens["staff"], **{"Idempotency-Key": f"crash-{when}"})
    body = contact(world, f"Kontakt przed awarią ({when})")
    server.crash_on(when)
    server.post_and_die("/contacts", headers=headers, json=body)
    server.start()

    retry = httpx.post(f"{server.url}{V1}/contacts", headers=headers, json=body, timeout=30)
    assert retry.status_code == 201, retry.text  # before the fix: 409 idempotency_in_flight for 24 h
    stored = records_with(server, world, body["summary"])
    assert [item["id"] for item in stored] == [retry.json()["id"]]  # exactly once
    assert (retry.headers.get("Idempotent-Replayed") == "true") == (when == "after")
    again = httpx.post(f"{server.url}{V1}/contacts", headers=headers, json=body, timeout=30)
    assert again.status_code == 201 and again.json() == retry.json()
    other = httpx.post(f"{server.url}{V1}/contacts", headers=headers, json=contact(world, "Inny"), timeout=30)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert len(records_with(server, world, body["summary"])) == 1


def test_a_correction_retried_after_a_kill_is_applied_once(store):
    server, world = store
    staff = auth(world.tokens["staff"])
    headers = {**staff, "Idempotency-Key": "fix-after-crash"}
    body = {"expected_version": 1, "reason": "Literówka", "changes": {"summary": "Kontakt poprawiony"}}
    server.crash_on("after")
    server.post_and_die(f"/records/{world.own_record}/corrections", headers=headers, json=body)
    server.start()  # on another port

    record = f"{server.url}{V1}/records/{world.own_record}"
    retry = httpx.post(f"{record}/corrections", headers=headers, json=body, timeout=30)
    assert retry.status_code == 200, retry.text  # before the fix: 409; a new key would get a version conflict
    assert retry.json()["version"] == 2 and retry.json()["id"] == str(world.own_record)
    history = httpx.get(record, headers=staff).json()["history"]
    assert [h["event_type"] for h in history] == ["created", "corrected"]


def test_a_close_killed_between_its_seal_and_its_version_finishes_on_retry(store):
    server, world = store
    server.stop()
    with open_container(Settings(data_dir=server.data_dir)) as container:
        for institution in (world.riph, world.citt, world.wpir, world.lcb):
            container.app.years.sign_off_year(network_id=DEFAULT_NETWORK_ID, year=2012, institution_id=institution,
                                              actor=Actor(user_id="lead", institution_id=institution))
    server.start()
    headers = auth(world.tokens["coordinator"], **{"Idempotency-Key": "close-2012-crash"})
    server.crash_on("after", 1)  # the seal is saved, the version is not
    server.post_and_die("/audit/years/2012/closings", headers=headers)
    server.start()

    refused = httpx.post(f"{server.url}{V1}/contacts", headers=auth(world.tokens["staff"]),
                         json=contact(world, "Po rozpoczęciu zamykania"), timeout=30)
    assert refused.status_code == 409 and "Rok 2012 jest zamknięty" in refused.json()["detail"]
    retry = httpx.post(f"{server.url}{V1}/audit/years/2012/closings", headers=headers, timeout=60)
    assert retry.status_code == 201, retry.text
    assert retry.json()["report_version"] == 1 and len(retry.json()["report_hash"]) == 64
    again = httpx.post(f"{server.url}{V1}/audit/years/2012/closings", headers=headers, timeout=60)
    assert again.status_code == 201 and again.json() == retry.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    server.stop()
    with open_container(Settings(data_dir=server.data_dir)) as container:
        events = list(container.app.events.get(reporting_year_id(DEFAULT_NETWORK_ID, 2012)))
    assert [type(e).__name__ for e in events].count("Closed") == 1
    assert sum(isinstance(e, ReportingYear.Sealed) for e in events) == 1
