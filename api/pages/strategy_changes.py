"""The coordinator keeps the strategy from the pages: an indicator's targets per year ("–", a number, "bd"),
a reported value with its source, the stages' progress per year, a rule change (shown in words before it
is saved), and loading a whole strategy file.

Every action is one use case of `uc.strategy_changes` (domain/use_cases/strategy_changes.py), which asks
the policy first and refuses a closed year; the templates offer these pages only where
`may("manage_strategy")`. POST → 303 → GET with a banner named in the query. A refused form is shown again
with what was typed and the error on its field; nothing is saved.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import Response

from api.deps import get_container
from api.pages.i18n import request_language, translations
from api.pages.strategy import shown
from api.pages.web import PageUser, field_errors, render, say, see_other, verified_form
from domain.errors import DomainError, ValidationFailed, bilingual
from domain.policy import Action, User, authorize
from domain.record_kinds import RECORD_KINDS, choice_label

router = APIRouter()

MAX_STRATEGY_FILE = 512 * 1024  # a strategy file is a few kilobytes; anything near this is not one
RULE_KINDS = ("count", "count_shared", "distinct_count", "gauge", "boolean", "ratio", "reported")
COMPOSITE_KINDS = ("boolean", "ratio")  # built from other rules: typed as JSON (docs/STRATEGY-FILE.md)


def _use_cases(request: Request):
    return get_container(request).use_cases.strategy_changes


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


# ---------------------------------------------------------------------------------------------- an indicator
def _indicator_page(request: Request, user: User, code: str, *, status_code: int = 200,
                    errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                    saved: str = "") -> Response:
    language = request_language(request)
    editing = _use_cases(request).indicator(user, code)
    indicator = editing.indicator
    targets = {str(y): _target_text(indicator["targets"].get(str(y))) for y in editing.years}
    reported = [{"year": y, "actual": shown(editing.report["years"][str(y)]["actual"], language)}
                for y in editing.years]
    return render(request, "strategy_change_indicator.html", user, status_code=status_code, editing=editing,
                  indicator=indicator, targets=targets, reported=reported, saved=saved,
                  rule_words=say(editing.rule_words, language) if editing.rule_words else "",
                  errors=errors or {}, values=values or {},
                  field_ids={f"targets.{y}": f"target-{y}" for y in editing.years})


def _target_text(value: Any) -> str:
    """A stored target as the form shows it: "–" not planned, "bd" no data, a number with a decimal comma."""
    if value is None:
        return ""
    if value == "-":
        return "–"
    return str(value).replace(".", ",") if not isinstance(value, str) else value


@router.get("/strategia/wskazniki/{code}/zmiana")
def indicator_form(request: Request, code: str, user: PageUser, zapisano: str = "") -> Response:
    return _indicator_page(request, user, code, saved=zapisano)


@router.post("/strategia/wskazniki/{code}/cele")
def save_targets(request: Request, code: str, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    editing = _use_cases(request).indicator(user, code)
    targets = {str(y): _text(form.get(f"target-{y}")).strip() for y in editing.years}
    targets = {year: value for year, value in targets.items() if value}  # an empty year has no target
    try:
        _use_cases(request).set_targets(user, code, targets, reason=_text(form.get("reason")))
    except DomainError as error:
        values = {**{f"target-{y}": _text(form.get(f"target-{y}")) for y in editing.years},
                  "reason": _text(form.get("reason"))}
        return _indicator_page(request, user, code, status_code=422, values=values,
                               errors=field_errors(error, request_language(request)))
    return see_other(f"/strategia/wskazniki/{code}/zmiana?zapisano=cele")


@router.post("/strategia/wskazniki/{code}/wartosci")
def save_reported_value(request: Request, code: str, user: PageUser,
                        form: dict = Depends(verified_form)) -> Response:
    values = {name: _text(form.get(name)) for name in ("year", "value", "source", "value_reason")}
    try:
        year = _year(values["year"])
        _use_cases(request).report_value(user, code, year=year, value=values["value"], source=values["source"],
                                         reason=values["value_reason"])
    except DomainError as error:
        errors = field_errors(error, request_language(request))
        if "reason" in errors:  # the value form's reason has its own id beside the targets' reason
            errors["value_reason"] = errors.pop("reason")
        return _indicator_page(request, user, code, status_code=422, values=values, errors=errors)
    return see_other(f"/strategia/wskazniki/{code}/zmiana?zapisano=wartosc")


def _year(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValidationFailed(bilingual("Wybierz rok z listy.", "Choose a year from the list."),
                               field="year") from None


# ---------------------------------------------------------------------------------------------- a rule
def _rule_choices(language: str) -> dict[str, Any]:
    """What the rule form offers: record kinds and, per kind, the kinds of record within it, in words."""
    record_kinds = []
    for kind, spec in RECORD_KINDS.items():
        field = spec.field(spec.subkind_field)
        record_kinds.append({"value": kind, "label": spec.label.in_language(language),
                             "subkinds": [{"value": choice.value,
                                           "label": choice_label(field, choice.value).in_language(language)}
                                          for choice in field.choices or ()]})
    return {"record_kinds": record_kinds, "rule_kinds": RULE_KINDS}


def _rule_from_form(form: dict[str, Any]) -> object:
    """The rule the form describes, as the strategy file writes it (docs/STRATEGY-FILE.md); the use case checks it."""
    kind = _text(form.get("kind"))
    if kind in COMPOSITE_KINDS:
        try:
            rule = json.loads(_text(form.get("rule_json")) or "{}")
        except ValueError as error:
            raise ValidationFailed(bilingual(f"Reguła złożona nie jest poprawnym JSON-em: {error}.",
                                             f"The composite rule is not valid JSON: {error}."),
                                   field="rule_json") from None
        return {**rule, "kind": kind} if isinstance(rule, dict) else rule
    if kind in ("count", "count_shared", "distinct_count"):
        record_kind = _text(form.get("record_kind"))
        chosen = form.get(f"subkinds-{record_kind}") or []
        rule: dict[str, Any] = {"kind": kind, "record_kind": record_kind,
                                "subkinds": [chosen] if isinstance(chosen, str) else list(chosen),
                                "min_network_institutions": _whole(form, "min_network_institutions"),
                                "min_firms": _whole(form, "min_firms")}
        if kind == "distinct_count":
            rule["key"] = _text(form.get("key")) or "firm"
        return rule
    if kind == "gauge":
        return {"kind": kind, "membership": _text(form.get("membership")), "at": _text(form.get("at")) or "year_end"}
    return {"kind": kind}


def _whole(form: dict[str, Any], name: str) -> int:
    text = _text(form.get(name)).strip() or "0"
    if not text.isdigit() or len(text) > 4:
        raise ValidationFailed(bilingual("Podaj liczbę całkowitą od 0 do 9999.", "Give a whole number from 0 to 9999."),
                               field=name)
    return int(text)


def _form_of_rule(rule: dict[str, Any] | None) -> dict[str, Any]:
    """The form's fields filled from a rule (the rule in force when the form opens)."""
    if not rule:
        return {"kind": "count"}
    values: dict[str, Any] = {"kind": rule["kind"]}
    if rule["kind"] in COMPOSITE_KINDS:
        values["rule_json"] = json.dumps({k: v for k, v in rule.items() if k != "kind"}, ensure_ascii=False, indent=2)
    elif rule["kind"] in ("count", "count_shared", "distinct_count"):
        values.update(record_kind=rule["record_kind"], min_network_institutions=str(rule["min_network_institutions"]),
                      min_firms=str(rule["min_firms"]), key=rule.get("key", "firm"))
        values[f"subkinds-{rule['record_kind']}"] = list(rule["subkinds"])
    elif rule["kind"] == "gauge":
        values.update(membership=rule["membership"], at=rule["at"])
    return values


