"""Imports point one way: api -> infra -> projections -> domain; the domain stays pure."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["domain", "projections", "infra", "api"]  # lower first
DOMAIN_ALLOWED_THIRD_PARTY = {"eventsourcing"}


def imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_imports_nothing_above_it(layer):
    above = set(LAYERS[LAYERS.index(layer) + 1:])
    offenders = {str(p.relative_to(ROOT)): sorted(imported_top_levels(p) & above) for p in python_files(layer)}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_domain_imports_only_stdlib_and_eventsourcing():
    import sys

    stdlib = set(sys.stdlib_module_names)
    for path in python_files("domain"):
        foreign = imported_top_levels(path) - stdlib - DOMAIN_ALLOWED_THIRD_PARTY - {"domain", "__future__"}
        assert not foreign, f"{path.relative_to(ROOT)} imports {sorted(foreign)}"


def test_the_rule_catches_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from infra.settings import Settings\nimport api.app\n")
    assert {"infra", "api"} <= imported_top_levels(bad)
