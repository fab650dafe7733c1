"""The difference between two published versions of a task's report (issue 10):
`/strategia/zadania/{code}/porownanie?z=1&do=2` lists every indicator and stage cell that differs (old →
new, with its year), every rule that changed (in words, before and after), and the two publications'
titles and dates; "no difference" when there is none. One use case: `uc.strategy.compare_publications`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import get_container
from api.pages.i18n import request_language, translations
from api.pages.strategy import shown
from api.pages.web import PageUser, render

router = APIRouter()


def _number(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) <= 9 and int(text) > 0 else None


@router.get("/strategia/zadania/{code}/porownanie")
def compare(request: Request, code: str, user: PageUser, z: str = "",
            do: str = Query("", alias="do")) -> Response:
    language = request_language(request)
    first, second = _number(z), _number(do)
    if first is None or second is None:
        message = translations(language).gettext(
            "Choose two published versions of the task's report from the list on the task's page.")
        return render(request, "strategy_compare.html", user, status_code=400, code=code, comparison=None,
                      errors={"compare": message}, field_ids={"compare": "compare-link"})
    comparison = get_container(request).use_cases.strategy.compare_publications(user, code, first, second)
    return render(request, "strategy_compare.html", user, code=code, comparison=comparison, errors={}, field_ids={},
                  figure=lambda value, percent=False: _figure(value, language, percent), language=language)


def _figure(value: Any, language: str, percent: bool) -> dict[str, Any]:
    """A cell as the task page writes it ("–", "bd", 0 and numbers apart); absent from a version: "none"."""
    return shown(value, language, percent=percent)
