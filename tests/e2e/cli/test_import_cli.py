"""`splot import FILE` on a real SQLite store: a file with a bad row imports nothing and names the row (exit 1),
--valid-only imports the rest, a re-run doubles nothing, --dry-run saves nothing, an unreadable file exits 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.application import DEFAULT_NETWORK_ID
from infra.cli import app as cli
from infra.container import bootstrap, build_container
from infra.settings import Settings
from tests.support.registers import CONTACT_HEADER, contacts, csv_file, xlsx_file
from tests.support.world import build_world


@pytest.fixture
def store(tmp_path: Path) -> dict:
    data_dir = tmp_path / "var"
    container = build_container(Settings(data_dir=data_dir))
    try:
        bootstrap(container)
        build_world(container, DEFAULT_NETWORK_ID)
    finally:
        container.close()
    return {"data_dir": data_dir, "env": {"SPLOT_DATA_DIR": str(data_dir)}}


def _records(data_dir: Path) -> int:
    container = build_container(Settings(data_dir=data_dir))
    try:
        return len(container.use_cases.records.register_all(container.users.get_by_email("auditor@example.org")))
    finally:
        container.close()


def _run(store: dict, *args: str):
    return CliRunner().invoke(cli, ["import", *args], env=store["env"])


def test_a_bad_row_imports_nothing_and_valid_only_imports_the_rest(store, tmp_path):
    rows = contacts(4)
    rows[2][4] = "gołębiem"  # no such channel
    register = tmp_path / "kontakty.csv"
    register.write_bytes(csv_file(CONTACT_HEADER, rows))
    before = _records(store["data_dir"])

    refused = _run(store, str(register))
    assert refused.exit_code == 1, refused.output
    assert "kontakty, wiersz (row) 4, channel" in refused.output
    assert "niczego nie zaimportowano" in refused.output
    assert _records(store["data_dir"]) == before

    dry = _run(store, str(register), "--dry-run", "--valid-only")
    assert dry.exit_code == 1 and "niczego nie zapisano" in dry.output
    assert _records(store["data_dir"]) == before

    partial = _run(store, str(register), "--valid-only")
    assert partial.exit_code == 1, partial.output
    assert "zaimportowano teraz (imported now): 3" in partial.output
    assert _records(store["data_dir"]) == before + 3

    again = _run(store, str(register), "--valid-only")
    assert "zaimportowanych wcześniej (imported before): 3" in again.output
    assert "zaimportowano teraz (imported now): 0" in again.output
    assert _records(store["data_dir"]) == before + 3


def test_a_clean_workbook_exits_0(store, tmp_path):
    register = tmp_path / "rejestr.xlsx"
    register.write_bytes(xlsx_file({"kontakty": (CONTACT_HEADER, contacts(3))}))
    before = _records(store["data_dir"])
    result = _run(store, str(register))
    assert result.exit_code == 0, result.output
    assert "zaimportowano teraz (imported now): 3 (contact: 3)" in result.output
    assert _records(store["data_dir"]) == before + 3


def test_a_file_that_cannot_be_read_exits_2(store, tmp_path):
    register = tmp_path / "rejestr.xlsx"
    register.write_bytes(b"PK\x03\x04 not really a workbook")
    result = _run(store, str(register))
    assert result.exit_code == 2
    assert "XLSX" in result.output
