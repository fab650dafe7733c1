"""The directory's part of the second factor: secrets per user and the last time-step accepted."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from domain.application import DEFAULT_MUNICIPALITY_ID
from infra.sqldb import SQLiteDatabase
from infra.users import UserStore


@pytest.fixture
def users() -> UserStore:
    return UserStore(SQLiteDatabase(None), hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def coordinator(users):
    return users.add(email="koordynator@example.org", password="correct horse battery", role="coordinator",
                     municipality_id=DEFAULT_MUNICIPALITY_ID)


def test_a_step_is_accepted_once_and_never_an_older_one(users, coordinator):
    users.enrol_totp(coordinator.id, "JBSWY3DPEHPK3PXP")
    assert users.accept_totp_step(coordinator.id, 1000) is True
    assert users.accept_totp_step(coordinator.id, 1000) is False  # the same step: a replayed code
    assert users.accept_totp_step(coordinator.id, 999) is False  # an older one
    assert users.accept_totp_step(coordinator.id, 1001) is True
    assert users.accept_totp_step(coordinator.id, 1000) is False


def test_steps_are_kept_per_user(users, coordinator):
    other = users.add(email="admin@example.org", password="correct horse battery", role="admin")
    assert users.accept_totp_step(coordinator.id, 1000) is True
    assert users.accept_totp_step(other.id, 1000) is True


def test_an_offered_secret_counts_only_once_confirmed(users, coordinator):
    assert users.totp_secret(coordinator.id) is None and users.pending_totp_secret(coordinator.id) is None
    assert users.offer_totp_secret(coordinator.id, "AAAAAAAAAAAAAAAA") == "AAAAAAAAAAAAAAAA"
    assert users.offer_totp_secret(coordinator.id, "BBBBBBBBBBBBBBBB") == "AAAAAAAAAAAAAAAA"  # the first offer stays
    assert users.totp_secret(coordinator.id) is None
    users.enrol_totp(coordinator.id, "AAAAAAAAAAAAAAAA")
    assert users.totp_secret(coordinator.id) == "AAAAAAAAAAAAAAAA"
    assert users.pending_totp_secret(coordinator.id) is None


def test_an_older_directory_gets_the_columns(tmp_path):
    db = SQLiteDatabase(tmp_path / "directory.sqlite")
    with db.transaction(write=True) as tx:
        tx.execute("CREATE TABLE directory_users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, "
                   "password_hash TEXT NOT NULL, role TEXT NOT NULL, institution_id TEXT, active INTEGER NOT NULL, "
                   "created_at TEXT NOT NULL, disabled_at TEXT, municipality_id TEXT)")
        tx.execute("INSERT INTO directory_users VALUES ('00000000-0000-0000-0000-000000000001', 'a@example.org', 'x', "
                   "'admin', NULL, 1, '2026-01-01', NULL, NULL)")
    users = UserStore(db)
    [user] = users.list()
    assert users.totp_secret(user.id) is None
    assert users.accept_totp_step(user.id, 5) is True and users.accept_totp_step(user.id, 5) is False
    UserStore(db)  # a second start finds the columns there
