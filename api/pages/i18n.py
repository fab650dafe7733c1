"""The pages' languages: Polish first, English too.

Templates are written with English message ids (`{{ _("Sign in") }}`); the Polish catalogue
(`locale/pl/LC_MESSAGES/messages.po`, Polish plural forms) translates them. The catalogues are read
with Babel when the app starts, so no compile step is needed. One Jinja environment per language: the
gettext functions are bound per environment, never switched on a shared one (not thread-safe).

The language of a request: `?lang=` (then remembered in a cookie), else the cookie, else the browser's
Accept-Language, else Polish.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import Request

LANGUAGES = ("pl", "en")
DEFAULT_LANGUAGE = "pl"
LANGUAGE_COOKIE = "splot_lang"
LOCALE_DIR = Path(__file__).parent / "locale"
WARSAW = "Europe/Warsaw"


@lru_cache(maxsize=None)
def translations(language: str) -> Translations:
    """The catalogue of a language, compiled in memory from every .po file of it (one file per area of
    the pages, so each area keeps its own messages); English shows the ids themselves."""
    merged: Translations | None = None
    for po_file in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po")):
        with po_file.open("rb") as source:
            catalog = read_po(source, locale=language)
        compiled = BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        translations_of_file = Translations(fp=compiled)
        if merged is None:
            merged = translations_of_file  # the first keeps its plural rule (Polish: three forms)
        else:
            merged.merge(translations_of_file)
    return merged or Translations()


def request_language(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(LANGUAGE_COOKIE)
    if remembered in LANGUAGES:
        return remembered
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag[:2] in LANGUAGES:
            return tag[:2]
    return DEFAULT_LANGUAGE


def long_date(value: date | str | None, language: str) -> str:
    """"5 marca 2013" / "5 March 2013"."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return format_date(value, "d MMMM y", locale=Locale.parse(language))


def date_time(value: datetime | str | None, language: str) -> str:
    """A recorded time in Europe/Warsaw, with the zone said: "5 marca 2013, 14:05 (czas warszawski)"."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    shown = format_datetime(value, "d MMMM y, HH:mm", tzinfo=WARSAW, locale=Locale.parse(language))
    return f"{shown} ({'Warsaw time' if language == 'en' else 'czas warszawski'})"
