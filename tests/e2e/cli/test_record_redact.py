"""`splot record redact ID --ground LETTER` (RODO art. 17): the operator as the DPO redacts a record's free text;
the record reads "treść usunięta (RODO)" and keeps its kind and date, the act is in the audit trail as the
operator's; a bad ground, a malformed or unknown id and a second redaction are refused in one line, nothing
stored."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest
from typer.testing import CliRunner

from domain.application import DEFAULT_NETWORK_ID
from domain.privacy import REDACTED_TEXT
from domain.values import Actor
from infra.cli import app as cli
from infra.container import bootstrap, build_container
from infra.settings import Settings


@pytest.fixture
def store(tmp_path: Path) -> dict:
    data_dir = tmp_path / "var"
    c = build_container(Settings(data_dir=data_dir))
    bootstrap(c)
    actor = Actor(user_id="setup")
    riph, citt = (c.app.registry.register_institution(network_id=DEFAULT_NETWORK_ID, name=f"Instytucja {s}",
                                                      short_name=s, kind="chamber", actor=actor).id
                  for s in ("RIPH", "CITT"))
    record = c.app.records.record("contact", {
        "network_id": DEFAULT_NETWORK_ID, "occurred_on": date(2013, 5, 6), "institution_id": riph,
        "with_institution_id": citt, "channel": "phone", "summary": "Rozmowa z Hieronimem Tajnym"}, actor).id
    bootstrap(c)  # what a command's first start does once (the uniqueness claims' marker), so it is not counted below
    c.close()
    return {"data_dir": data_dir, "record": record, "env": {"SPLOT_DATA_DIR": str(data_dir)}}


def _state(data_dir: Path, record) -> tuple[dict, list[dict], int]:
    c = build_container(Settings(data_dir=data_dir))
    try:
        c.runner.catch_up()
        with c.views.transaction() as tx:
            acts = tx.execute("SELECT user_id, event_type, changes_json FROM audit_entries "
                              "WHERE kind = 'personal_data_act' ORDER BY position")
        return c.app.repository.get(record).fields, acts, c.runner.log_position()
    finally:
        c.close()


def test_the_operator_redacts_a_record_and_the_act_is_recorded(store):
    result = CliRunner().invoke(cli, ["record", "redact", str(store["record"]), "--ground", "b"], env=store["env"])
    assert result.exit_code == 0, result.output
    assert "Usunięto treść wpisu" in result.output
    fields, [act], _ = _state(store["data_dir"], store["record"])
    assert fields["summary"] == REDACTED_TEXT and fields["channel"] == "phone"
    assert fields["occurred_on"] == date(2013, 5, 6)
    assert act["event_type"] == "PersonalDataAct.RecordRedacted" and act["user_id"] == f"cli:{getpass.getuser()}"
    assert str(store["record"]) in act["changes_json"] and "Hieronim" not in act["changes_json"]
    again = CliRunner().invoke(cli, ["record", "redact", str(store["record"]), "--ground", "b"], env=store["env"])
    assert again.exit_code == 1 and "już usunięta" in again.output


@pytest.mark.parametrize("args, expected", [
    (["--ground", "z"], "podstawę prawną"),
    (["--ground", "a", "--record"], None),
])
def test_a_bad_ground_is_refused_and_nothing_is_stored(store, args, expected):
    _, _, before = _state(store["data_dir"], store["record"])
    result = CliRunner().invoke(cli, ["record", "redact", str(store["record"]), *args], env=store["env"])
    assert result.exit_code != 0
    if expected:
        assert result.exit_code == 1 and expected in result.output
    fields, acts, after = _state(store["data_dir"], store["record"])
    assert after == before and acts == [] and fields["summary"] == "Rozmowa z Hieronimem Tajnym"


@pytest.mark.parametrize("record_id", ["nie-uuid", str(uuid4())])
def test_a_malformed_or_unknown_id_is_refused_in_one_line(store, record_id):
    result = CliRunner().invoke(cli, ["record", "redact", record_id, "--ground", "a"], env=store["env"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    _, acts, _ = _state(store["data_dir"], store["record"])
    assert acts == []
