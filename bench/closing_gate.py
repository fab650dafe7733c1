"""What the closing gate costs a write (issue 11, defect 3): records per second through
`Splot.records.record` on a SQLite store, from one thread and from four, and log events per record.

Run: PYTHONPATH=. .venv/bin/python bench/closing_gate.py [N]   (docs/reliability.md has the figures;
run it on the commit before d09a135 for the figures without the gate)
"""
import sys, time, threading, tempfile
from datetime import date
from pathlib import Path
from domain.application import DEFAULT_NETWORK_ID as NET
from domain.values import Actor
from infra.container import open_container
from infra.settings import Settings
from tests.support.world import build_world

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
with tempfile.TemporaryDirectory() as tmp, open_container(Settings(data_dir=Path(tmp) / "var")) as c:
    w = build_world(c, NET)
    app = c.app
    def write(i):
        app.records.record("contact", {"network_id": NET, "occurred_on": date(2012, 1 + i % 12, 1 + i % 28),
            "institution_id": w.riph, "with_institution_id": w.citt, "channel": "phone", "summary": f"K{i}"},
            Actor(user_id="s", institution_id=w.riph))
    t = time.perf_counter()
    for i in range(N): write(i)
    one = N / (time.perf_counter() - t)
    before = app.recorder.max_notification_id()
    def worker(k):
        for i in range(N // 4): write(100000 * (k + 1) + i)
    ts = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    t = time.perf_counter()
    [x.start() for x in ts]; [x.join() for x in ts]
    four = N / (time.perf_counter() - t)
    rows = (app.recorder.max_notification_id() - before) / N
    print(f"1 thread: {one:.0f} records/s; 4 threads: {four:.0f} records/s; events per record: {rows:.2f}")
