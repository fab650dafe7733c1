"""Rough edges a tester found in the API: internal names in problems, non-JSON bodies, repeated query
parameters, sign-offs named by id only. Each test is one complaint, answered."""

from __future__ import annotations

import pytest

from api.policy import ACTION_DESCRIPTIONS, Action
from tests.api.conftest import auth

V1 = "/api/v1"
PROBLEM = "application/problem+json"


# ------------------------------------------------------------------------ 1. no internal names in a 403
def test_every_action_has_a_polish_and_english_description():
    assert set(ACTION_DESCRIPTIONS) == set(Action)
    for action, text in ACTION_DESCRIPTIONS.items():
        polish, _, english = text.partition(" (")
        assert polish.startswith("Ta rola nie może ") and english.startswith("this role may not "), action
        assert action.value not in text


@pytest.mark.parametrize(("role", "method", "path", "body", "phrase"), [
    ("auditor", "POST", "/institutions", {"name": "Nowa", "short_name": "NOWA", "kind": "other"},
     "rejestrem instytucji"),
    ("admin", "GET", "/records", None, "rejestr"),
    ("coordinator", "GET", "/users", None, "użytkownik"),
    ("staff", "GET", "/audit/entries", None, "audyt"),
])
def test_a_403_describes_the_action_in_words_not_its_internal_name(client, world, role, method, path, body, phrase):
    response = client.request(method, V1 + path, headers=auth(world.tokens[role]), json=body)
    assert response.status_code == 403, response.text
    detail = response.json()["detail"]
    assert phrase in detail
    assert not any(action.value in detail for action in Action), detail
