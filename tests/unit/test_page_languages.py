"""The pages' catalogues: Polish plural forms survive the merging of the per-area files, and every
message id a template uses has a Polish translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

from api.pages.i18n import LOCALE_DIR, translations

PAGES = Path(__file__).resolve().parents[2] / "api" / "pages"


def test_polish_plural_forms_after_merging_every_catalogue():
    polish = translations("pl")
    assert polish.plural(1) == 0 and polish.plural(3) == 1 and polish.plural(5) == 2 and polish.plural(22) == 1
    assert polish.plural(12) == 2 and polish.plural(112) == 2


def test_every_message_of_the_templates_and_pages_has_a_polish_translation():
    polish = translations("pl")
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True",
                                        "lstrip_blocks": "True"}}
    missing = []
    for filename, _, message, *_ in extract_from_dir(str(PAGES), method_map, options_map=options):
        msgid = message[0] if isinstance(message, tuple) else message
        key = (msgid, 0) if isinstance(message, tuple) else msgid  # a plural message is kept per form
        if msgid and key not in polish._catalog:  # a translation may equal its id ("Menu", "E-mail")
            missing.append(f"{filename}: {msgid}")
    assert not missing, "no Polish for:\n  " + "\n  ".join(missing)
    assert (LOCALE_DIR / "pl" / "LC_MESSAGES" / "messages.po").exists()
