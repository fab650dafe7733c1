"""The crash suite's writers: threads that write through the real server's JSON API and keep a ledger
of what the server acknowledged (a 2xx the client saw) and what it did not (the connection dropped).

Every write carries a client key `[k<seed>-<writer>-<n>]` in its text (a contact's summary, a meeting's
title, a correction's reason and new text, a retraction's reason), by which the checks count it in
the register and a record's history. Each writer corrects and retracts only records it created, one
request at a time, so the version a correction expects is known — except after an unacknowledged
write without a key, after which the record's state is read back before it is changed again.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

V1 = "/api/v1"
ACKED, UNACKED, MAYBE = "acked", "unacked", "maybe"  # MAYBE: unacknowledged, no key: 0 or 1 times


@dataclass
class Write:
    op: str  # contact | meeting | correction | retraction
    ck: str  # the client key kept in the write's text
    path: str
    body: dict[str, Any]
    idempotency_key: str | None
    record_id: str | None = None  # the record written (known beforehand for a correction or retraction)
    version: int | None = None  # the version the server acknowledged
    state: str = UNACKED
    resolved_by_retry: str | None = None  # "replayed" (the first attempt had committed) or "written"
    cycle: int = 0

    @property
    def creates(self) -> bool:
        return self.op in ("contact", "meeting")


@dataclass
class OwnRecord:
    kind: str
    ck: str  # the creating write's client key
    version: int
    retracted: bool = False
    uncertain: bool = False  # an unkeyed change of it was not acknowledged: read it back first


@dataclass
class Ledger:
    writes: list[Write] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # 5xx and other answers a well-formed write must not get
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, write: Write) -> None:
        with self.lock:
            self.writes.append(write)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


class Writer(threading.Thread):
    """Writes while `serving` is set; after a dropped connection it waits for the controller to
    resolve its unacknowledged write (`unresolved`) and to set `serving` again."""

    def __init__(self, index: int, seed: int, base: "Base", ledger: Ledger, world: Any, token: str,
                 stop: threading.Event, serving: threading.Event, think: float = 0.0) -> None:
        super().__init__(name=f"crash-writer-{index}", daemon=True)
        self.index, self.rng, self.base, self.ledger, self.world = index, random.Random(seed * 1000 + index), base, ledger, world
        self.headers = {"Authorization": f"Bearer {token}"}
        self.stop, self.serving = stop, serving
        self.idle = threading.Event()
        self.records: dict[str, OwnRecord] = {}
        self.unresolved: Write | None = None
        self.count = 0
        self.cycle = 0
        self.seed = seed
        self.think = think  # a pause after each write (none by default)

    # ------------------------------------------------------------------ choosing a write
    def _ck(self) -> str:
        self.count += 1
        return f"[k{self.seed}-{self.index}-{self.count}]"

    def next_write(self) -> Write:
        ck = self._ck()
        keyed = self.rng.random() < 0.5
        key = f"crash-{ck[1:-1]}" if keyed else None
        live = [rid for rid, r in self.records.items() if not r.retracted and not r.uncertain]
        roll = self.rng.random()
        w = self.world
        if live and roll < 0.30:
            rid = self.rng.choice(live)
            own = self.records[rid]
            text = "summary" if own.kind == "contact" else "title"
            prefix = "Kontakt" if own.kind == "contact" else "Spotkanie"
            body = {"expected_version": own.version, "reason": f"Poprawka {ck}",
                    "changes": {text: f"{prefix} {own.ck} poprawiony {ck}"}}
            return Write("correction", ck, f"/records/{rid}/corrections", body, key, record_id=rid)
        if live and roll < 0.36:
            rid = self.rng.choice(live)
            body = {"expected_version": self.records[rid].version, "reason": f"Wycofanie {ck}"}
            return Write("retraction", ck, f"/records/{rid}/retractions", body, key, record_id=rid)
        if roll < 0.75:
            body = {"occurred_on": "2012-03-05", "institution_id": str(w.riph), "with_institution_id": str(w.citt),
                    "channel": "phone", "summary": f"Kontakt {ck}"}
            return Write("contact", ck, "/contacts", body, key)
        body = {"occurred_on": "2012-04-17", "title": f"Spotkanie {ck}", "kind": "network_meeting",
                "organiser_id": str(w.riph), "institution_ids": [str(w.citt)], "firm_ids": [str(w.firm_a)]}
        return Write("meeting", ck, "/meetings", body, key)

    # ------------------------------------------------------------------ sending
    def send(self, client: httpx.Client, write: Write) -> httpx.Response:
        headers = dict(self.headers)
        if write.idempotency_key:
            headers["Idempotency-Key"] = write.idempotency_key
        return client.post(f"{self.base.url}{V1}{write.path}", json=write.body, headers=headers, timeout=60)

    def apply(self, write: Write, response: httpx.Response) -> None:
        """A 2xx: the write is acknowledged, and the writer's own view of its records follows."""
        payload = response.json()
        write.state, write.version = ACKED, payload["version"]
        if write.creates:
            write.record_id = payload["id"]
            self.records[write.record_id] = OwnRecord(write.op, write.ck, payload["version"])
        else:
            own = self.records[write.record_id]
            own.version, own.uncertain = payload["version"], False
            own.retracted = own.retracted or write.op == "retraction"

    def run(self) -> None:
        with httpx.Client() as client:
            while not self.stop.is_set():
                if not self.serving.is_set() or self.unresolved is not None:
                    self.idle.set()
                    self.serving.wait(0.2)
                    continue
                self.idle.clear()
                write = self.next_write()
                write.cycle = self.cycle
                self.ledger.add(write)
                try:
                    response = self.send(client, write)
                except httpx.HTTPError:
                    self.unresolved = write  # the controller retries it (keyed) or reads its record back
                    continue
                if 200 <= response.status_code < 300:
                    self.apply(write, response)
                    time.sleep(self.think)
                else:
                    write.state = "refused"
                    self.ledger.error(f"{write.op} {write.ck} answered {response.status_code}: {response.text[:300]}")
                    if write.record_id in self.records:
                        self.records[write.record_id].uncertain = True
            self.idle.set()


class Base:
    """The server's current address (it changes port on every restart)."""

    def __init__(self) -> None:
        self.url = ""
