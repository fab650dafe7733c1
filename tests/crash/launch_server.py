"""The crash suite's server: `uvicorn api.app:create_app` on 127.0.0.1:PORT over the store that the
environment names (SPLOT_DATA_DIR or SPLOT_DATABASE_URL), as `splot serve` runs it.

With SPLOT_CRASH_FAULT=ack-before-save it is the suite's negative control: a deliberately split
commit. `Splot.save` returns at once — the request answers 2xx — and the events are written later:
when the next request arrives (before anything of it runs, so the next write still sees them) or
after SPLOT_CRASH_FAULT_DELAY seconds (default 5). A kill in between loses a write the client saw
acknowledged, which the suite must report. Test-only: nothing in api/, infra/ or domain/ knows of it.
"""

from __future__ import annotations

import os
import sys
import threading

import uvicorn


def install_ack_before_save(delay: float):
    """Patches `Splot.save`; returns `flush`, which writes what was deferred."""
    from domain.application import Splot

    original = Splot.save
    lock = threading.RLock()
    deferred: list = []  # at most one (app, objs, kwargs) waiting to be written

    def flush() -> None:
        with lock:
            while deferred:
                app, objs, kwargs = deferred.pop(0)
                try:
                    original(app, *objs, **kwargs)
                except Exception:  # noqa: BLE001 - a deferred write that fails is simply lost
                    pass

    def save(self, *objs, **kwargs):
        with lock:
            flush()
            deferred.append((self, objs, kwargs))
            timer = threading.Timer(delay, flush)
            timer.daemon = True
            timer.start()
        return []  # no recordings: the answer carries no log position

    Splot.save = save
    return flush


def faulty_app_factory(flush):
    """`api.app:create_app()` behind a middleware that writes the deferred events first."""
    from api.app import create_app

    def factory():
        inner = create_app()

        async def app(scope, receive, send):
            if scope["type"] == "http":
                flush()
            await inner(scope, receive, send)

        return app

    return factory


def main() -> None:
    port = int(sys.argv[1])
    fault = os.environ.get("SPLOT_CRASH_FAULT", "")
    app: object = "api.app:create_app"
    if fault == "ack-before-save":
        app = faulty_app_factory(install_ack_before_save(float(os.environ.get("SPLOT_CRASH_FAULT_DELAY", "5"))))
    elif fault:
        raise SystemExit(f"unknown SPLOT_CRASH_FAULT {fault!r}")
    uvicorn.run(app, factory=True, host="127.0.0.1", port=port, log_level="warning",
                access_log=False)


if __name__ == "__main__":
    main()
