"""The coordinator imports an old register from the pages (issue 13): `/import` (a form: the file, "only the
valid rows", check or import), `/import/szablon.xlsx` (the template with the header rows).

One use case does the work, `uc.imports.import_file` (domain/use_cases/imports.py): every row is checked as a
record typed in, a rejected row is listed with its sheet, row and reason, and nothing is saved unless every row
passed or the coordinator asked for the valid rows alone.

The import runs synchronously, within a clear limit (`PAGE_MAX_ROWS` rows, and the pages' 1 MiB upload limit):
a register of that size is checked and saved in a few seconds, so the answer is the result page itself and no
background job, job table or refreshing status page is needed. A bigger register is split (each row keeps its
own idempotency key, so parts and repeats double nothing) or imported with `splot import FILE`, which shows a
progress bar and has no limit.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile  # what request.form() gives (FastAPI's UploadFile subclasses it)
from fastapi.responses import Response

from api.deps import get_container
from api.pages.i18n import request_language
from api.pages.web import PageUser, field_errors, render, say, verified_form
from domain.errors import DomainError, ValidationFailed, bilingual
from domain.policy import Action, authorize
from domain.record_kinds import RECORD_KINDS

router = APIRouter()

PAGE_MAX_ROWS = 1_000  # about 10-15 s on 2 cores (bench/import_speed.py: ~80-100 rows/s with every check)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(request: Request, user: Any, *, status_code: int = 200, report: Any = None,
          errors: dict[str, str] | None = None, values: dict[str, Any] | None = None) -> Response:
    language = request_language(request)
    problems = [{"sheet": p.sheet, "row": p.row, "field": p.field or "", "message": say(p.message, language)}
                for p in report.problems] if report else []
    kinds = [(say(RECORD_KINDS[kind].label, language), count) for kind, count in sorted(report.by_kind.items())] \
        if report else []
    return render(request, "import_form.html", user, status_code=status_code, report=report, problems=problems,
                  kinds=kinds, errors=errors or {}, values=values or {}, field_ids={"file": "file", "form": "file"},
                  max_rows=PAGE_MAX_ROWS)


@router.get("/import")
def import_form(request: Request, user: PageUser) -> Response:
    authorize(user, Action.IMPORT_RECORDS)  # the page holds no data, but only a coordinator gets it
    return _page(request, user)


@router.get("/import/szablon.xlsx")
def template(request: Request, user: PageUser) -> Response:
    content = get_container(request).use_cases.imports.template(user)
    return Response(content, media_type=XLSX, headers={
        "Content-Disposition": 'attachment; filename="splot-szablon-importu.xlsx"', "Cache-Control": "no-store"})


@router.post("/import")
async def import_file(request: Request, user: PageUser, form: dict = Depends(verified_form)) -> Response:
    language = request_language(request)
    upload = form.get("file")
    values = {"valid_only": form.get("valid_only") == "1"}
    dry_run = form.get("action") == "check"
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            authorize(user, Action.IMPORT_RECORDS)
            raise ValidationFailed(bilingual("Wybierz plik rejestru (.xlsx albo .csv).",
                                             "Choose a register file (.xlsx or .csv)."), field="file")
        content = await upload.read()
        report = get_container(request).use_cases.imports.import_file(
            user, content, upload.filename, valid_only=values["valid_only"], dry_run=dry_run, max_rows=PAGE_MAX_ROWS)
    except DomainError as error:
        if error.code == "forbidden":
            raise
        return _page(request, user, status_code=422, errors=field_errors(error, language), values=values)
    refused = bool(report.problems) and not values["valid_only"] and not dry_run  # nothing was saved
    errors = {}
    if refused:
        errors = {"file": say(bilingual(
            f"Plik ma odrzucone wiersze ({report.rejected}): niczego nie zaimportowano. Popraw je albo zaznacz "
            "import tylko poprawnych wierszy.",
            f"The file has rejected rows ({report.rejected}): nothing was imported. Fix them, or choose to import "
            "the valid rows only."), language)}
    return _page(request, user, status_code=422 if refused else 200, report=report, errors=errors, values=values)
