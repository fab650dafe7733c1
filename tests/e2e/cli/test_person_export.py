"""`splot person export ID` (RODO art. 15) through the command line: the person's entry and every record
naming them as JSON (standard output or a file) or PDF, nothing of another person of the same meeting, each
export recorded in the audit trail as the operator's; an unknown or malformed id is refused in one line.
Also `splot user add --role dpo`."""

from __future__ import annotations

import getpass
import json
from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest
from typer.testing import CliRunner

from domain.application import DEFAULT_NETWORK_ID
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
    person = c.persons.add(name="Honorata Eksportowa", email="honorata@example.org", phone="+48 65 111 22 33",
                           institution_id=riph)
    other = c.persons.add(name="Wiesław Obcy", institution_id=citt)
    records = [c.app.records.record("contact", {
        "network_id": DEFAULT_NETWORK_ID, "occurred_on": date(2013, 5, day), "institution_id": riph,
        "with_institution_id": citt, "channel": "phone", "summary": f"Rozmowa {day}", "person_ids": [person, other]},
        actor).id for day in (6, 7)]
    c.close()
    return {"data_dir": data_dir, "person": person, "records": records, "env": {"SPLOT_DATA_DIR": str(data_dir)}}


def _exports(data_dir: Path) -> list[dict]:
    c = build_container(Settings(data_dir=data_dir))
    try:
        c.runner.catch_up()
        with c.views.transaction() as tx:
            return tx.execute("SELECT user_id, event_type, changes_json FROM audit_entries "
                              "WHERE kind = 'personal_data_act' ORDER BY position")
    finally:
        c.close()


def test_a_json_export_lists_every_record_and_nothing_of_anyone_else(store):
    result = CliRunner().invoke(cli, ["person", "export", str(store["person"])], env=store["env"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["person"]["name"] == "Honorata Eksportowa" and data["person"]["phone"] == "+48 65 111 22 33"
    assert sorted(r["id"] for r in data["records"]) == sorted(str(r) for r in store["records"])
    assert {r["title"] for r in data["records"]} == {"Rozmowa 6", "Rozmowa 7"}
    assert "Wiesław" not in result.stdout and "Obcy" not in result.stdout
    [act] = _exports(store["data_dir"])
    assert act["event_type"] == "PersonalDataAct.SubjectDataExported" and act["user_id"] == f"cli:{getpass.getuser()}"
    assert str(store["person"]) in act["changes_json"] and "Honorata" not in act["changes_json"]


def test_a_pdf_export_goes_to_a_file_and_is_recorded(store, tmp_path):
    target = tmp_path / "honorata.pdf"
    result = CliRunner().invoke(cli, ["person", "export", str(store["person"]), "--format", "pdf", "-o",
                                      str(target), "--language", "en"], env=store["env"])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"%PDF") and target.stat().st_size > 5000
    json_file = tmp_path / "honorata.json"
    assert CliRunner().invoke(cli, ["person", "export", str(store["person"]), "-o", str(json_file)],
                              env=store["env"]).exit_code == 0
    assert json.loads(json_file.read_text())["person"]["email"] == "honorata@example.org"
    assert [a["changes_json"].count('"pdf"') for a in _exports(store["data_dir"])] == [1, 0]


@pytest.mark.parametrize("argument, words", [("nie-id", "is not a person's id"),
                                             (str(uuid4()), "Nie ma takiej osoby kontaktowej")])
def test_an_unknown_or_malformed_id_is_refused_and_records_nothing(store, argument, words):
    result = CliRunner().invoke(cli, ["person", "export", argument], env=store["env"])
    assert result.exit_code != 0 and words in result.output
    assert _exports(store["data_dir"]) == []


def test_the_dpo_role_can_be_given_from_the_command_line(store):
    result = CliRunner().invoke(cli, ["user", "add", "iod@example.org", "--role", "dpo"], env=store["env"],
                                input="correct horse battery\ncorrect horse battery\n")
    assert result.exit_code == 0, result.output
    assert "(dpo)" in result.output
