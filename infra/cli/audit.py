"""`splot verify` and `splot checkpoint export`: the audit chain from the command line.

Exit codes: 0 the log verifies; 1 it does not (the first event that does not check is named);
2 the check could not be made (no chain in this store, unreadable or untrusted checkpoint).
`splot verify --read-models` checks the read models instead: 0 they equal a rebuild from the log,
1 some row differs (each is named: table, key, column, live vs rebuilt).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Iterator, Optional

import typer
from contextlib import contextmanager
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from infra.audit_chain import is_chained
from infra.checkpoints import (
    CheckpointError,
    CheckpointUnreadable,
    LogDoesNotVerify,
    create_checkpoint,
    default_checkpoint_path,
    load_checkpoint,
    load_or_create_key,
    write_checkpoint,
)
from infra.cli.common import cli_container
from infra.container import Container, scratch_runner
from infra.settings import Settings, load_settings
from infra.verify import compare_read_models, verify_log

console = Console(stderr=True)
checkpoint_app = typer.Typer(help="Podpisane punkty kontrolne łańcucha audytowego "
                                  "(signed checkpoints of the audit chain).", no_args_is_help=True)


@contextmanager
def _event_store(settings: Settings) -> Iterator[Container]:
    """The store, not bootstrapped (checking the log must not add to it); exit 2 when it keeps no chain."""
    with cli_container(settings, bootstrap=False) as container:
        if not is_chained(container.app.recorder):
            console.print("[red]This store keeps no audit chain (in-memory store).[/red]")
            raise typer.Exit(2)
        yield container


@contextmanager
def _progress(label: str, total: int) -> Iterator[Progress]:
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                  transient=False, disable=total < 10_000) as progress:
        yield progress


def run_verify(settings: Settings, checkpoint_file: Path | None) -> int:
    """The whole `verify` command; returns the exit code (kept apart from Typer so tests can call it)."""
    checkpoint = None
    if checkpoint_file is not None:
        trusted = None
        if settings.key_file.exists():
            trusted = load_or_create_key(settings.key_file).public_key()
        else:
            console.print(f"[yellow]No signing key at {settings.key_file}: checking the checkpoint's signature "
                          "against the key it carries only.[/yellow]")
        try:
            checkpoint = load_checkpoint(checkpoint_file, trusted)
        except CheckpointError as error:
            console.print(f"[red]Checkpoint rejected:[/red] {escape(str(error))}")
            return 2 if isinstance(error, CheckpointUnreadable) else 1
    with _event_store(settings) as container:
        recorder = container.app.recorder
        total = recorder.count_events()
        started = time.perf_counter()
        with _progress("verifying the audit chain", total) as progress:
            task = progress.add_task("verify", total=total or None)
            result = verify_log(recorder, checkpoint=checkpoint, progress=lambda n: progress.advance(task, n))
        elapsed = time.perf_counter() - started
    if result.finding is not None:
        console.print(f"[red]The log does not verify.[/red] First event that does not check:\n  "
                      f"{escape(result.finding.describe())}")
        return 1
    against = f"; matches the signed checkpoint at position {result.checkpoint_seq}" if checkpoint else ""
    console.print(f"[green]OK[/green]: {result.events_checked} events verified in {elapsed:.2f} s; chain head "
                  f"position {result.head_seq}, hash {result.head_hash}{against}.")
    return 0


def run_verify_read_models(settings: Settings, *, limit: int = 200) -> int:
    """Every read model rebuilt from the log into a scratch database and compared with the live one."""
    with cli_container(settings, bootstrap=False) as container:
        scratch_dir = settings.data_dir if settings.postgres is None and not settings.in_memory else None
        with tempfile.TemporaryDirectory(prefix="splot-verify-", dir=scratch_dir) as tmp:
            scratch = scratch_runner(container, Path(tmp) / "rebuilt.sqlite3")
            started = time.perf_counter()
            try:
                result = compare_read_models(container.runner, scratch, limit=limit)
            finally:
                scratch.db.close()
            elapsed = time.perf_counter() - started
    if not result.ok:
        console.print(f"[red]The read models differ from a rebuild from the log[/red] at notification "
                      f"{result.position}: {result.differing} difference(s) in {result.tables} tables.")
        for difference in result.differences:
            typer.echo(difference.describe())
        if result.differing > len(result.differences):
            console.print(f"... and {result.differing - len(result.differences)} more.")
        return 1
    console.print(f"[green]OK[/green]: {result.tables} read-model tables, {result.rows} rows, equal a rebuild from the "
                  f"log at notification {result.position} ({elapsed:.2f} s).")
    return 0


def run_checkpoint_export(settings: Settings, output: Path | None) -> int:
    key = load_or_create_key(settings.key_file)
    with _event_store(settings) as container:
        recorder = container.app.recorder
        total = recorder.count_events()
        with _progress("verifying before signing", total) as progress:
            task = progress.add_task("export", total=total or None)
            try:
                payload = create_checkpoint(recorder, key, progress=lambda n: progress.advance(task, n))
            except LogDoesNotVerify as error:
                console.print(f"[red]Not signing: the log does not verify.[/red]\n  {escape(str(error))}")
                return 1
    path = write_checkpoint(payload, output or default_checkpoint_path(settings.data_dir, payload))
    console.print(f"Checkpoint at position {payload['seq']} (hash {payload['hash']}) written to {path}. "
                  "Keep a copy away from the server.")
    typer.echo(str(path))
    return 0


def verify(checkpoint: Optional[Path] = typer.Option(
        None, "--checkpoint", help="A checkpoint file from `splot checkpoint export`; also detects a rewritten log.",
        exists=False, dir_okay=False),
        read_models: bool = typer.Option(
            False, "--read-models", help="Check the read models instead: rebuild every one from the log into a "
            "scratch database and name each row that differs from the live one.")) -> None:
    """Sprawdza cały dziennik zdarzeń z łańcuchem skrótów i wskazuje pierwsze niezgodne zdarzenie (walk the
    whole event log against its hash chain; name the first event that does not check). Z --read-models:
    porównuje modele odczytu z odbudową z dziennika (with --read-models: compare the read models with a
    rebuild from the log)."""
    if read_models:
        raise typer.Exit(run_verify_read_models(load_settings()))
    raise typer.Exit(run_verify(load_settings(), checkpoint))


@checkpoint_app.command("export")
def checkpoint_export(output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="Where to write the checkpoint (default: <data dir>/checkpoints/).",
        dir_okay=False)) -> None:
    """Sprawdza dziennik i zapisuje podpisany punkt kontrolny do pliku poza bazą (verify the log, then write a
    signed checkpoint of its chain head to a file outside the database)."""
    raise typer.Exit(run_checkpoint_export(load_settings(), output))


def register(app: typer.Typer) -> None:
    app.command("verify")(verify)
    app.add_typer(checkpoint_app, name="checkpoint")
