"""One composition root: only infra/container.py constructs stores, the application and the runner.

Entry points (the API factory, the CLI, the worker) take them from a `Container`; tests and the
benchmarks may build their own (a fast password hasher, a tampered store).
"""

import ast
from pathlib import Path

import pytest
import typer

from domain.application import DEFAULT_NETWORK_ID
from infra.cli.audit import run_verify
from infra.container import build_container, open_container
from infra.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
SCANNED = ["api", "infra", "projections"]
COMPOSITION_ROOT = ROOT / "infra" / "container.py"
CONSTRUCTED_ONLY_THERE = {"Splot", "SQLiteDatabase", "PostgresDatabase", "UserStore", "IdempotencyStore",
                          "PersonDirectory", "ProjectionRunner"}


def constructions(source: str) -> set[str]:
    """Names from CONSTRUCTED_ONLY_THERE that the source calls, as `Name(...)` or `module.Name(...)`."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name in CONSTRUCTED_ONLY_THERE:
                found.add(name)
    return found


def test_only_the_composition_root_constructs_infrastructure():
    offenders = {}
    for package in SCANNED:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == COMPOSITION_ROOT:
                continue
            found = constructions(path.read_text(encoding="utf-8"))
            if found:
                offenders[str(path.relative_to(ROOT))] = sorted(found)
    assert offenders == {}


def test_the_composition_root_is_where_they_are_constructed():
    """Guards the scan itself: if this fails, the names or the root moved and the rule checks nothing."""
    assert constructions(COMPOSITION_ROOT.read_text(encoding="utf-8")) == CONSTRUCTED_ONLY_THERE


def test_the_scan_catches_a_construction():
    source = ("from infra.users import UserStore\nimport domain.application as d\n"
              "users = UserStore(db)\napp = d.Splot(env={})\nstore = make_store(UserStore)\n")
    assert constructions(source) == {"UserStore", "Splot"}  # passing the class along is not constructing it


def test_verify_does_not_bootstrap_the_store_it_checks(tmp_path):
    settings = Settings(data_dir=tmp_path / "var")
    assert run_verify(settings, None) == 0
    with build_container(settings) as container:
        assert container.app.recorder.max_notification_id() in (None, 0)  # checking added nothing


def test_verify_on_a_store_without_a_chain_cannot_check(capsys):
    with pytest.raises(typer.Exit) as stopped:
        run_verify(Settings(in_memory=True), None)
    assert stopped.value.exit_code == 2
    assert "no audit chain" in capsys.readouterr().err


@pytest.mark.parametrize("bootstrap", [True, False])
def test_open_container_bootstraps_only_when_asked(bootstrap):
    with open_container(Settings(in_memory=True), bootstrap=bootstrap, catch_up=True) as container:
        events = container.app.recorder.max_notification_id() or 0
        assert (events > 0) is bootstrap
        assert container.runner.position() == events
        assert container.users.list() == []  # the directory's stores are wired and ready
        if bootstrap:
            assert container.app.get_network(DEFAULT_NETWORK_ID)
