"""A subject-access export (RODO art. 15): everything Splot holds about one contact person, as JSON or PDF.

Both are made from `domain.use_cases.privacy.SubjectAccess`, which holds the person's directory entry and
the records naming them — never the other persons of those records. The PDF goes through the same
WeasyPrint setup as the task reports (task_pdf.py: local font files only, tagged PDF/UA-1); the CLI and
the DPO's page call the same two functions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape

from domain.errors import bilingual
from domain.use_cases.privacy import SubjectAccess
from infra.exports.stamp import long_date, warsaw_time
from infra.exports.task_pdf import FONT_STACK, font_faces, html_to_pdf

# The pages' vendored Open Sans (scripts/vendor-frontend.sh): a folder of files, read by path, not imported.
FONTS = Path(__file__).resolve().parents[2] / "api" / "static" / "frontend" / "fonts"

W = {  # the document's words: (Polish, English)
    "title": ("Dane osobowe osoby kontaktowej", "Personal data of a contact person"),
    "intro": ("Informacja o danych osobowych przetwarzanych w systemie Splot (art. 15 RODO), sporządzona dla:",
              "What the Splot system holds about a person (GDPR art. 15), prepared for:"),
    "entry": ("Wpis w katalogu osób", "Directory entry"),
    "name": ("Imię i nazwisko", "Name"), "position": ("Stanowisko lub funkcja", "Position or role"),
    "email": ("E-mail", "E-mail"), "phone": ("Telefon", "Phone"), "institution": ("Instytucja", "Institution"),
    "firm": ("Firma", "Firm"), "added": ("Dodano", "Added"), "changed": ("Ostatnia zmiana", "Last changed"),
    "records": ("Wpisy, w których osoba występuje", "Records naming the person"),
    "none": ("Żaden wpis nie wymienia tej osoby.", "No record names this person."),
    "kind": ("Rodzaj", "Kind"), "date": ("Data zdarzenia", "Date"), "record_title": ("Tytuł", "Title"),
    "institutions": ("Instytucje", "Institutions"), "recorded": ("Zapisał(a), kiedy", "Recorded by, when"),
    "status": ("Stan", "Status"), "active": ("aktualny", "current"), "retracted": ("wycofany", "retracted"),
    "earlier": ("osoba wymieniona we wcześniejszej wersji wpisu", "named in an earlier version of the record"),
    "purpose": ("Cel i podstawa: rejestr współpracy instytucji otoczenia biznesu i sprawozdawczość ze strategii "
                "rozwoju miasta (art. 6 ust. 1 lit. e i c RODO). Okres przechowywania: dane osoby, której nie "
                "wymienia żaden wpis od {years} lat, są przeglądane przez inspektora ochrony danych i usuwane.",
                "Purpose and ground: the register of cooperation of business-support institutions and reporting on "
                "the city's development strategy (GDPR art. 6(1)(e) and (c)). Retention: a person no record has "
                "named for {years} years is reviewed by the data-protection officer and erased."),
    "generated": ("Sporządzono", "Generated"), "controller": ("Gmina", "Municipality"),
}


def _w(key: str, language: str, **values: Any) -> str:
    pl, en = W[key]
    return (en if language == "en" else pl).format(**values)


def subject_data(access: SubjectAccess) -> dict[str, Any]:
    """The export as plain data (ids, ISO dates, both languages where words are shown)."""
    p = access.person
    return {
        "generated_at": access.generated_at.isoformat(),
        "municipality": access.municipality,
        "legal_basis": "RODO art. 15 / GDPR art. 15",
        "person": {"id": str(p.id), "name": p.name, "position": p.position, "email": p.email, "phone": p.phone,
                   "institution": p.institution_name, "firm": p.firm_name, "added_at": p.added_at,
                   "changed_at": p.changed_at},
        "records": [{"id": r.record_id, "kind": r.kind, "kind_pl": r.kind_label.pl, "kind_en": r.kind_label.en,
                     "occurred_on": r.occurred_on, "title": r.title, "status": r.status,
                     "institutions": r.institutions, "recorded_at": r.recorded_at, "recorded_by": r.recorded_by,
                     "recorded_for": r.recorded_for, "last_changed_at": r.changed_at,
                     "last_changed_by": r.changed_by, "named_in_current_version": r.named_now}
                    for r in access.records],
        "retention_years": access.retention_years,
    }


def subject_json(access: SubjectAccess) -> bytes:
    return json.dumps(subject_data(access), ensure_ascii=False, indent=2).encode("utf-8")


_TEMPLATE = """<!doctype html>
<html lang="{{ language }}"><head><meta charset="utf-8"><title>{{ w('title') }} – {{ p.name }}</title>
<style>{{ fonts }}
body { font-family: {{ font_stack }}; font-size: 10pt; }
h1 { font-size: 16pt; } h2 { font-size: 12pt; margin-top: 1.5em; }
table { border-collapse: collapse; width: 100%; } th, td { border: 0.5pt solid #505a5f; padding: 3pt; text-align: left;
vertical-align: top; } th { background: #f3f2f1; } dl { display: grid; grid-template-columns: 35% 65%; }
dt { font-weight: 700; } .small { font-size: 8.5pt; color: #505a5f; }
@page { size: A4 landscape; margin: 15mm; }</style></head>
<body>
<h1>{{ w('title') }}</h1>
<p>{{ w('intro') }} <strong>{{ p.name }}</strong>.</p>
<p class="small">{{ w('controller') }}: {{ access.municipality }}. {{ w('generated') }}: {{ generated }}.</p>
<h2>{{ w('entry') }}</h2>
<table><tbody>
{% for key, value in entry %}<tr><th scope="row">{{ w(key) }}</th><td>{{ value or "–" }}</td></tr>{% endfor %}
</tbody></table>
<h2>{{ w('records') }}</h2>
{% if access.records %}
<table><thead><tr><th scope="col">{{ w('date') }}</th><th scope="col">{{ w('kind') }}</th>
<th scope="col">{{ w('record_title') }}</th><th scope="col">{{ w('institutions') }}</th>
<th scope="col">{{ w('recorded') }}</th><th scope="col">{{ w('status') }}</th></tr></thead><tbody>
{% for r in access.records %}<tr><td>{{ day(r.occurred_on) }}</td><td>{{ r.kind_label.in_language(language) }}</td>
<td>{{ r.title }}</td><td>{{ r.institutions|join(", ") }}</td>
<td>{{ r.recorded_by }}{% if r.recorded_for %} ({{ r.recorded_for }}){% endif %}, {{ when(r.recorded_at) }}</td>
<td>{{ w(r.status) }}{% if not r.named_now %}; {{ w('earlier') }}{% endif %}</td></tr>{% endfor %}
</tbody></table>
{% else %}<p>{{ w('none') }}</p>{% endif %}
<p class="small">{{ w('purpose', years=access.retention_years) }}</p>
</body></html>"""

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def subject_html(access: SubjectAccess, language: str, *, fonts: Path = FONTS) -> str:
    p = access.person
    entry = [("name", p.name), ("position", p.position), ("email", p.email), ("phone", p.phone),
             ("institution", p.institution_name), ("firm", p.firm_name),
             ("added", warsaw_time(p.added_at, language) if p.added_at else None),
             ("changed", warsaw_time(p.changed_at, language) if p.changed_at else None)]
    return _ENV.from_string(_TEMPLATE).render(
        access=access, p=p, entry=entry, language=language, fonts=font_faces(fonts), font_stack=FONT_STACK,
        generated=warsaw_time(access.generated_at, language), w=lambda key, **v: _w(key, language, **v),
        day=lambda d: long_date(d, language), when=lambda t: warsaw_time(t, language))


def subject_pdf(access: SubjectAccess, language: str, *, fonts: Path = FONTS) -> bytes:
    return html_to_pdf(subject_html(access, language, fonts=fonts), allowed=[fonts])


def subject_filename(access: SubjectAccess, extension: str) -> str:
    """`dane-osoby-<first 8 of the id>-<day>.<ext>`: no name in the file name (it travels in logs and mail)."""
    return f"dane-osoby-{str(access.person.id)[:8]}-{access.generated_at.date().isoformat()}.{extension}"


EXPORT_NOTE = bilingual("Wydanie danych zostało zapisane w śladzie audytowym.",
                        "The export has been recorded in the audit trail.")
