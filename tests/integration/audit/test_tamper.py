"""Tampering with a real SQLite store behind the application's back: `splot verify` catches every case
and names the position of the first event that does not check."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.audit_chain import GENESIS_HASH
from infra.checkpoints import create_checkpoint, load_or_create_key, write_checkpoint
from infra.cli import app as cli
from infra.container import bootstrap, build_container
from infra.settings import Settings
from infra.verify import verify_log
from tests.support import audit as helpers

CASES_PER_KIND = 8


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> dict:
    """One populated store with a signed checkpoint, copied fresh for every tampering."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("template") / "var")
    container = build_container(settings)
    bootstrap(container)
    helpers.populate(container.app)
    payload = create_checkpoint(container.app.recorder, load_or_create_key(settings.key_file))
    checkpoint = write_checkpoint(payload, settings.data_dir.parent / "outside" / "checkpoint.json")
    events = container.app.recorder.count_events()
    container.close()
    return {"settings": settings, "checkpoint": checkpoint, "events": events}


@pytest.fixture
def store(template, tmp_path) -> dict:
    data_dir = tmp_path / "var"
    shutil.copytree(template["settings"].data_dir, data_dir)
    return {"data_dir": data_dir, "events_path": data_dir / "events.sqlite3", "checkpoint": template["checkpoint"],
            "events": template["events"]}


def run_cli(data_dir: Path, *args: str):
    result = CliRunner().invoke(cli, ["verify", *args], env={"SPLOT_DATA_DIR": str(data_dir)})
    return result.exit_code, " ".join(result.output.split())


def verify_store(data_dir: Path, checkpoint: dict | None = None):
    container_app = build_container(Settings(data_dir=data_dir)).app
    try:
        return verify_log(container_app.recorder, checkpoint=checkpoint, page_size=37)  # odd size: findings across pages
    finally:
        container_app.close()


def assert_caught(store: dict, position: int, problems: set[str], *, checkpoint: bool = False) -> None:
    args = ["--checkpoint", str(store["checkpoint"])] if checkpoint else []
    code, output = run_cli(store["data_dir"], *args)
    assert code == 1, output
    match = re.search(r"\[(\w+)\] position (\d+)", output)
    assert match and match.group(1) in problems and int(match.group(2)) == position, output


def positions(seed: int, low: int, high: int) -> list[int]:
    return random.Random(seed).sample(range(low, high + 1), CASES_PER_KIND)


# ------------------------------------------------------------------------------------------ clean
def test_untouched_store_verifies_clean_also_after_restart(store):
    code, output = run_cli(store["data_dir"])
    assert code == 0, output
    assert f"{store['events']} events verified" in output
    # A restart: a new process-level app over the same files, which appends more events and still verifies.
    container = build_container(Settings(data_dir=store["data_dir"]))
    helpers.populate(container.app, records=3, tag="-2")
    grown = container.app.recorder.count_events()
    container.close()
    code, output = run_cli(store["data_dir"], "--checkpoint", str(store["checkpoint"]))
    assert code == 0, output
    assert f"{grown} events verified" in output and grown > store["events"]


def test_chain_is_gapless_and_linked(store):
    result = verify_store(store["data_dir"])
    assert result.ok and result.head_seq == store["events"]
    with helpers.connect(store["events_path"]) as db:
        rows = db.execute(f"SELECT seq, notification_id, hash, prev_hash FROM {helpers.CHAIN} ORDER BY seq").fetchall()
    assert [r[0] for r in rows] == list(range(1, store["events"] + 1))
    assert rows[0][3] == GENESIS_HASH
    assert all(rows[i][3] == rows[i - 1][2] for i in range(1, len(rows)))


# ------------------------------------------------------------------------------------------ tampering
@pytest.mark.parametrize("case", range(CASES_PER_KIND))
def test_edited_payload_byte_is_caught(store, case):
    position = positions(101, 1, store["events"])[case]
    with helpers.connect(store["events_path"]) as db:
        helpers.edit_payload_byte(db, position, offset_seed=case * 13)
    assert_caught(store, position, {"modified"})


