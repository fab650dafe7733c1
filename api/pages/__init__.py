"""The web pages: server-rendered HTML for staff, coordinators and auditors, beside the JSON API.

Each page module parses a form or a query, calls one use case (domain/use_cases/) and renders a
template; no rule lives here (tests/test_layers.py). `install_pages(app)` mounts the router, the
static files, and the pages' own answers to errors (a page, never problem+json).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from api.errors import register_error_renderer
from api.pages import account, home, records, second_factor, setup
from api.pages import closing
from api.pages import admin, profile
from api.pages.audit import router as audit_router
from api.pages.calendar import router as calendar_router
from api.pages.directory import router as directory_router
from api.pages.exports import router as exports_router
from api.pages.strategy import router as strategy_router
from api.pages.strategy_changes import router as strategy_changes_router
from api.pages.i18n import request_language
from api.pages.network import router as network_router
from api.pages.privacy import router as privacy_router
from api.pages.practices import router as practices_router
from api.pages.shared_networks import router as shared_networks_router
from api.pages.imports import router as imports_router
from api.pages.strategy_versions import router as strategy_versions_router
from api.pages.web import RefusedForm, SignInRequired, render_error, see_other

STATIC_DIR = Path(__file__).parent.parent / "static"
ROUTERS = [account.router, home.router, records.router, setup.router, second_factor.router]
ROUTERS.append(directory_router)  # the directory: institutions, clusters, firms, contact persons
ROUTERS.append(closing.router)  # reporting years: sign-offs, closing, reopening, published versions
ROUTERS.append(audit_router)  # the audit trail, its CSV and XLSX, the hash chain
ROUTERS.append(strategy_changes_router)  # the coordinator changes targets, values, stages, rules (before the
# strategy's own router: its /strategia/wskazniki/{code}/{year} would take .../zmiana for a year)
ROUTERS.append(strategy_router)  # the strategy: tasks, indicator tables and charts, drill-downs
ROUTERS.extend([admin.router, profile.router])  # administration (users), the profile (API tokens, password links)
ROUTERS.append(exports_router)  # downloads: a task's CSV, XLSX and PDF; the drill-down and the register as CSV and XLSX
ROUTERS.append(strategy_versions_router)  # the difference between two published versions of a task's report
ROUTERS.append(network_router)  # the network picture: who met whom and how often in a year
ROUTERS.append(privacy_router)  # personal data: the privacy notice, the DPO's subject access, erasure, retention
from api.pages import investor, investor_sites  # noqa: E402 (beside its one-line registration)
ROUTERS.extend([investor.router, investor_sites.router])  # investor service: inquiries, indicators, training; sites
ROUTERS.extend([shared_networks_router, practices_router])  # shared networks, their comparison, good practices (issue 14)
ROUTERS.append(calendar_router)  # the joint events calendar, its forms and iCalendar feeds (issue 14)
ROUTERS.append(imports_router)  # the coordinator imports an old register from CSV or XLSX (issue 13)


def install_pages(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    register_error_renderer(app, render_error)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired):
        return see_other(f"/login?next={request.url.path}")

    @app.exception_handler(RefusedForm)
    async def _refused(request: Request, exc: RefusedForm):
        language = request_language(request)
        detail = ("The form was not sent from this site or has expired: reload the page and try again."
                  if language == "en" else
                  "Formularz nie został wysłany z tej strony albo wygasł: odśwież stronę i spróbuj ponownie.")
        return render_error(request, 403, "csrf_refused", detail, [], None)
