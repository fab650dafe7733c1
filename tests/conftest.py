"""Shared fixtures.

- `container`: an in-memory Splot (events in memory, read models in a private SQLite memory db),
  with the default network created.
- `sqlite_settings`: settings for a real SQLite store under a temporary directory.
- `postgres_settings`: settings for a fresh database on a PostgreSQL 15 server that this test
  session starts itself (initdb + pg_ctl from Debian's postgresql-15 package) on a free port;
  tests using it are skipped only when the server binaries are missing (`make test` installs them).

`api.app.create_app(container)` is replaced for the session by tests/support/apps.py's copy of one app
built once (an app costs 0.4-1 s to build; the e2e tests build one per test). SPLOT_TEST_FRESH_APPS=1
builds a real app each time instead, to check that nothing depends on the sharing.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Iterator

import pytest

import api.app
from domain.application import DEFAULT_NETWORK_ID
from domain.values import Actor
from infra.container import Container, bootstrap, build_container
from infra.settings import Settings
from tests.support.apps import shared_create_app

if not os.environ.get("SPLOT_TEST_FRESH_APPS"):  # before any test module does `from api.app import create_app`
    api.app.create_app = shared_create_app(api.app.create_app)


@pytest.fixture
def actor() -> Actor:
    return Actor(user_id="tester@example.org")


@pytest.fixture
def container() -> Iterator[Container]:
    c = build_container(Settings(in_memory=True))
    bootstrap(c)
    yield c
    c.close()


@pytest.fixture
def network_id():
    return DEFAULT_NETWORK_ID


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var")


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[dict]:
    """A throwaway PostgreSQL server for the whole test session."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries not installed (run `make test`, which installs them)")
    root = Path(tempfile.mkdtemp(prefix="splot-pg-"))
    data = root / "data"
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: use the postgres system user
        shutil.chown(root, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run([*run_as, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                    "--no-sync", "-E", "UTF8"], check=True, capture_output=True)
    subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-o",
                    f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
                    "start"], check=True, capture_output=True)
    try:
        yield {"host": "127.0.0.1", "port": port, "user": "postgres"}
    finally:
        subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_settings(postgres_server: dict, tmp_path: Path) -> Settings:
    """Settings pointing at a brand-new database on the session's PostgreSQL server."""
    import psycopg

    name = f"splot_{uuid.uuid4().hex[:12]}"
    base = f"host={postgres_server['host']} port={postgres_server['port']} user=postgres dbname=postgres"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = f"postgresql://postgres@{postgres_server['host']}:{postgres_server['port']}/{name}"
    return Settings(data_dir=tmp_path / "var", database_url=url)
