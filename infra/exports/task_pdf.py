"""HTML for print → PDF with WeasyPrint, reading nothing but local files.

- `LocalFilesOnly`: WeasyPrint's URL fetcher restricted to `file:` URLs inside the folders given (the
  fonts); anything else — http(s), data:, a file elsewhere — is refused, and the refusal stops the
  rendering rather than leaving a gap in the document.
- `font_faces(folder)`: @font-face rules for the vendored Open Sans (latin and latin-ext, so Polish letters
  are drawn by the embedded font), with file URLs.
- `html_to_pdf(html, allowed=...)`: tagged for accessibility where WeasyPrint can (PDF/UA-1 with
  `pdf_tags`); the title and the language come from the HTML's `<title>` and `<html lang>`.

The HTML itself (the task report in the strategy's layout, with the task page's charts) is the pages'
template `print_task.html`: the charts are drawn by the pages (api/pages/charts.py), above this layer.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterable
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, path2url

PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}
# One font configuration for every PDF, used by one render at a time: a new one per render (WeasyPrint's
# default) left about 0.3 MB of native memory behind each PDF, which the soak run saw as a server growing
# ~8 MB a minute. Fontconfig/Pango state is not safe to share between threads, hence the lock.
_FONTS = FontConfiguration()
_RENDERING = threading.Lock()
# The vendored Open Sans files (scripts/vendor-frontend.sh): (file name, weight, style).
OPEN_SANS = [(f"open-sans-{subset}-{weight}-{style}.woff2", weight, style)
             for subset in ("latin", "latin-ext") for weight, style in (("400", "normal"), ("700", "normal"),
                                                                       ("400", "italic"))]
_RANGES = {"latin": "U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+2000-206F, U+20AC, "
                    "U+2122, U+2191, U+2193, U+2212, U+2215, U+FEFF, U+FFFD",
           "latin-ext": "U+0100-02BA, U+02BD-02C5, U+02C7-02CC, U+02CE-02D7, U+02DD-02FF, U+1E00-1E9F, U+20A0-20AB, "
                        "U+20AD-20C0, U+2113, U+2C60-2C7F, U+A720-A7FF"}


class RefusedResource(FatalURLFetchingError):
    """A document asked for something other than a local file in an allowed folder."""


class LocalFilesOnly(URLFetcher):
    """Fetches `file:` URLs inside `allowed` folders only; refuses everything else (nothing leaves the server)."""

    def __init__(self, allowed: Iterable[Path]) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, fail_on_errors=True)
        self.allowed = [Path(folder).resolve() for folder in allowed]

    def fetch(self, url, headers=None):  # noqa: D401 - WeasyPrint's signature
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedResource(f"refused (not a local file): {url[:100]}")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(folder) for folder in self.allowed) or not path.is_file():
            raise RefusedResource(f"refused (outside the allowed folders): {url[:100]}")
        return super().fetch(url, headers)


FAMILIES = {"latin": "Open Sans", "latin-ext": "Open Sans Ext"}
FONT_STACK = '"Open Sans", "Open Sans Ext", sans-serif'


def font_faces(folder: Path) -> str:
    """@font-face rules for the Open Sans files in `folder`, by file URL. The latin-ext subset gets a family of
    its own, named after the latin one in `FONT_STACK`: under one family name split by unicode-range,
    WeasyPrint 70 mixed the two files' glyph maps in the PDF's text layer (pdftotext read "ę" as "m")."""
    rules = []
    for name, weight, style in OPEN_SANS:
        path = Path(folder) / name
        if not path.is_file():
            continue
        subset = "latin-ext" if "latin-ext" in name else "latin"
        rules.append(f'@font-face {{ font-family: "{FAMILIES[subset]}"; font-weight: {weight}; font-style: {style}; '
                     f'src: url("{path2url(str(path.resolve()))}") format("woff2"); '
                     f'unicode-range: {_RANGES[subset]}; }}')
    return "\n".join(rules)


def html_to_pdf(html: str, *, allowed: Iterable[Path]) -> bytes:
    """The PDF of `html` (which names its fonts by file URL inside `allowed`); tagged, PDF/UA-1."""
    folders = list(allowed)
    base = folders[0] if folders else Path("/nonexistent")
    document = HTML(string=html, base_url=path2url(str(Path(base).resolve())) + "/",
                    url_fetcher=LocalFilesOnly(folders))
    with _RENDERING:
        return document.write_pdf(font_config=_FONTS, **PDF_OPTIONS)
