"""The vendored front-end files load with no request leaving the machine and none failing.

api/static/frontend/ is built by scripts/vendor-frontend.sh (GOV.UK Frontend's CSS for Open Sans).
The servers have no internet, so every url() in the CSS must be a vendored file or a data: URI, and a
404 for a font counts as a failed page load.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "api" / "static" / "frontend"
ASSETS_URL = "/static/frontend/"  # where the web app serves FRONTEND (the script's ASSETS_URL)
CSS_FILES = ["govuk-frontend.min.css", "open-sans.css"]
LATIN_EXT = range(0x0100, 0x0250)  # Latin Extended-A and -B
POLISH = "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"

URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)")
FONT_FACE = re.compile(r"@font-face\s*\{([^}]*)\}")


def css_text(name: str) -> str:
    return (FRONTEND / name).read_text(encoding="utf-8")


def descriptor(block: str, name: str) -> str:
    found = re.search(rf"(?:^|;)\s*{name}\s*:\s*([^;]+)", block)
    return found.group(1).strip() if found else ""


def unicode_ranges(value: str) -> list[range]:
    ranges = []
    for part in value.split(","):
        start, _, end = part.strip().removeprefix("U+").removeprefix("u+").partition("-")
        ranges.append(range(int(start, 16), int(end or start, 16) + 1))
    return ranges


def open_sans_faces() -> list[dict]:
    faces = []
    for block in FONT_FACE.findall(css_text("open-sans.css")):
        faces.append({
            "family": descriptor(block, "font-family").strip("'\""),
            "weight": descriptor(block, "font-weight"),
            "style": descriptor(block, "font-style"),
            "display": descriptor(block, "font-display"),
            "urls": [url for _, url in URL.findall(block)],
            "ranges": unicode_ranges(descriptor(block, "unicode-range")),
        })
    return faces


def target(css_name: str, url: str) -> Path:
    """The vendored file a url() in css_name asks the browser for."""
    if url.startswith(ASSETS_URL):
        return FRONTEND / url.removeprefix(ASSETS_URL)
    return (FRONTEND / css_name).parent / url


@pytest.mark.parametrize("css_name", CSS_FILES)
def test_every_url_is_a_vendored_file_or_a_data_uri(css_name):
    for _, url in URL.findall(css_text(css_name)):
        if url.startswith("data:"):
            continue
        assert not re.match(r"^([a-z][a-z0-9+.-]*:)?//", url, re.I), f"{css_name} loads {url} off the machine"
        path = target(css_name, url.split("?")[0].split("#")[0]).resolve()
        assert path.is_relative_to(FRONTEND.resolve()), f"{css_name}: {url} is outside {FRONTEND}"
        assert path.is_file(), f"{css_name}: {url} would be a 404"


@pytest.mark.parametrize("css_name", CSS_FILES)
def test_no_gds_transport_font_and_no_crown(css_name):
    text = css_text(css_name)
    for block in FONT_FACE.findall(text):
        assert "gds transport" not in block.lower()
    assert "GDS Transport" not in text
    assert "govuk-crest" not in text


def test_govuk_frontend_is_set_in_open_sans():
    families = set(re.findall(r"font-family:\s*([^;}]+)", css_text("govuk-frontend.min.css")))
    assert '"Open Sans",arial,sans-serif' in {family.replace(", ", ",") for family in families}


def test_only_woff2_fonts_are_vendored_and_each_is_a_woff2_file():
    fonts = sorted((FRONTEND / "fonts").iterdir())
    assert fonts
    for font in fonts:
        assert font.suffix == ".woff2", font.name
        assert font.read_bytes()[:4] == b"wOF2", f"{font.name} is not a woff2 file"


@pytest.mark.parametrize(("weight", "style"), [("400", "normal"), ("700", "normal")])
def test_open_sans_latin_ext_covers_polish(weight, style):
    faces = [
        face for face in open_sans_faces()
        if face["family"] == "Open Sans" and face["weight"] == weight and face["style"] == style
    ]
    assert faces, f"no Open Sans {weight} {style}"
    latin_ext = [face for face in faces if all(any(cp in r for r in face["ranges"]) for cp in LATIN_EXT)]
    assert latin_ext, f"no Open Sans {weight} {style} font file covers U+0100-024F"
    for face in latin_ext:
        assert face["urls"] and all(url.endswith(".woff2") for url in face["urls"])
        assert all(target("open-sans.css", url).is_file() for url in face["urls"])
    for letter in POLISH:
        assert any(ord(letter) in r for face in faces for r in face["ranges"]), f"{letter} has no font file"


def test_open_sans_faces_swap_and_stay_in_latin_subsets():
    faces = open_sans_faces()
    assert faces
    for face in faces:
        assert face["display"] == "swap"
        for url in face["urls"]:
            assert re.search(r"-latin(-ext)?-\d{3}-(normal|italic)\.woff2$", url), url


def test_licences_are_vendored():
    licences = {path.name: path.read_text(encoding="utf-8") for path in (FRONTEND / "licences").iterdir()}
    assert "MIT License" in licences["LICENSE-govuk-frontend.txt"]
    assert "SIL Open Font License" in licences["OFL-open-sans.txt"]
