"""Signed checkpoints of the audit chain, kept outside the database.

A checkpoint states "the log had `seq` events and its chain head was `hash`" and carries up to
`MAX_ANCHORS` evenly spaced anchor hashes, so that verifying against it can say where a
consistent rewrite of the log began (exactly, for logs of up to MAX_ANCHORS events; within one
anchor interval beyond that). It is signed with Ed25519; the private key lives in a file named by
`Settings.key_file` (created on first use, mode 0600), never in the database.
"""

from __future__ import annotations

import base64
import json
import math
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from infra.verify import VerifyResult, verify_log

FORMAT = "splot-checkpoint-v1"
MAX_ANCHORS = 1024


class CheckpointError(Exception):
    """The checkpoint cannot be trusted: unreadable, wrongly signed, or signed by another key."""


class CheckpointUnreadable(CheckpointError):
    """The file is missing or not a Splot checkpoint at all."""


class LogDoesNotVerify(Exception):
    """Refusing to sign a log that does not verify."""

    def __init__(self, result: VerifyResult) -> None:
        assert result.finding is not None
        super().__init__(result.finding.describe())
        self.result = result


# ------------------------------------------------------------------------------------------ keys
def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """The signing key; generated on first use with 0600 permissions (directory 0700)."""
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise CheckpointError(f"{path} does not hold an Ed25519 private key.")
        return key
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def public_key_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def _signed_bytes(payload: dict[str, Any]) -> bytes:
    body = {k: v for k, v in payload.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


# ------------------------------------------------------------------------------------------ export
def anchor_step_for(events: int) -> int:
    return max(1, math.ceil(events / MAX_ANCHORS))


def create_checkpoint(recorder: Any, key: Ed25519PrivateKey, *, now: datetime | None = None,
                      progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Verifies the whole log, then signs its head and anchors. Raises LogDoesNotVerify on a broken log."""
    head = recorder.chain_head()
    step = anchor_step_for(head.seq if head else 0)
    result = verify_log(recorder, anchor_step=step, progress=progress)
    if not result.ok:
        raise LogDoesNotVerify(result)
    payload: dict[str, Any] = {
        "format": FORMAT,
        "seq": result.head_seq,
        "notification_id": result.head_notification_id,
        "hash": result.head_hash,
        "anchor_step": step,
        "anchors": {str(seq): h for seq, h in sorted(result.anchors.items())},
        "created_at": (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(),
        "public_key": public_key_text(key.public_key()),
    }
    payload["signature"] = base64.b64encode(key.sign(_signed_bytes(payload))).decode()
    return payload


def write_checkpoint(payload: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def default_checkpoint_path(data_dir: Path, payload: dict[str, Any]) -> Path:
    stamp = payload["created_at"][:19].replace(":", "").replace("-", "")
    return data_dir / "checkpoints" / f"checkpoint-{payload['seq']:08d}-{stamp}.json"


# ------------------------------------------------------------------------------------------ import
def load_checkpoint(path: Path, trusted_key: Ed25519PublicKey | None) -> dict[str, Any]:
    """Reads a checkpoint and checks its signature, and that it was signed by `trusted_key` when given."""
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
        if payload.get("format") != FORMAT:
            raise CheckpointUnreadable(f"{path} is not a Splot checkpoint ({FORMAT}).")
        public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(payload["public_key"]))
        signature = base64.b64decode(payload["signature"])
        int(payload["seq"]), str(payload["hash"])
    except CheckpointError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CheckpointUnreadable(f"cannot read checkpoint {path}: {error}") from error
    if trusted_key is not None and public_key_text(trusted_key) != payload["public_key"]:
        raise CheckpointError("the checkpoint was signed by a different key than this installation's signing key.")
    try:
        public_key.verify(signature, _signed_bytes(payload))
    except InvalidSignature:
        raise CheckpointError("the checkpoint's signature does not match its contents: the file was altered.") from None
    return payload
