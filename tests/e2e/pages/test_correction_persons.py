"""A correction through the pages keeps the persons of a record that its editor cannot pick (issue 12): an erased
person and a person of another institution are neither offered nor dropped, and a correction leaving them as
they were saves — before, the form sent the record back without them (a contact naming only such a person was
then refused: "a contact is established with someone"; a meeting silently lost them)."""

from __future__ import annotations

import re
from datetime import date
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.use_cases.people import PersonDetails
from domain.values import Actor
from infra.container import Container
from tests.support.pages import csrf_token, sign_in
from tests.support.world import World

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def staff_pages(container: Container, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="https://testserver") as client:
        sign_in(client, "staff@example.org")
        yield client


def persons(container: Container, world: World) -> dict[str, str]:
    coordinator = container.users.get_by_email("coordinator@example.org")
    people = container.use_cases.people
    ids = {"own": people.add(coordinator, PersonDetails(name="Anna Własna", institution_id=world.riph)),
           "other": people.add(coordinator, PersonDetails(name="Cezary Obcy", institution_id=world.citt)),
           "erased": people.add(coordinator, PersonDetails(name="Ewa Usuwana", institution_id=world.riph))}
    return {k: str(v) for k, v in ids.items()}


def contact_with(container: Container, world: World, person_ids: list[str]) -> str:
    """A contact of RIPH (the staff's own institution) with persons only, recorded by the coordinator."""
    saved = container.app.records.record("contact", {
        "network_id": container.use_cases.users.scopes.of(container.users.get_by_email("staff@example.org")).network(),
        "occurred_on": date(2012, 6, 1), "institution_id": world.riph, "with_institution_id": None,
        "channel": "phone", "summary": "Rozmowa o targach", "person_ids": person_ids},
        Actor(user_id="setup", institution_id=world.wpir))
    container.runner.catch_up()
    return str(saved.id)


def posted_form(page_html: str, record_id: str) -> dict:
    """What a browser sends back from the correction form untouched but for the reason: the selected options."""
    form = {"csrf_token": _CSRF.search(page_html).group(1), "reason": "Uzupełniony opis rozmowy"}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page_html):
        if name not in ("csrf_token",) and not name.startswith("follow_ups"):
            form.setdefault(name, value)
    for name in ("channel",):
        checked = re.search(rf'name="{name}"[^>]*value="([^"]+)"[^>]*checked', page_html)
        if checked:
            form[name] = checked.group(1)
    selects = re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page_html, re.S)
    for name, options in selects:
        chosen = re.findall(r'<option value="([^"]+)" selected', options)
        if chosen and not name.startswith("follow_ups"):
            form[name] = chosen if 'multiple' in page_html.split(f'name="{name}"')[1][:40] else chosen[0]
    summary = re.search(r'<textarea[^>]*name="summary"[^>]*>(.*?)</textarea>', page_html, re.S)
    form["summary"] = (summary.group(1) if summary else "") + " – z ustaleniami"
    return form


@pytest.mark.parametrize("kept", ["other", "erased"])
def test_a_correction_keeps_a_person_the_editor_cannot_pick_and_saves(staff_pages, container, world, kept):
    ids = persons(container, world)
    record_id = contact_with(container, world, [ids["own"], ids[kept]])
    if kept == "erased":
        container.persons.erase(ids["erased"])
    page = staff_pages.get(f"/wpisy/{record_id}/korekta")
    assert page.status_code == 200
    options = re.findall(r'<option value="([^"]+)"', page.text)
    assert ids[kept] not in options and ids["own"] in options  # not offered
    assert {"other": "Cezary Obcy", "erased": "Ewa Usuwana"}[kept] not in page.text
    assert ("osoba usunięta" if kept == "erased" else "osoba kontaktowa innej instytucji") in page.text  # said kept
    response = staff_pages.post(f"/wpisy/{record_id}/korekta", data=posted_form(page.text, record_id),
                                follow_redirects=False)
    assert response.status_code == 303, response.text
    record = container.app.get_record(record_id)
    assert record.version == 2 and record.fields["summary"].endswith("z ustaleniami")
    assert sorted(str(p) for p in record.fields["person_ids"]) == sorted([ids["own"], ids[kept]])


def test_a_correction_naming_only_an_unpickable_person_saves_and_the_editor_may_still_drop_their_own(
        staff_pages, container, world):
    ids = persons(container, world)
    record_id = contact_with(container, world, [ids["other"], ids["own"]])
    page = staff_pages.get(f"/wpisy/{record_id}/korekta")
    form = posted_form(page.text, record_id)
    form.pop("person_ids", None)  # the editor unselects their own person: the other institution's stays
    response = staff_pages.post(f"/wpisy/{record_id}/korekta", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    record = container.app.get_record(record_id)
    assert [str(p) for p in record.fields["person_ids"]] == [ids["other"]]
