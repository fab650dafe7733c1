"""Generated stores for the benchmarks, cached under var/bench/ by size, seed and code version.

    PYTHONPATH=. .venv/bin/python bench/stores.py --events 1000000      # make (or reuse) it; prints its path

A store is `var/bench/store-<events>-s<seed>-<version>/var/` (events, views, directory: the layout
`bench/rebuild.py --store` expects) with `made.json` beside it once it is complete: generated through the
domain by bench/event_generator.py, then the read models caught up once. `<version>` is a hash of the code
that decides what is written (domain/, infra/, projections/ and the generator), so a store made by older code
is made again; older versions of the same size and seed are deleted then (a 1M store is several GB).
Benchmarks that write must work on a copy (`copy_of`); the others open it read-only in spirit.
While developing (code changing under you), SPLOT_BENCH_ANY_VERSION=1 reuses the newest complete store of the
size and seed whatever code made it (the document then names that store's version, not the code's).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "bench"
CODE = ("domain", "infra", "projections")
CODE_FILES = ("bench/event_generator.py", "bench/stores.py")


def code_version(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    files = sorted(p for d in CODE for p in (root / d).rglob("*.py")) + [root / f for f in CODE_FILES]
    for path in files:
        if path.exists():
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def store_path(events: int, seed: int = 13, *, cache: Path = CACHE, version: str | None = None) -> Path:
    return cache / f"store-{events}-s{seed}-{version or code_version()}"


def made(path: Path) -> dict | None:
    """What made the store (events, seconds), or None when it is not complete."""
    try:
        return json.loads((path / "made.json").read_text())
    except (OSError, ValueError):
        return None


def ensure(events: int, seed: int = 13, *, cache: Path = CACHE, log=print) -> tuple[Path, dict]:
    """The cached store of this size and seed for the current code, made first if needed."""
    path = store_path(events, seed, cache=cache)
    if os.environ.get("SPLOT_BENCH_ANY_VERSION") == "1" and made(path) is None:
        complete = sorted((p for p in cache.glob(f"store-{events}-s{seed}-*") if made(p)), key=lambda p: p.stat().st_mtime)
        path = complete[-1] if complete else path
    info = made(path)
    if info is not None:
        log(f"reusing the generated store {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} "
            f"({info['events']:,} events, made in {info['generate_seconds'] + info['catch_up_seconds']:,.0f} s)")
        return path, {**info, "reused": True}
    shutil.rmtree(path, ignore_errors=True)
    for old in cache.glob(f"store-{events}-s{seed}-*"):  # older code's stores of this size
        shutil.rmtree(old, ignore_errors=True)
    path.mkdir(parents=True)
    log(f"generating a store of {events:,} events (seed {seed}) in {path} ...")
    info = _generate(path, events, seed, log)
    (path / "made.json").write_text(json.dumps(info))
    log(f"  {info['events']:,} events in {info['generate_seconds']:,.0f} s "
        f"({info['events'] / info['generate_seconds']:,.0f} events/s), read models caught up in "
        f"{info['catch_up_seconds']:,.0f} s")
    return path, {**info, "reused": False}


def _generate(path: Path, events: int, seed: int, log) -> dict:
    sys.path.insert(0, str(ROOT))
    from bench.event_generator import generate
    from infra.container import bootstrap, build_container
    from infra.settings import Settings

    container = build_container(Settings(data_dir=path / "var"))
    try:
        bootstrap(container)
        done = [0]

        def progress(n: int) -> None:
            done[0] += n
            if done[0] // 100_000 != (done[0] - n) // 100_000:
                log(f"  {done[0]:,} events")

        result = generate(container, events=events, seed=seed, progress=progress)
        began = time.perf_counter()
        container.runner.catch_up()
        caught_up = time.perf_counter() - began
    finally:
        container.close()
    return {"events": result.events, "records": result.records, "corrections": result.corrections,
            "retractions": result.retractions, "seed": seed, "generate_seconds": result.seconds,
            "catch_up_seconds": caught_up}


def copy_of(path: Path, target: Path) -> Path:
    """A copy of a cached store to write to (`target` / var)."""
    shutil.copytree(path / "var", target / "var", ignore=shutil.ignore_patterns("splot.lock"))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--path-only", action="store_true", help="print where the store would be, make nothing")
    args = parser.parse_args(argv)
    if args.path_only:
        print(store_path(args.events, args.seed))
        return 0
    path, info = ensure(args.events, args.seed, log=lambda m: print(m, file=sys.stderr, flush=True))
    print(json.dumps({"path": str(path), **info}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
