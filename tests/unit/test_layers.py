"""Imports point one way: api -> infra -> projections -> domain; the domain stays pure."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["domain", "projections", "infra", "api"]  # lower first
DOMAIN_ALLOWED_THIRD_PARTY = {"eventsourcing", "stdnum"}  # stdnum: pure NIP/REGON checks (domain/values.py)


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


# ---------------------------------------------------------------------------------------------- thin faces
# A route parses, calls a use case and renders. It may import the web framework, its face's own helpers
# (deps, errors, schemas, writes; the pages' templates and catalogues), the use-case layer, the policy's
# types, the domain's enumerations, messages, labels and record-kind specs (to type, label and lay out
# its inputs) and the export renderers; never the store, a read model or a domain rule.
ROUTE_ALLOWED_PREFIXES = ("fastapi", "pydantic", "starlette", "api.deps", "api.errors", "api.schemas", "api.writes",
                          "domain.use_cases", "domain.policy", "domain.values", "domain.errors", "domain.labels",
                          "domain.record_kinds", "infra.exports",
                          "api.pages", "jinja2", "babel")  # the pages' own helpers and their template stack
FACES = {"api/routes": "api.routes", "api/pages": "api.pages"}  # the JSON API and the HTML pages


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def rule_breaking_imports(path: Path) -> list[str]:
    import sys

    return sorted(name for name in imported_modules(path)
                  if name.split(".")[0] not in sys.stdlib_module_names and name != "__future__"
                  and not name.startswith(ROUTE_ALLOWED_PREFIXES))


def face_files() -> list[Path]:
    return [p for folder in FACES for p in sorted((ROOT / folder).rglob("*.py")) if p.name != "__init__.py"]


@pytest.mark.parametrize("path", face_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_route_module_holds_no_rule(path):
    assert rule_breaking_imports(path) == []


@pytest.mark.parametrize("path", face_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_html_and_json_faces_do_not_import_each_other(path):
    own = next(package for folder, package in FACES.items() if (ROOT / folder) in path.parents)
    others = [package for package in FACES.values() if package != own]
    assert not [name for name in imported_modules(path) if name.startswith(tuple(others))]


def test_the_route_rule_catches_a_violation(tmp_path):
    bad = tmp_path / "bad_route.py"
    bad.write_text("from fastapi import APIRouter\nfrom projections.registry.queries import list_firms\n"
                   "from domain.application import Splot\nfrom api.deps import UseCasesDep\n")
    assert rule_breaking_imports(bad) == ["domain.application", "projections.registry.queries"]
    assert len(face_files()) >= 6  # the JSON routes are found
