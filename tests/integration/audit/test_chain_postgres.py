"""The chain on PostgreSQL: written in the insert transaction, clean after a restart, catches a tampered row."""

from __future__ import annotations

import threading

import psycopg
import pytest

from domain.application import DEFAULT_NETWORK_ID
from domain.values import Actor
from infra.checkpoints import create_checkpoint, load_or_create_key
from infra.container import bootstrap, build_container
from infra.verify import verify_log
from tests.support import audit as helpers
from tests.factories import valid_nip

pytestmark = pytest.mark.postgres


def test_postgres_chain_verifies_clean_and_catches_tampering(postgres_settings):
    container = build_container(postgres_settings)
    bootstrap(container)
    helpers.populate(container.app, records=10)

    # Concurrent writers: the table lock serialises them, so the chain stays gapless and linked.
    def write(n: int) -> None:
        for i in range(5):
            container.app.registry.register_firm(network_id=DEFAULT_NETWORK_ID, name=f"Firma {n}-{i}",
                                                 nip=valid_nip(1000 + 10 * n + i), regon=None,
                                                 actor=Actor(user_id=f"writer{n}"))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    total = container.app.recorder.count_events()
    checkpoint = create_checkpoint(container.app.recorder, load_or_create_key(postgres_settings.key_file))
    container.close()

    restarted = build_container(postgres_settings)  # a restart: new pools, same database
    try:
        result = verify_log(restarted.app.recorder, checkpoint=checkpoint, page_size=16)
        assert result.ok, result.finding and result.finding.describe()
        assert result.events_checked == total == checkpoint["seq"]

        pg = postgres_settings.postgres
        with psycopg.connect(pg.conninfo, autocommit=True) as conn:
            conn.execute("UPDATE splot_events SET state = overlay(state placing 'X'::bytea from 5 for 1) "
                         "WHERE notification_id = (SELECT notification_id FROM splot_events_chain WHERE seq = 7)")
        result = verify_log(restarted.app.recorder, page_size=16)
        assert result.finding is not None
        assert (result.finding.position, result.finding.problem) == (7, "modified")
    finally:
        restarted.close()
