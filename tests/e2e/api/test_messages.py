"""Problem documents speak Polish first, with the English sentence in parentheses."""

from __future__ import annotations

import re

from tests.support.world import auth
from tests.e2e.api.test_endpoints import V1, contact_body

# "Polish text (English text)": the English part closes the message; the Polish part before it is non-empty.
BILINGUAL = re.compile(r"(?P<polish>\S.*?) \((?P<english>[^()]*(?:\([^()]*\)[^()]*)*)\)", re.DOTALL)
POLISH_LETTERS = re.compile(r"[ąćęłńóśźż]", re.IGNORECASE)


def split(message: str) -> tuple[str, str]:
    match = BILINGUAL.fullmatch(message)
    assert match, f"not 'Polski (English)': {message!r}"
    return match["polish"], match["english"]


def errors_by_field(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_domain_errors_carry_polish_then_the_unchanged_english(client, world):
    staff, coordinator = auth(world.tokens["staff"]), auth(world.tokens["coordinator"])
    bad_nip = client.post(f"{V1}/firms", headers=staff, json={"name": "Zła", "nip": "5260250275"})
    assert bad_nip.status_code == 422 and bad_nip.json()["code"] == "validation_failed"
    polish, english = split(bad_nip.json()["detail"])
    assert polish == "NIP 5260250275 ma błędną cyfrę kontrolną."
    assert english == "NIP 5260250275 has a wrong check digit."
    assert errors_by_field(bad_nip) == {"nip": bad_nip.json()["detail"]}

    record_id = client.post(f"{V1}/contacts", headers=staff, json=contact_body(world)).json()["id"]
    changes = {"summary": "Inny opis"}
    assert client.post(f"{V1}/records/{record_id}/corrections", headers=staff,
                       json={"expected_version": 1, "reason": "Opis", "changes": changes}).status_code == 200
    stale = client.post(f"{V1}/records/{record_id}/corrections", headers=staff,
                        json={"expected_version": 1, "reason": "Opis", "changes": {"summary": "Trzeci"}})
    assert stale.status_code == 409 and stale.json()["code"] == "version_conflict"
    polish, english = split(stale.json()["detail"])
    assert polish.startswith("Wpis ma wersję 2, a zmianę przygotowano dla wersji 1")
    assert english == "The record is at version 2; the change was made against version 1."
    assert stale.json()["errors"][0]["field"] == "expected_version"

    ghost = "00000000-0000-4000-8000-000000000000"
    unknown = client.post(f"{V1}/network/members", headers=coordinator,
                          json={"institution_id": ghost, "joined_on": "2012-01-01"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_reference"
    polish, english = split(unknown.json()["detail"])
    assert polish == f"Nie ma instytucji o identyfikatorze {ghost}."
    assert english == f"Unknown institution: {ghost}"

    future = client.post(f"{V1}/contacts", headers=staff, json=contact_body(world, occurred_on="2999-01-01"))
    assert future.status_code == 422 and future.json()["code"] == "invalid_business_date"
    polish, english = split(future.json()["detail"])
    assert "jest z przyszłości" in polish and english.startswith("occurred_on 2999-01-01 is in the future")


def test_schema_errors_are_translated_per_field_keeping_the_type(client, world):
    staff = auth(world.tokens["staff"])
    body = contact_body(world, occurred_on="2012-02-30", with_institution_id="not-an-id", channel="pigeon",
                        unexpected=1)
    del body["summary"]
    refused = client.post(f"{V1}/contacts", headers=staff, json=body)
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_input"
    messages = errors_by_field(refused)
    for field in ("occurred_on", "with_institution_id", "channel", "summary", "unexpected"):
        polish, english = split(messages[field])
        assert polish != english and not POLISH_LETTERS.search(english), messages[field]
    assert split(messages["summary"]) == ("Pole jest wymagane", "Field required")
    assert split(messages["unexpected"])[0] == "Nieznane pole; nie jest dozwolone"
    assert split(messages["with_institution_id"])[0] == "Wartość musi być poprawnym identyfikatorem UUID"
    assert split(messages["occurred_on"]) == ("'2012-02-30' nie jest datą kalendarzową (RRRR-MM-DD)",
                                              "'2012-02-30' is not a calendar date (YYYY-MM-DD)")
    assert "'phone'" in split(messages["channel"])[0] and " lub " in split(messages["channel"])[0]
    detail = refused.json()["detail"]
    assert detail.endswith(f"(and {len(messages) - 1} more)") and "oraz 4 inne błędy" in detail


def test_length_limits_use_the_right_polish_plural(client, world):
    staff = auth(world.tokens["staff"])
    too_long = client.post(f"{V1}/contacts", headers=staff, json=contact_body(world, summary="x" * 2001))
    assert too_long.status_code == 422
    polish, english = split(errors_by_field(too_long)["summary"])
    assert polish == "Tekst może mieć najwyżej 2000 znaków" and "2000" in english


def test_a_body_that_is_not_json_is_told_in_both_languages(client, world):
    broken = client.post(f"{V1}/contacts", headers=auth(world.tokens["staff"], **{"Content-Type": "application/json"}),
                         content=b'{"summary": ')
    assert broken.status_code == 422
    polish, english = split(errors_by_field(broken)["body"])
    assert polish.startswith("Treść nie jest poprawnym JSON") and english.startswith("The body is not valid JSON")
