"""`splot network add-shared|admit|release|list`: the deployment's admin at a shell creates a metropolitan
network and admits and releases municipalities by name; a refused command says why, exits 1 and stores
nothing; the events name the operating-system user."""

from __future__ import annotations

from datetime import timedelta

from typer.testing import CliRunner

from domain.application import DEFAULT_MUNICIPALITY_ID
from domain.use_cases.users import OPERATOR
from domain.values import warsaw_today
from infra.cli import app as cli
from infra.container import open_container
from infra.settings import load_settings


def test_create_admit_list_release(tmp_path, monkeypatch):
    monkeypatch.setenv("SPLOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SPLOT_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["municipality", "add", "Miasto Gniezno", "--network", "Sieć Gniezna",
                               "--teryt", "3003011"]).exit_code == 0
    created = runner.invoke(cli, ["network", "add-shared", "Metropolia", "--kind", "municipal_network"])
    assert created.exit_code == 0, created.output
    for municipality, day in (("Miasto Gniezno", "2011-01-01"), ("3003011", "2011-01-01")):
        admitted = runner.invoke(cli, ["network", "admit", "Metropolia", municipality, "--on", day])
        if municipality == "3003011":  # the same municipality by its TERYT code: already a member
            assert admitted.exit_code == 1 and "już członkiem" in admitted.output
        else:
            assert admitted.exit_code == 0, admitted.output
    with open_container(load_settings()) as container:
        before = container.runner.log_position()
    bad_kind = runner.invoke(cli, ["network", "add-shared", "Sieć", "--kind", "institution_network"])
    assert bad_kind.exit_code == 1 and "kind" in bad_kind.output
    unknown = runner.invoke(cli, ["network", "admit", "Metropolia", "Atlantyda", "--on", "2011-01-01"])
    assert unknown.exit_code == 1 and "Atlantyda" in unknown.output
    bad_day = runner.invoke(cli, ["network", "admit", "Metropolia", str(DEFAULT_MUNICIPALITY_ID), "--on", "1.1.2011"])
    assert bad_day.exit_code != 0
    with open_container(load_settings()) as container:
        assert container.runner.log_position() == before

    yesterday = (warsaw_today() - timedelta(days=1)).isoformat()
    released = runner.invoke(cli, ["network", "release", "Metropolia", "Miasto Gniezno", "--on", yesterday])
    assert released.exit_code == 0, released.output
    listed = runner.invoke(cli, ["network", "list"])
    assert listed.exit_code == 0 and "Metropolia" in listed.output and f"2011-01-01..{yesterday}" in listed.output
    with open_container(load_settings()) as container:
        [network] = container.use_cases.shared_networks.networks(OPERATOR)
        assert [m.left_on.isoformat() for m in network.members] == [yesterday]
        events = list(container.app.events.get(network.id))
        assert all(e.actor_user_id.startswith("cli:") for e in events)
