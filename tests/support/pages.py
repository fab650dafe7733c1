"""Driving the web pages from a test client: sign in as a person would, read a form's CSRF token."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return _CSRF.search(response.text).group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> None:
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"csrf_token": token, "email": email, "password": password, "next": "/"},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/"
