"""Composition root: builds the application, its read models and side stores from settings.

Everything that needs wiring is wired here, once; the API, the CLI and the tests ask this
module for a `Container` and never construct infrastructure themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.application import Splot
from infra.person_directory import PersonDirectory
from infra.persistence import event_store_env
from infra.projection_runner import ProjectionRunner
from infra.settings import Settings, load_settings
from infra.sqldb import PostgresDatabase, SQLiteDatabase
from infra.strategy_loader import load_default_strategy
from projections.activity_register import ActivityRegisterProjection
from projections.audit_trail import AuditTrailProjection
from projections.registry import RegistryProjection
from projections.indicator_values import IndicatorValuesProjection


def all_projections() -> list[Any]:
    """Every read model, in the order they are fed."""
    return [RegistryProjection(), ActivityRegisterProjection(), AuditTrailProjection(),
            IndicatorValuesProjection()]  # indicator values read the registry and activity tables: keep it after them


@dataclass
class Container:
    settings: Settings
    app: Splot
    views: Any  # SQLiteDatabase | PostgresDatabase
    directory_db: Any
    persons: PersonDirectory
    runner: ProjectionRunner
    extras: dict[str, Any] = field(default_factory=dict)

    def close(self) -> None:
        self.app.close()
        self.views.close()
        if self.directory_db is not self.views:
            self.directory_db.close()


def build_container(settings: Settings | None = None, **app_kwargs: Any) -> Container:
    settings = settings or load_settings()
    if settings.postgres is not None:
        views = PostgresDatabase(settings.postgres.conninfo)
        directory_db = views
    elif settings.in_memory:
        views = SQLiteDatabase(None)
        directory_db = SQLiteDatabase(None)
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        views = SQLiteDatabase(settings.views_path)
        directory_db = SQLiteDatabase(settings.directory_path)
    persons = PersonDirectory(directory_db)
    app = Splot(env=event_store_env(settings), person_directory=persons, **app_kwargs)
    runner = ProjectionRunner(app, views, all_projections(), page_size=settings.projection_page_size)
    return Container(settings=settings, app=app, views=views, directory_db=directory_db, persons=persons,
                     runner=runner)


def bootstrap(container: Container) -> None:
    """What an empty store gets once: the default municipality and network, and the default strategy
    (infra/strategy_data/leszno.toml) when no strategy exists. Idempotent."""
    s = container.settings
    container.app.ensure_default_network(municipality=s.default_municipality, network=s.default_network)
    load_default_strategy(container.app)
