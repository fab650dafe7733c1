"""Composition root: builds the application, its read models and side stores from settings.

Every entry point opens its store here, with one call:

    with open_container() as c:          # settings from the environment, bootstrapped
        c.app, c.views, c.runner, c.users, c.idempotency, c.persons ...

- the server: `api.app:create_app()` (the factory `splot serve` hands to uvicorn) calls
  `open_container(catch_up=True)`, so a server bootstraps once;
- the CLI: every command goes through `infra.cli.common.cli_container()`, a thin wrapper of
  `open_container` that closes always and prints domain errors;
- the projection worker: `splot catch-up --follow`, the same way;
- the tests: `build_container(settings)` + `bootstrap(c)` (the two halves of `open_container`,
  public so a test can reopen a store without bootstrapping it), or `open_container(settings)`.

Nothing outside this module constructs a store, a recorder, the `Splot` application, the person
directory, the user or idempotency store or the projection runner: an entry point asks for a
`Container` and takes what it needs from it (tests/infra/test_composition_root.py keeps it so).
"""

from __future__ import annotations

import logging
from functools import partial
from dataclasses import dataclass, field
from typing import Any

from domain.application import Splot
from domain.use_cases import UseCases
from infra.backup import hold_store_lock
from infra.chain_checks import ChainService
from infra.feed_tokens import FeedTokenStore
from infra.closing import closing_day
from infra.field_cipher import FieldCipherMapper
from infra.attachments import DocumentStore
from infra.idempotency import IdempotencyStore
from infra.imports import ImportStore, RegisterFileReader
from infra.person_directory import PersonDirectory
from infra.persistence import event_store_env
from infra.projection_runner import ProjectionRunner
from infra.record_keys import RecordKeys, TextShredder
from infra.read_models import ReadModelQueries
from infra.throttle import SignInThrottle
from infra.web_sessions import SessionStore
from infra.settings import Settings, load_settings
from infra.setup_tokens import SetupTokenStore
from infra.sqldb import PostgresDatabase, SQLiteDatabase
from infra.strategy_loader import load_default_strategy
from infra.users import UserStore
from infra.site_photos import SitePhotoStore
from infra.working_days import PolishWorkingDays
from projections.activity_register import ActivityRegisterProjection
from projections.audit_trail import AuditTrailProjection
from projections.calendar import CalendarProjection
from projections.practices import PracticesProjection
from projections.registry import RegistryProjection
from projections.indicator_values import IndicatorValuesProjection
from projections.indicator_values.history import IndicatorHistoryProjection
from projections.investor_service import InvestorServiceProjection

log = logging.getLogger(__name__)


def all_projections() -> list[Any]:
    """Every read model, in the order they are fed."""
    return [InvestorServiceProjection(),  # the investor service (issue 14): reads no other read model
            RegistryProjection(), ActivityRegisterProjection(), AuditTrailProjection(),
            IndicatorValuesProjection(),  # indicator values read the registry and activity tables: keep it after them
            IndicatorHistoryProjection(),  # the tallies by recorded day (as-of reports): after them too
            CalendarProjection(),  # the joint events calendar (issue 14)
            PracticesProjection()]  # the good-practice library (issue 14)


@dataclass
class Container:
    """Everything an entry point needs, wired over one store. A context manager: closes on exit."""

    settings: Settings
    app: Splot
    views: Any  # SQLiteDatabase | PostgresDatabase
    directory_db: Any
    persons: PersonDirectory
    runner: ProjectionRunner
    users: UserStore  # users, roles and API tokens (directory database)
    idempotency: IdempotencyStore  # Idempotency-Keys of API writes (in the event log, with each write)
    use_cases: UseCases  # what every face calls (domain/use_cases/)
    sessions: SessionStore  # the web pages' server-side sessions (directory database)
    throttle: SignInThrottle  # sign-in attempts, counted before a password is hashed
    setup_tokens: SetupTokenStore  # the one-time link that creates the first admin (directory database)
    extras: dict[str, Any] = field(default_factory=dict)

    def close(self) -> None:
        if "store_lock" in self.extras:  # see infra/backup.py: a restore waits for every user of the store
            self.extras.pop("store_lock").close()
        self.app.close()
        self.views.close()
        if self.directory_db is not self.views:
            self.directory_db.close()

    def __enter__(self) -> Container:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def describe_store(settings: Settings) -> str:
    """Where the store lives, for logs and messages (never the password)."""
    if settings.in_memory:
        return "memory"
    pg = settings.postgres
    if pg is not None:
        return f"PostgreSQL {pg.user}@{pg.host}:{pg.port}/{pg.dbname}"
    return f"SQLite in {settings.data_dir}"


