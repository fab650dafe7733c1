"""`splot backup DIR` and `splot restore DIR`: copies of the embedded store (see infra/backup.py).

Exit codes: 0 done; 1 refused (the reason in one line; nothing was changed).
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from infra.backup import BackupRefused, backup_store, restore_files
from infra.cli.common import cli_container
from infra.settings import Settings, load_settings

console = Console(stderr=True, soft_wrap=True)  # paths and hashes stay on one line


def _refused(error: BackupRefused) -> int:
    console.print(f"[red]Błąd / Error:[/red] {escape(error.message)}", highlight=False)
    return 1


def run_backup(settings: Settings, directory: Path) -> int:
    try:
        manifest = backup_store(settings, directory)
    except BackupRefused as error:
        return _refused(error)
    head = manifest["log"]["chain_head"] or {}
    console.print(f"Kopia zapasowa w {directory} (backup written): {manifest['log']['events']} zdarzeń / events, "
                  f"log position {manifest['log']['position']}, chain head {head.get('hash', '-')}, "
                  f"{manifest['seconds']:.2f} s.", highlight=False)
    return 0


def run_restore(settings: Settings, directory: Path) -> int:
    started = time.perf_counter()
    since = datetime.now(timezone.utc).isoformat(timespec="seconds")
    try:
        restored = restore_files(settings, directory)
    except BackupRefused as error:
        return _refused(error)
    try:
        with cli_container(settings, bootstrap=False) as container:  # the runner checks the read models here
            recovery = container.runner.last_recovery()
            rebuilt = recovery is not None and recovery.rebuilt_at >= since
            container.runner.catch_up()
            position, log_position = container.runner.position(), container.runner.log_position()
    finally:
        restored.lock.close()
    if restored.replaced is not None:
        console.print(f"Poprzednie pliki przeniesiono do {restored.replaced} (the previous files were moved there).",
                      highlight=False)
    state = (f"odbudowane / rebuilt ({recovery.reason})" if rebuilt and recovery else
             "zgodne z dziennikiem / checked: they stand on the log")
    console.print(f"Odtworzono kopię z {restored.manifest['created_at']} (restored): log position {log_position}; "
                  f"modele odczytu / read models {state}, at {position}; {time.perf_counter() - started:.2f} s.",
                  highlight=False)
    return 0


def backup(directory: Path = typer.Argument(..., help="A new (or empty) directory for the copy.",
                                             file_okay=False)) -> None:
    """Kopia zapasowa magazynu SQLite podczas pracy serwera (online backup of the SQLite store, while it runs)."""
    raise typer.Exit(run_backup(load_settings(), directory))


def restore(directory: Path = typer.Argument(..., help="A directory written by `splot backup`.", file_okay=False)
            ) -> None:
    """Odtwarza magazyn z kopii; odmawia, gdy magazyn jest w użyciu (restore the store from a backup; refuses
    while the store is in use). Modele odczytu są potem sprawdzane lub odbudowywane (then the read models are
    checked or rebuilt)."""
    raise typer.Exit(run_restore(load_settings(), directory))


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command()(restore)
