"""The baseline of bench/writes.py: a bare FastAPI endpoint saving one eventsourcing aggregate per request.

    uvicorn bench.bare_endpoint:create_app --factory --port N     # BARE_SQLITE=path or BARE_POSTGRES=conninfo

No auth, no validation beyond pydantic, no idempotency, no chain, no projections: what a durable write
costs when nothing else is done (the same store settings as Splot: SQLite WAL, synchronous FULL; or
PostgreSQL). A plain-`def` route, as FIELD-NOTES measured fastest for a synchronous store.
"""

from __future__ import annotations

import os

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from fastapi import FastAPI
from pydantic import BaseModel


class Item(Aggregate):
    @event("Created")
    def __init__(self, title: str, occurred_on: str) -> None:
        self.title = title
        self.occurred_on = occurred_on


class Bare(Application):
    name = "bare"


class ItemIn(BaseModel):
    title: str
    occurred_on: str


def create_app() -> FastAPI:
    if os.environ.get("BARE_POSTGRES"):
        from psycopg.conninfo import conninfo_to_dict

        info = conninfo_to_dict(os.environ["BARE_POSTGRES"])
        env = {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": info["dbname"],
               "POSTGRES_HOST": info["host"], "POSTGRES_PORT": str(info["port"]), "POSTGRES_USER": info["user"],
               "POSTGRES_PASSWORD": info.get("password", ""), "POSTGRES_POOL_SIZE": "5",
               "POSTGRES_MAX_OVERFLOW": "10"}
    else:
        env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": os.environ["BARE_SQLITE"],
               "SQLITE_LOCK_TIMEOUT": "30"}
    store = Bare(env=env)
    app = FastAPI()

    @app.post("/items", status_code=201)
    def create(body: ItemIn) -> dict:
        item = Item(body.title, body.occurred_on)
        recordings = store.save(item)
        return {"id": str(item.id), "version": item.version, "notification_id": recordings[-1].notification.id}

    return app
