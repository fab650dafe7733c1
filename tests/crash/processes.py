"""The processes the crash suite kills: the real server (uvicorn over `api.app:create_app`, as
`splot serve`) and the separate projection worker (`splot catch-up --follow`), each a child process
over the same store, killed with SIGKILL (nothing in it runs after the signal)."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from infra.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = Path(__file__).with_name("launch_server.py")
WORKER = "from infra.cli import main; main()"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def store_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("SPLOT_DATA_DIR", "SPLOT_DATABASE_URL", "SPLOT_CRASH_FAULT")}
    env |= {"SPLOT_DATA_DIR": str(settings.data_dir), "PYTHONPATH": str(ROOT), **extra}
    if settings.database_url:
        env["SPLOT_DATABASE_URL"] = settings.database_url
    return env


def _die_with_parent() -> None:
    """Linux: the child gets SIGKILL when the test process dies, so no server outlives an aborted run."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Child:
    """One child process with its output in a log file (kept for a failure's post-mortem)."""

    name = "child"

    def __init__(self, settings: Settings, log_dir: Path, **env: str) -> None:
        self.settings, self.log_dir, self.extra_env = settings, log_dir, env
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> None:
        self.starts += 1
        log = open(self.log_dir / f"{self.name}.log", "ab")
        log.write(f"--- start {self.starts} ---\n".encode())
        self.process = subprocess.Popen(self.command(), cwd=ROOT, env=store_env(self.settings, **self.extra_env),
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                        preexec_fn=_die_with_parent)
        log.close()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL, then reap it."""
        if self.alive():
            assert self.process is not None
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.alive():
            assert self.process is not None
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


class Server(Child):
    name = "server"

    def __init__(self, settings: Settings, log_dir: Path, **env: str) -> None:
        super().__init__(settings, log_dir, **env)
        self.url = ""

    def command(self) -> list[str]:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        return [sys.executable, str(LAUNCHER), str(self.port)]

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if not self.alive():
                raise AssertionError(f"the server exited with {self.process.returncode if self.process else '?'}; "
                                     f"see {self.log_dir / 'server.log'}")
            time.sleep(0.1)
        raise AssertionError(f"the server did not answer within {timeout:.0f} s")


class Worker(Child):
    """The separate projection worker beside the server (whose own background catch-up runs too)."""

    name = "worker"

    def command(self) -> list[str]:
        return [sys.executable, "-c", WORKER, "catch-up", "--follow", "--interval", "0.05"]
