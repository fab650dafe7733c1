"""`splot person find` and `splot person add`: the contact persons' directory from a shell, through uc.people as
the municipality's coordinator; an institution is named by short name, never by id; an unknown one is refused in
one line with nothing added."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from infra.cli import app as cli
from tests.e2e.cli.test_person_export import store  # noqa: F401 (fixture)


def test_add_then_find_by_name_and_institution(store):
    runner = CliRunner()
    added = runner.invoke(cli, ["person", "add", "Jadwiga Nowakowska", "--institution", "riph",
                                "--email", "jadwiga@example.org", "--phone", "+48 65 999 88 77"], env=store["env"])
    assert added.exit_code == 0, added.output
    new_id = added.stdout.strip().splitlines()[-1]
    found = runner.invoke(cli, ["person", "find", "nowakowska"], env=store["env"])
    assert found.exit_code == 0, found.output
    rows = [line.split("\t") for line in found.stdout.strip().splitlines()]
    assert rows == [[new_id, "Jadwiga Nowakowska", "RIPH – Instytucja RIPH", "jadwiga@example.org", "+48 65 999 88 77"]]
    by_institution = runner.invoke(cli, ["person", "find", "RIPH"], env=store["env"])
    names = {line.split("\t")[1] for line in by_institution.stdout.strip().splitlines()}
    assert names == {"Honorata Eksportowa", "Jadwiga Nowakowska"}  # not CITT's person


def test_an_unknown_institution_is_refused_and_nothing_is_added(store):
    runner = CliRunner()
    refused = runner.invoke(cli, ["person", "add", "Ktoś Nieznany", "--institution", "NIEMA"], env=store["env"])
    assert refused.exit_code == 1 and "NIEMA" in refused.output
    found = runner.invoke(cli, ["person", "find", "Nieznany"], env=store["env"])
    assert found.exit_code == 0 and found.stdout.strip() == ""
