"""How much native memory a PDF export leaves behind: renders the task report's PDF N times in one process
through the pages (as the server does) and prints the process's RSS every 40 renders.

    PYTHONPATH=. .venv/bin/python bench/pdf_memory.py [N]      # default 120

Before infra/exports/task_pdf.py shared one WeasyPrint FontConfiguration, 120 PDFs grew RSS by ~36 MB
(~0.3 MB each); with it, by ~1 MB. Not a test: the allocator's figures vary, the trend is what counts."""

from __future__ import annotations

import gc
import sys

from fastapi.testclient import TestClient

from api.app import create_app
from domain.application import DEFAULT_NETWORK_ID
from infra.container import bootstrap, build_container
from infra.settings import Settings
from tests.support.pages import sign_in
from tests.support.world import build_world


def rss_mb() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmRSS"))


def main(renders: int) -> None:
    container = build_container(Settings(in_memory=True))
    bootstrap(container)
    build_world(container, DEFAULT_NETWORK_ID)
    with TestClient(create_app(container), base_url="https://testserver") as client:
        sign_in(client, "auditor@example.org")
        for _ in range(5):  # warm-up: fonts, templates, caches
            client.get("/strategia/zadania/III.1.3/pobierz/pdf")
        gc.collect()
        base = rss_mb()
        print(f"RSS after warm-up: {base} MB")
        for i in range(1, renders + 1):
            assert client.get("/strategia/zadania/III.1.3/pobierz/pdf").status_code == 200
            if i % 40 == 0 or i == renders:
                gc.collect()
                print(f"after {i} PDFs: {rss_mb()} MB (+{rss_mb() - base})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 120)
