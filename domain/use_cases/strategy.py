"""The strategy as a user reads it (tasks, task reports now or as of a date, the records behind a value,
published reports), publishes it and changes it from a strategy document — always the strategy of the
user's own municipality."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.application import Saved, Splot
from domain.errors import NotFound, bilingual
from domain.policy import Action, User, authorize, institution_filter
from domain.ports import ReadModels, Row
from domain.strategy.use_cases import StrategyApplied
from domain.use_cases.scope import Scopes


class StrategyUseCases:
    def __init__(self, store: Splot, reads: ReadModels, scopes: Scopes) -> None:
        self.store = store
        self.reads = reads
        self.scopes = scopes

    def _strategy_id(self, user: User) -> str:
        return str(self.scopes.of(user).strategy_id)

    def tasks(self, user: User) -> list[Row]:
        authorize(user, Action.READ_STRATEGY)
        return self.reads.tasks(strategy_id=self._strategy_id(user))

    def task_report(self, user: User, code: str, *, as_of: date | None = None) -> Row:
        authorize(user, Action.READ_STRATEGY)
        return self.reads.task_report(code, strategy_id=self._strategy_id(user), as_of=as_of)

    def indicator_events(self, user: User, code: str, year: int, *, institution_id: UUID | None = None,
                         as_of: date | None = None) -> list[Row]:
        """The records (or memberships, or reported values) behind one indicator value."""
        authorize(user, Action.READ_STRATEGY)
        institution_id = institution_filter(user, institution_id)
        return self.reads.indicator_events(code, year, strategy_id=self._strategy_id(user),
                                           institution_id=str(institution_id) if institution_id else None,
                                           as_of=as_of)

    def publications(self, user: User, code: str) -> list[Row]:
        authorize(user, Action.READ_STRATEGY)
        self._strategy(user).task(code)  # NotFound for a task the strategy does not have
        return self.reads.publications(code, strategy_id=self._strategy_id(user))

    def publication(self, user: User, code: str, number: int) -> Row:
        authorize(user, Action.READ_STRATEGY)
        report = self.reads.published_report(number, strategy_id=self._strategy_id(user))
        actual = report["publication"]["task_code"]
        if actual != code:
            raise NotFound(bilingual(f"Raport opublikowany nr {number} dotyczy zadania {actual}, nie {code}.",
                                     f"Published report {number} is of task {actual}, not {code}."), field="n")
        return report

    def publish(self, user: User, code: str, *, title: str) -> Saved:
        """Publishes a task's report as it stands now; the saved version is the publication's number."""
        authorize(user, Action.PUBLISH_REPORT)
        return self.store.strategy.publish_report(network_id=self.scopes.of(user).home_network_id, task_code=code,
                                                  title=title, actor=user.actor)

    def apply_document(self, user: User, document: dict[str, Any], *, reason: str) -> StrategyApplied:
        """Applies a strategy document (as read from a strategy file) to the municipality's strategy,
        starting it if there is none; only what differs is recorded."""
        authorize(user, Action.MANAGE_STRATEGY)
        return self.store.strategy.apply_strategy(document, actor=user.actor, reason=reason,
                                                  network_id=self.scopes.of(user).network())

    def _strategy(self, user: User):
        return self.store.strategy.get_strategy(self.scopes.of(user).home_network_id)