def _rule_page(request: Request, user: User, code: str, *, values: dict[str, Any] | None = None,
               errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
    language = request_language(request)
    editing = _use_cases(request).indicator(user, code)
    return render(request, "strategy_change_rule.html", user, status_code=status_code, indicator=editing.indicator,
                  rule_words=say(editing.rule_words, language) if editing.rule_words else "",
                  values=values if values is not None else _form_of_rule(editing.indicator.get("rule")),
                  errors=errors or {}, field_ids={"rule": "kind"}, **_rule_choices(language))


@router.get("/strategia/wskazniki/{code}/regula")
def rule_form(request: Request, code: str, user: PageUser) -> Response:
    return _rule_page(request, user, code)


@router.post("/strategia/wskazniki/{code}/regula/sprawdz")
def check_rule(request: Request, code: str, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    """The rule in words beside the one in force, before anything is saved."""
    language = request_language(request)
    try:
        preview = _use_cases(request).preview_rule(user, code, _rule_from_form(form))
    except DomainError as error:
        return _rule_page(request, user, code, values=dict(form), status_code=422,
                          errors=_rule_errors(error, language))
    editing = _use_cases(request).indicator(user, code)
    return render(request, "strategy_change_rule_check.html", user, indicator=editing.indicator, preview=preview,
                  rule_json=json.dumps(preview.rule, ensure_ascii=False, sort_keys=True),
                  words=say(preview.words, language), note=say(preview.note, language),
                  current_words=say(preview.current_words, language) if preview.current_words else "",
                  errors={}, values={}, field_ids={})


def _rule_errors(error: DomainError, language: str) -> dict[str, str]:
    """A rule's error on the form field it names (`rule.kind`, `rule.subkinds`, ...), else on the kind."""
    field = (error.field or "rule").removeprefix("rule.").split(".")[0].split("[")[0]
    known = {"kind", "record_kind", "subkinds", "min_network_institutions", "min_firms", "key", "membership", "at",
             "rule_json"}
    if field in ("conditions", "numerator", "denominator", "percent"):
        field = "rule_json"
    return {field if field in known else "kind": say(error.text, language)}


@router.post("/strategia/wskazniki/{code}/regula")
def save_rule(request: Request, code: str, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    language = request_language(request)
    try:
        rule = json.loads(_text(form.get("rule")))
        _use_cases(request).change_rule(user, code, rule, reason=_text(form.get("reason")))
    except ValueError:
        return _rule_page(request, user, code, status_code=422,
                          errors={"kind": translations(language).gettext("Check the rule again before saving it.")})
    except DomainError as error:
        if error.field == "reason":
            preview = _use_cases(request).preview_rule(user, code, rule)
            editing = _use_cases(request).indicator(user, code)
            return render(request, "strategy_change_rule_check.html", user, status_code=422,
                          indicator=editing.indicator, preview=preview,
                          rule_json=json.dumps(preview.rule, ensure_ascii=False, sort_keys=True),
                          words=say(preview.words, language), note=say(preview.note, language),
                          current_words=say(preview.current_words, language) if preview.current_words else "",
                          errors=field_errors(error, language), values={"reason": _text(form.get("reason"))},
                          field_ids={})
        return _rule_page(request, user, code, status_code=422, errors=_rule_errors(error, language))
    return see_other(f"/strategia/wskazniki/{code}/zmiana?zapisano=regula")


# ---------------------------------------------------------------------------------------------- stages
def _stages_page(request: Request, user: User, code: str, *, status_code: int = 200,
                 values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                 saved: str = "") -> Response:
    editing = _use_cases(request).task(user, code)
    task = editing.task
    rows = []
    for stage in task["stages"]:
        cells = []
        for year in task["years"]:
            planned = stage["planned"].get(str(year))
            realised = task["progress"].get(f"{stage['number']}:{year}")
            name = f"realised-{stage['number']}-{year}"
            cells.append({"year": year, "name": name, "planned": planned,
                          "plannable": isinstance(planned, (int, float)) and not isinstance(planned, bool),
                          "value": (values or {}).get(name, _target_text(realised))})
        rows.append({"number": stage["number"], "name": stage["name"], "cells": cells})
    return render(request, "strategy_change_stages.html", user, status_code=status_code, task=task, rows=rows,
                  published_years=editing.published_years, saved=saved, errors=errors or {},
                  values=values or {}, field_ids={})


@router.get("/strategia/zadania/{code}/etapy")
def stages_form(request: Request, code: str, user: PageUser, zapisano: str = "") -> Response:
    return _stages_page(request, user, code, saved=zapisano)


@router.post("/strategia/zadania/{code}/etapy")
def save_stages(request: Request, code: str, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    task = _use_cases(request).task(user, code).task
    progress: dict[tuple[int, int], object] = {}
    typed: dict[str, Any] = {"reason": _text(form.get("reason"))}
    for stage in task["stages"]:
        for year in task["years"]:
            name = f"realised-{stage['number']}-{year}"
            if name in form:
                typed[name] = _text(form.get(name))
                progress[(stage["number"], year)] = typed[name].strip()
    try:
        saved = _use_cases(request).report_stage_progress(user, code, progress, reason=typed["reason"])
    except DomainError as error:
        return _stages_page(request, user, code, status_code=422, values=typed,
                            errors=field_errors(error, request_language(request)))
    return see_other(f"/strategia/zadania/{code}/etapy?zapisano={'1' if saved.notification_id else 'bez-zmian'}")


# ---------------------------------------------------------------------------------------------- a strategy file
@router.get("/strategia/plik")
def file_form(request: Request, user: PageUser) -> Response:
    authorize(user, Action.MANAGE_STRATEGY)  # the page holds no data, but only a coordinator gets it
    return render(request, "strategy_change_file.html", user, errors={}, values={}, field_ids={"file": "file"},
                  result=None)


@router.post("/strategia/plik")
async def load_file(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    language = request_language(request)
    upload = form.get("file")
    reason = _text(form.get("reason"))
    try:
        if not isinstance(upload, UploadFile) and not hasattr(upload, "read"):
            raise ValidationFailed(bilingual("Wybierz plik strategii (.toml).", "Choose a strategy file (.toml)."),
                                   field="file")
        content = await upload.read(MAX_STRATEGY_FILE + 1)
        if len(content) > MAX_STRATEGY_FILE:
            raise ValidationFailed(bilingual("Plik jest zbyt duży jak na plik strategii (ponad 512 KiB).",
                                             "The file is too large for a strategy file (over 512 KiB)."), field="file")
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed(bilingual("Plik strategii musi być zapisany w UTF-8.",
                                             "A strategy file must be saved as UTF-8."), field="file") from None
        result = _use_cases(request).apply_file(user, text, file_name=upload.filename or "", reason=reason)
    except DomainError as error:
        errors = field_errors(error, language)
        return render(request, "strategy_change_file.html", user, status_code=422, result=None, errors=errors,
                      values={"reason": reason}, field_ids={key: "file" for key in errors if key != "reason"})
    return render(request, "strategy_change_file.html", user, errors={}, values={}, field_ids={},
                  result={"changes": result.new_events, "notes": [say(n, language) for n in result.notes]})
