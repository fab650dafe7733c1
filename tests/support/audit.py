"""Builds a populated store for the audit tests, and tampers with SQLite stores the way an intruder would."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from domain.application import DEFAULT_NETWORK_ID
from domain.values import Actor
from infra.audit_chain import link_hash
from tests.factories import valid_nip

EVENTS = "stored_events"
CHAIN = "stored_events_chain"


def populate(app: Any, *, records: int = 40, tag: str = "") -> dict[str, Any]:
    """Institutions, firms, contacts and meetings with corrections and a retraction: every kind of event.

    `tag` distinguishes the institutions' short names when one store is populated twice."""
    actor = Actor(user_id="staff@wpir.leszno.pl")
    net = DEFAULT_NETWORK_ID
    wpir = app.registry.register_institution(network_id=net, name="Wydział Promocji i Rozwoju", short_name=f"WPiR{tag}",
                                             kind="city_department", actor=actor).id
    riph = app.registry.register_institution(network_id=net, name="Regionalna Izba Przemysłowo-Handlowa", short_name=f"RIPH{tag}",
                                             kind="chamber", actor=actor).id
    app.registry.join_network(network_id=net, institution_id=wpir, joined_on=date(2009, 1, 10), actor=actor)
    app.registry.join_network(network_id=net, institution_id=riph, joined_on=date(2009, 1, 10), actor=actor)
    firms = [app.registry.register_firm(network_id=net, name=f"Firma {i}{tag}", nip=valid_nip(i + 100 * len(tag)),
                                        regon=None, actor=actor).id for i in range(5)]
    staff = Actor(user_id="anna@wpir.leszno.pl", institution_id=wpir)
    record_ids = []
    for i in range(records):
        saved = app.records.record("contact", {
            "network_id": net, "occurred_on": date(2009 + i % 5, 1 + i % 12, 1 + i % 28), "institution_id": wpir,
            "with_firm_id": firms[i % len(firms)], "channel": "phone", "summary": f"Kontakt {i}",
        }, staff)
        record_ids.append(saved.id)
        if i % 4 == 0:
            app.records.correct_record(record_id=saved.id, expected_version=1, reason="Literówka w opisie",
                                       changes={"summary": f"Kontakt nr {i}"}, actor=staff)
    app.records.retract_record(record_id=record_ids[1], expected_version=1, reason="Wpis zdublowany", actor=staff)
    return {"wpir": wpir, "riph": riph, "firms": firms, "records": record_ids, "staff": staff}


def connect(events_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(events_path, isolation_level=None)


def count(db: sqlite3.Connection) -> int:
    return db.execute(f"SELECT COUNT(*) FROM {EVENTS}").fetchone()[0]


def edit_payload_byte(db: sqlite3.Connection, position: int, offset_seed: int) -> None:
    """Changes one byte of the stored state (a letter of a JSON value), keeping it valid-looking."""
    state = bytearray(db.execute(f"SELECT state FROM {EVENTS} WHERE rowid = ?", (position,)).fetchone()[0])
    letters = [i for i, b in enumerate(state) if chr(b).isalnum()]
    i = letters[offset_seed % len(letters)]
    state[i] = ord("x") if state[i] != ord("x") else ord("y")
    db.execute(f"UPDATE {EVENTS} SET state = ? WHERE rowid = ?", (bytes(state), position))


def delete_row(db: sqlite3.Connection, position: int, *, with_link: bool = False) -> None:
    db.execute(f"DELETE FROM {EVENTS} WHERE rowid = ?", (position,))
    if with_link:
        db.execute(f"DELETE FROM {CHAIN} WHERE seq = ?", (position,))


def swap_rows(db: sqlite3.Connection, first: int, second: int) -> None:
    """Exchanges the contents of two rows, i.e. reorders two events in the log."""
    columns = "originator_id, originator_version, topic, state"
    a = db.execute(f"SELECT {columns} FROM {EVENTS} WHERE rowid = ?", (first,)).fetchone()
    b = db.execute(f"SELECT {columns} FROM {EVENTS} WHERE rowid = ?", (second,)).fetchone()
    db.execute("BEGIN")
    db.execute(f"UPDATE {EVENTS} SET originator_id = 'tmp' WHERE rowid = ?", (first,))
    db.execute(f"UPDATE {EVENTS} SET originator_id = ?, originator_version = ?, topic = ?, state = ? WHERE rowid = ?",
               (*a, second))
    db.execute(f"UPDATE {EVENTS} SET originator_id = ?, originator_version = ?, topic = ?, state = ? WHERE rowid = ?",
               (*b, first))
    db.execute("COMMIT")


def insert_forged_row(db: sqlite3.Connection, position: int) -> None:
    """Inserts a well-formed forged event at `position`, moving the later events one place on."""
    template = db.execute(f"SELECT topic, state FROM {EVENTS} WHERE rowid = 1").fetchone()
    db.execute("BEGIN")
    later = [r[0] for r in db.execute(f"SELECT rowid FROM {EVENTS} WHERE rowid >= ? ORDER BY rowid DESC",
                                      (position,))]
    for rowid in later:
        db.execute(f"UPDATE {EVENTS} SET rowid = rowid + 1 WHERE rowid = ?", (rowid,))
    db.execute(f"INSERT INTO {EVENTS} (rowid, originator_id, originator_version, topic, state) VALUES (?, ?, 1, ?, ?)",
               (position, uuid.uuid4().hex, *template))
    db.execute("COMMIT")


def rewrite_consistently(db: sqlite3.Connection, position: int) -> None:
    """Edits the event at `position` and recomputes every chain link from there on: a self-consistent forgery."""
    edit_payload_byte(db, position, offset_seed=7)
    db.execute("BEGIN")
    prev = db.execute(f"SELECT prev_hash FROM {CHAIN} WHERE seq = ?", (position,)).fetchone()[0]
    rows = db.execute(f"SELECT c.seq, e.rowid, e.originator_id, e.originator_version, e.topic, e.state "
                      f"FROM {CHAIN} c JOIN {EVENTS} e ON e.rowid = c.notification_id WHERE c.seq >= ? ORDER BY c.seq",
                      (position,)).fetchall()
    for seq, rowid, originator_id, version, topic, state in rows:
        h = link_hash(prev, seq, rowid, originator_id, version, topic, state)
        db.execute(f"UPDATE {CHAIN} SET hash = ?, prev_hash = ? WHERE seq = ?", (h, prev, seq))
        prev = h
    db.execute("COMMIT")