def build_container(settings: Settings | None = None, **app_kwargs: Any) -> Container:
    """Wires a container over the store the settings name; writes nothing to the event log."""
    settings = settings or load_settings()
    store_lock = None
    if settings.postgres is not None:
        views = PostgresDatabase(settings.postgres.conninfo)
        directory_db = views
    elif settings.in_memory:
        views = SQLiteDatabase(None)
        directory_db = SQLiteDatabase(None)
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store_lock = hold_store_lock(settings.data_dir)  # shared: `splot restore` refuses while it is held
        views = SQLiteDatabase(settings.views_path)
        directory_db = SQLiteDatabase(settings.directory_path)
    persons = PersonDirectory(directory_db)
    record_keys = RecordKeys(directory_db)  # records' free-text keys, outside the log (infra/field_cipher.py)
    app = Splot(env=event_store_env(settings), person_directory=persons,
                mapper_factory=partial(FieldCipherMapper, keys=record_keys), **app_kwargs)
    runner = ProjectionRunner(app, views, all_projections(), page_size=settings.projection_page_size)
    users = UserStore(directory_db)
    chain = ChainService(app.recorder, directory_db, key_file=settings.key_file, data_dir=settings.data_dir)
    throttle = SignInThrottle()  # the pages' sign-in (uc.sign_in) and the container share it
    def record_key_ids(record_id: Any) -> set[str]:  # the keys a record's stored events name (infra/field_cipher.py)
        return app.mapper.key_ids(app.recorder.select_events(record_id))

    use_cases = UseCases.compose(app, ReadModelQueries(views, runner, app.recorder), users, closing_day=closing_day,
                                 throttle=throttle,
                                 practice_documents=DocumentStore(directory_db),  # the good practices' files
                                 feed_tokens=FeedTokenStore(directory_db),  # the calendar feeds' secret addresses
                                 working_days=PolishWorkingDays(), site_photos=SitePhotoStore(directory_db),
                                 record_texts=TextShredder(record_keys, views, runner, record_key_ids),  # redaction
                                 persons=persons, chain=chain, person_retention_years=settings.person_retention_years,
                                 register_files=RegisterFileReader(),
                                 import_bulk=ImportStore(app.recorder, record_keys))  # the import's bulk reads, keys
    return Container(settings=settings, app=app, views=views, directory_db=directory_db, persons=persons,
                     runner=runner, users=users, idempotency=IdempotencyStore(app), use_cases=use_cases,
                     sessions=SessionStore(directory_db), throttle=throttle,
                     setup_tokens=SetupTokenStore(directory_db, users),
                     extras={"store_lock": store_lock} if store_lock is not None else {})


def bootstrap(container: Container) -> None:
    """What an empty store gets once: the default municipality and network, and the default strategy
    (infra/strategy_data/leszno.toml) when no strategy exists. Idempotent."""
    s = container.settings
    container.app.registry.ensure_default_network(municipality=s.default_municipality, network=s.default_network)
    for unresolved in container.app.registry.rekey_unique_claims():  # once per store: issue 11, defect 4
        log.warning("A uniqueness claim from before comparison keys could not be re-keyed: %s", unresolved)
    load_default_strategy(container.app)
    log.info("Bootstrap of the store (%s): default network and strategy in place", describe_store(s))


_bootstrap = bootstrap  # open_container's keyword argument shadows the function's name inside it


def open_container(settings: Settings | None = None, *, bootstrap: bool = True, catch_up: bool = False) -> Container:
    """The one way an entry point opens the store: builds the container, bootstraps it (unless told
    not to: `rebuild`, `catch-up` and `verify` only read), optionally brings the read models up to
    date, and closes everything again if any of that fails."""
    container = build_container(settings)
    try:
        if bootstrap:
            _bootstrap(container)
        if catch_up:
            container.runner.catch_up()
    except BaseException:
        container.close()
        raise
    return container


def scratch_runner(container: Container, path: Any) -> ProjectionRunner:
    """Fresh, empty read models over the container's log in a scratch SQLite file (`splot verify
    --read-models` rebuilds into it and compares); close with `runner.db.close()`."""
    return ProjectionRunner(container.app, SQLiteDatabase(path), all_projections(),
                            page_size=container.settings.projection_page_size)
