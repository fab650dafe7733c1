"""uc.imports prepares each row once, at its check, and keeps the record for its save: there the record is
checked again against the store as it is then and stamped then (`RecordCommands.recheck`), so the world changing
between the file's check and a batch's save is seen, and a record's recorded time is its save's."""

from __future__ import annotations

from datetime import datetime, timezone

from domain.values import Actor
from infra.container import Container
from tests.support.registers import CONTACT_HEADER, contacts, csv_file
from tests.support.world import World, world  # noqa: F401 (fixture)


def _import(container: Container, content: bytes, **options):
    coordinator = container.users.get_by_email("coordinator@example.org")
    return container.use_cases.imports.import_file(coordinator, content, "kontakty.csv", **options)


def test_an_owner_deactivated_after_the_check_refuses_its_rows_at_their_save(container: Container, world: World):
    rows = contacts(2) + contacts(2, owner="LCB", start=2)

    def deactivate_when_checked(phase: str, done: int, total: int) -> None:
        if phase == "check" and done == total:  # every row passed; nothing saved yet
            container.app.registry.deactivate_institution(institution_id=world.lcb, reason="Zamknięta",
                                                          actor=Actor(user_id="admin@example.org"))

    report = _import(container, csv_file(CONTACT_HEADER, rows), progress=deactivate_when_checked, batch_size=2)
    assert report.valid == 4 and report.imported == 2
    assert [(p.row, p.field) for p in report.problems] == [(4, "institution_id"), (5, "institution_id")]
    assert "LCB" in report.problems[0].message.pl and "deactivated" in report.problems[0].message.en


def test_a_record_s_recorded_time_is_its_save_s_not_its_check_s(container: Container, world: World):
    app = container.app
    start = container.runner.log_position()
    checked: list[datetime] = []

    def note_the_check(phase: str, done: int, total: int) -> None:
        if phase == "check" and done == total:
            checked.append(datetime.now(timezone.utc))

    report = _import(container, csv_file(CONTACT_HEADER, contacts(3)), progress=note_the_check)
    saved = datetime.now(timezone.utc)
    assert report.imported == 3 and checked
    stamps = [app.mapper.to_domain_event(n).timestamp for n in app.recorder.select_notifications(start + 1, limit=100)
              if n.topic.startswith("splot:Record.")]
    assert len(stamps) == 3 and all(checked[0] <= stamp <= saved for stamp in stamps)
    for notification in app.recorder.select_notifications(start + 1, limit=100):
        if notification.topic.startswith("splot:Record."):
            record = app.repository.get(notification.originator_id)
            assert record.created_on == app.mapper.to_domain_event(notification).timestamp
