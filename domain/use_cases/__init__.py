"""The use-case layer: one call per thing a user can do or ask, for every face (JSON API, pages, CLI).

Each call takes the acting user (`domain.policy.User`), checks who may do it (`domain.policy`, raising
`Forbidden` / `NotFound`), stays inside the user's municipality (`scope.py`), validates, and returns plain
data (dataclasses, dicts of read-model rows, `Saved`). A face only parses its input, calls, and renders.

The areas share one event store (`domain.application.Splot`, which keeps the audit chain in the same
transactions) and one set of read models (the `ReadModels` port, implemented in infra/read_models.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from domain.application import Splot
from domain.ports import SignInThrottle
from domain.ports import Accounts, AuditChain, ContactPersons, ReadModels
from domain.use_cases.audit import AuditUseCases
from domain.use_cases.calendar import CalendarUseCases, FeedTokens
from domain.use_cases.closing import YearClosingUseCases
from domain.use_cases.people import PeopleUseCases
from domain.use_cases.privacy import PrivacyUseCases
from domain.ports import RecordTexts
from domain.investor_values import WEEKDAYS, WorkingCalendar
from domain.use_cases.investor import InvestorUseCases, SitePhotos
from domain.use_cases.network import NetworkUseCases
from domain.use_cases.imports import ImportBulk, ImportUseCases, RegisterFiles
from domain.use_cases.records import RecordUseCases
from domain.use_cases.registry import RegistryUseCases
from domain.use_cases.reminders import ReminderUseCases
from domain.use_cases.scope import Scopes
from domain.ports import PracticeDocuments
from domain.use_cases.practices import PracticeUseCases
from domain.use_cases.shared_networks import SharedNetworkUseCases
from domain.use_cases.strategy import StrategyUseCases
from domain.use_cases.strategy_changes import StrategyChangeUseCases
from domain.use_cases.sign_in import SignInUseCases
from domain.use_cases.users import UserUseCases


@dataclass(frozen=True)
class UseCases:
    records: RecordUseCases
    registry: RegistryUseCases
    strategy: StrategyUseCases
    strategy_changes: StrategyChangeUseCases
    closing: YearClosingUseCases
    audit: AuditUseCases
    users: UserUseCases
    sign_in: SignInUseCases  # signing in to the pages, its throttle and audit events (issue 12)
    people: PeopleUseCases
    network: NetworkUseCases
    privacy: PrivacyUseCases  # the data-protection officer's: subject access, erasure, retention (issue 12)
    investor: InvestorUseCases  # investor service: inquiries under codename, sites, training, indicators (issue 14)
    calendar: CalendarUseCases  # the joint events calendar, its feeds, attendance into records (issue 14)
    reminders: ReminderUseCases  # follow-ups due: the daily digest (issue 14)
    imports: ImportUseCases  # bulk import of old registers from CSV and XLSX (issue 13)
    shared_networks: SharedNetworkUseCases  # metropolitan / inter-city networks of municipalities (issue 14)
    practices: PracticeUseCases  # the good-practice library of the shared networks (issue 14)

    @classmethod
    def compose(cls, store: Splot, reads: ReadModels, accounts: Accounts, *,
                closing_day: Callable[[], date], persons: ContactPersons | None = None,
                working_days: WorkingCalendar | None = None, site_photos: SitePhotos | None = None,
                feed_tokens: FeedTokens | None = None,
                chain: AuditChain | None = None, register_files: RegisterFiles | None = None,
                import_bulk: ImportBulk | None = None,  # the import's bulk reads and keys (issue 13)
                record_texts: RecordTexts | None = None,  # records' free-text keys: the DPO's redaction (issue 12)
                person_retention_years: int = 5,
                practice_documents: PracticeDocuments | None = None,  # the good practices' files (issue 14)
                throttle: SignInThrottle | None = None) -> UseCases:
        """`persons`: the person directory (by default the one the store checks person ids against);
        `chain`: the audit chain's checks and checkpoints (infra/chain_checks.py), where the store keeps one."""
        scopes = Scopes(reads, today=store.today)
        persons = persons if persons is not None else store.person_directory  # type: ignore[assignment]
        users = UserUseCases(accounts, store, reads)
        calendar = CalendarUseCases(store, reads, scopes, RecordUseCases(store, reads, scopes), accounts, feed_tokens)
        records = RecordUseCases(store, reads, scopes)
        return cls(records=records, imports=ImportUseCases(store, reads, scopes, records, persons, register_files,
                                                           import_bulk),
                   registry=RegistryUseCases(store, reads, scopes),
                   strategy=StrategyUseCases(store, reads, scopes),
                   strategy_changes=StrategyChangeUseCases(store, reads, scopes),
                   closing=YearClosingUseCases(store, reads, scopes, closing_day),
                   audit=AuditUseCases(store, reads, scopes, accounts=accounts, chain=chain),
                   users=users, sign_in=SignInUseCases(accounts, users, users.security, throttle),
                   people=PeopleUseCases(persons, reads, scopes),  # type: ignore[arg-type]
                   network=NetworkUseCases(store, reads, scopes),
                   calendar=calendar, reminders=ReminderUseCases(calendar),
                   investor=InvestorUseCases(store, reads, scopes, accounts=accounts, persons=persons,
                                             calendar=working_days or WEEKDAYS, photos=site_photos),
                   privacy=PrivacyUseCases(persons, store, reads, scopes, accounts,  # type: ignore[arg-type]
                                           retention_years=person_retention_years, texts=record_texts),
                   shared_networks=SharedNetworkUseCases(store, reads, scopes),
                   practices=PracticeUseCases(store, reads, scopes, practice_documents))
