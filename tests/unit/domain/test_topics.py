"""Stored events name their class by topic: a topic, once used, must keep resolving.

Every aggregate and event of the domain is listed here; a rename that forgets its topic fails.
"""

import inspect

from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.utils import resolve_topic

import domain.calendar
import domain.closing
import domain.closing_gate
import domain.idempotency
import domain.practices
import domain.investor
import domain.privacy
import domain.records
import domain.registry
import domain.security_log
import domain.strategy.model

PINNED = {
    "splot:Municipality", "splot:Municipality.Created", "splot:Municipality.Registered",
    "splot:Network", "splot:Network.Created", "splot:Network.Registered", "splot:Network.InstitutionJoined",
    "splot:Network.InstitutionLeft", "splot:Network.MunicipalityJoined", "splot:Network.MunicipalityLeft",
    "splot:Network.IndicatorsShared",
    "splot:Practice", "splot:Practice.Created", "splot:Practice.Published", "splot:Practice.Revised",
    "splot:Practice.DocumentAttached", "splot:Practice.DocumentRemoved", "splot:Practice.PresentationLinked",
    "splot:Practice.Withdrawn",
    "splot:Institution", "splot:Institution.Created", "splot:Institution.Registered", "splot:Institution.Renamed",
    "splot:Institution.Deactivated", "splot:Institution.FirmJoinedCluster", "splot:Institution.FirmLeftCluster",
    "splot:Firm", "splot:Firm.Created", "splot:Firm.Registered",
    "splot:CalendarEvent", "splot:CalendarEvent.Created", "splot:CalendarEvent.Published",
    "splot:CalendarEvent.Edited", "splot:CalendarEvent.Moved", "splot:CalendarEvent.Cancelled",
    "splot:CalendarEvent.AttendanceRecorded",
    "splot:Record", "splot:Record.Created", "splot:Record.ContactEstablished", "splot:Record.MeetingHeld",
    "splot:Record.InformationExchanged", "splot:Record.ConclusionAdopted", "splot:Record.Corrected",
    "splot:Record.Retracted",
    "splot:UniqueKey", "splot:UniqueKey.Created", "splot:UniqueKey.Claimed",
    "splot:ReportingYear", "splot:ReportingYear.Created", "splot:ReportingYear.Started",
    "splot:ReportingYear.SignedOff", "splot:ReportingYear.Closed", "splot:ReportingYear.Reopened",
    "splot:ReportingYear.Sealed", "splot:ClosingGate", "splot:ClosingGate.Created", "splot:ClosingGate.Opened",
    "splot:ClosingGate.Passed", "splot:ClosingGate.YearsSealed", "splot:IdempotencyKey", "splot:IdempotencyKey.Created", "splot:IdempotencyKey.Used",
    "splot:IdempotencyKey.UsedAgain",
    "splot:Strategy", "splot:Strategy.Created", "splot:Strategy.Started", "splot:Strategy.GoalDefined",
    "splot:Strategy.ProgrammeDefined", "splot:Strategy.TaskDefined", "splot:Strategy.StagesPlanned",
    "splot:Strategy.StageProgressReported", "splot:Strategy.IndicatorDefined", "splot:Strategy.TargetsSet",
    "splot:Strategy.RuleChanged", "splot:Strategy.ValueReported", "splot:Strategy.ReportPublished",
    "splot:PersonalDataAct", "splot:PersonalDataAct.Created", "splot:PersonalDataAct.PersonErased",
    "splot:PersonalDataAct.SubjectDataExported", "splot:PersonalDataAct.RecordRedacted",
    "splot:InvestorInquiry", "splot:InvestorInquiry.Created", "splot:InvestorInquiry.Received",
    "splot:InvestorInquiry.DetailsChanged", "splot:InvestorInquiry.Answered", "splot:InvestorInquiry.OutcomeSet",
    "splot:InvestmentSite", "splot:InvestmentSite.Created", "splot:InvestmentSite.Registered",
    "splot:InvestmentSite.Changed", "splot:InvestmentSite.PhotoAdded", "splot:InvestmentSite.PhotoRemoved",
    "splot:InvestmentSite.SharingChanged", "splot:ServiceTraining", "splot:ServiceTraining.Created",
    "splot:ServiceTraining.Recorded", "splot:ServiceTraining.Removed", "splot:ServiceStandard",
    "splot:ServiceStandard.Created", "splot:ServiceStandard.ResponseTimeChanged",
    "splot:SignIn", "splot:SignIn.Created", "splot:SignIn.Succeeded", "splot:SignIn.Failed", "splot:SignIn.Throttled",
    "splot:SignIn.SecondFactorFailed", "splot:SignIn.SignedOut",
    "splot:AccountChange", "splot:AccountChange.Created", "splot:AccountChange.UserAdded",
    "splot:AccountChange.AccessChanged", "splot:AccountChange.UserDisabled", "splot:AccountChange.PasswordSet",
    "splot:AccountChange.PasswordLinkIssued", "splot:AccountChange.SecondFactorEnrolled",
    "splot:AccountChange.SecondFactorReset",
    "splot:ApiTokenChange", "splot:ApiTokenChange.Created", "splot:ApiTokenChange.Issued",
    "splot:ApiTokenChange.Revoked",
}


def test_pinned_topics_resolve_to_splot_classes():
    for topic in PINNED:
        cls = resolve_topic(topic)
        assert getattr(cls, "TOPIC") == topic


def test_every_core_aggregate_and_event_has_an_explicit_topic():
    found = set()
    for module in (domain.calendar, domain.investor, domain.registry, domain.records, domain.closing, domain.strategy.model, domain.idempotency,
                   domain.closing_gate, domain.privacy, domain.practices, domain.security_log):
        for _, aggregate in inspect.getmembers(module, inspect.isclass):
            if issubclass(aggregate, Aggregate) and aggregate.__module__ == module.__name__:
                found.add(aggregate.TOPIC)
                for name, member in vars(aggregate).items():
                    if isinstance(member, type) and issubclass(member, CanMutateAggregate) and name != "Event":
                        found.add(member.TOPIC)
    assert found == PINNED
