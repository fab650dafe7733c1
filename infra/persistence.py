"""Where events are stored: the eventsourcing environment for SQLite, PostgreSQL or memory."""

from __future__ import annotations

from infra.settings import Settings

# The application recorders that also write the audit hash chain in the same transaction
# (see infra/audit_chain.py); kept here as the one place that decides which recorder class is used.
# The in-memory (POPO) store used by unit tests has no chain.
SQLITE_RECORDER_TOPIC: str | None = "infra.audit_chain:ChainedSQLiteApplicationRecorder"
POSTGRES_RECORDER_TOPIC: str | None = "infra.audit_chain:ChainedPostgresApplicationRecorder"


def event_store_env(settings: Settings) -> dict[str, str]:
    if settings.in_memory:
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    pg = settings.postgres
    if pg is not None:
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": pg.dbname,
            "POSTGRES_HOST": pg.host,
            "POSTGRES_PORT": str(pg.port),
            "POSTGRES_USER": pg.user,
            "POSTGRES_PASSWORD": pg.password,
            "POSTGRES_LOCK_TIMEOUT": "10",
            "POSTGRES_POOL_SIZE": "5",
            "POSTGRES_MAX_OVERFLOW": "10",
            "POSTGRES_ENABLE_DB_FUNCTIONS": "",  # never on: its insert path skips the table lock
        }
        if POSTGRES_RECORDER_TOPIC:
            env["APPLICATION_RECORDER_TOPIC"] = POSTGRES_RECORDER_TOPIC
        return env
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(settings.events_path),
        "SQLITE_LOCK_TIMEOUT": "30",
    }
    if SQLITE_RECORDER_TOPIC:
        env["APPLICATION_RECORDER_TOPIC"] = SQLITE_RECORDER_TOPIC
    return env