@pytest.mark.parametrize("case", range(CASES_PER_KIND))
def test_deleted_row_is_caught(store, case):
    position = positions(202, 1, store["events"])[case]
    with helpers.connect(store["events_path"]) as db:
        helpers.delete_row(db, position)
    assert_caught(store, position, {"deleted"})


@pytest.mark.parametrize("case", range(CASES_PER_KIND))
def test_deleted_row_with_its_link_is_caught(store, case):
    position = positions(303, 1, store["events"] - 1)[case]  # the very last one needs a checkpoint: see below
    with helpers.connect(store["events_path"]) as db:
        helpers.delete_row(db, position, with_link=True)
    assert_caught(store, position, {"deleted"})


def test_deleted_last_event_with_its_link_is_caught_against_checkpoint(store):
    last = store["events"]
    with helpers.connect(store["events_path"]) as db:
        helpers.delete_row(db, last, with_link=True)
    assert run_cli(store["data_dir"])[0] == 0  # without a checkpoint a cut-off tail is indistinguishable
    assert_caught(store, last, {"truncated"}, checkpoint=True)


@pytest.mark.parametrize("case", range(CASES_PER_KIND))
def test_swapped_rows_are_caught(store, case):
    rng = random.Random(404 + case)
    first, second = sorted(rng.sample(range(1, store["events"] + 1), 2))
    with helpers.connect(store["events_path"]) as db:
        helpers.swap_rows(db, first, second)
    assert_caught(store, first, {"reordered"})


@pytest.mark.parametrize("case", range(CASES_PER_KIND))
def test_inserted_forged_row_is_caught(store, case):
    position = positions(505, 1, store["events"] + 1)[case]  # anywhere, including after the last event
    with helpers.connect(store["events_path"]) as db:
        helpers.insert_forged_row(db, position)
    assert_caught(store, position, {"reordered", "inserted"})


@pytest.mark.parametrize("case", range(CASES_PER_KIND))
def test_consistent_rewrite_is_caught_against_checkpoint(store, case):
    position = positions(606, 1, store["events"])[case]
    with helpers.connect(store["events_path"]) as db:
        helpers.rewrite_consistently(db, position)
    code, output = run_cli(store["data_dir"])
    assert code == 0, output  # self-consistent: only the signed checkpoint can tell
    assert_caught(store, position, {"rewritten"}, checkpoint=True)


def test_edited_chain_link_is_caught(store):
    position = positions(707, 2, store["events"])[0]
    with helpers.connect(store["events_path"]) as db:
        db.execute(f"UPDATE {helpers.CHAIN} SET prev_hash = ? WHERE seq = ?", ("f" * 64, position))
    assert_caught(store, position, {"chain_edited"})


# ------------------------------------------------------------------------------------------ checkpoint file
def test_altered_checkpoint_is_rejected(store, tmp_path):
    text = store["checkpoint"].read_text()
    forged = tmp_path / "forged.json"
    forged.write_text(text.replace('"seq": ', '"seq": 1', 1))
    code, output = run_cli(store["data_dir"], "--checkpoint", str(forged))
    assert code == 1 and "signature" in output, output


def test_checkpoint_signed_by_another_key_is_rejected(store, tmp_path):
    other = tmp_path / "other-var"
    shutil.copytree(store["data_dir"], other)
    (other / "keys" / "checkpoint-ed25519.pem").unlink()
    result = CliRunner().invoke(cli, ["checkpoint", "export", "--output", str(tmp_path / "other.json")],
                                env={"SPLOT_DATA_DIR": str(other)})
    assert result.exit_code == 0, result.output
    code, output = run_cli(store["data_dir"], "--checkpoint", str(tmp_path / "other.json"))
    assert code == 1 and "different key" in output, output


def test_checkpoint_export_refuses_a_tampered_log_and_keeps_key_private(store, tmp_path):
    key_file = store["data_dir"] / "keys" / "checkpoint-ed25519.pem"
    assert key_file.stat().st_mode & 0o777 == 0o600
    with helpers.connect(store["events_path"]) as db:
        helpers.delete_row(db, 3)
    result = CliRunner().invoke(cli, ["checkpoint", "export", "--output", str(tmp_path / "cp.json")],
                                env={"SPLOT_DATA_DIR": str(store["data_dir"])})
    assert result.exit_code == 1 and not (tmp_path / "cp.json").exists()
