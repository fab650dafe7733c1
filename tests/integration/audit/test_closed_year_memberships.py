"""Memberships dated in a closed year are refused until the coordinator reopens it.

A membership (firm in a cluster, institution in the network) dated on day D counts in the year-end
gauges of D's year and of every later year, and decides whose sign-off a year needs; so a join or
leave dated in (or before) a closed year would change that year's numbers behind the published version.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.application import DEFAULT_NETWORK_ID
from domain.errors import InvariantViolated
from domain.values import Actor
from infra.closing import close_year, reproduce_report
from tests.integration.audit.test_year_closing import COORDINATOR, clock, sign_off_all, world  # noqa: F401 (fixtures)

NET = DEFAULT_NETWORK_ID


@pytest.fixture
def closed_2012(world, clock):  # noqa: F811
    container, ids = world
    app = container.app
    actor = Actor(user_id="staff@wpir.leszno.pl")
    cluster = app.registry.register_institution(network_id=NET, name="Klaster Spożywczy", short_name="KS", kind="cluster",
                                                actor=actor).id
    app.registry.join_cluster(cluster_id=cluster, firm_id=ids["firms"][0], joined_on=date(2010, 3, 1), actor=actor)
    newcomer = app.registry.register_institution(network_id=NET, name="Inkubator", short_name="INK", kind="incubator",
                                                 actor=actor).id
    sign_off_all(container, ids)
    clock.move_to(date(2013, 1, 20))
    close_year(container, network_id=NET, year=2012, actor=COORDINATOR)
    return container, ids, cluster, newcomer


@pytest.mark.parametrize("day", [date(2012, 6, 1), date(2011, 6, 1)], ids=["in_closed_year", "before_closed_year"])
def test_cluster_membership_change_affecting_a_closed_year_is_refused(closed_2012, day):
    container, ids, cluster, _ = closed_2012
    app = container.app
    actor = Actor(user_id="staff@ks")
    position = app.recorder.max_notification_id()
    with pytest.raises(InvariantViolated, match="2012"):
        app.registry.join_cluster(cluster_id=cluster, firm_id=ids["firms"][1], joined_on=day, actor=actor)
    with pytest.raises(InvariantViolated, match="2012"):
        app.registry.leave_cluster(cluster_id=cluster, firm_id=ids["firms"][0], left_on=day, actor=actor)
    assert app.recorder.max_notification_id() == position
    # After the closed year, the same changes are fine.
    app.registry.join_cluster(cluster_id=cluster, firm_id=ids["firms"][1], joined_on=date(2013, 1, 2), actor=actor)
    app.registry.leave_cluster(cluster_id=cluster, firm_id=ids["firms"][0], left_on=date(2013, 1, 2), actor=actor)


@pytest.mark.parametrize("day", [date(2012, 6, 1), date(2011, 6, 1)], ids=["in_closed_year", "before_closed_year"])
def test_network_membership_change_affecting_a_closed_year_is_refused(closed_2012, day):
    container, ids, _, newcomer = closed_2012
    app = container.app
    position = app.recorder.max_notification_id()
    with pytest.raises(InvariantViolated, match="2012"):
        app.registry.join_network(network_id=NET, institution_id=newcomer, joined_on=day, actor=COORDINATOR)
    with pytest.raises(InvariantViolated, match="2012"):
        app.registry.leave_network(network_id=NET, institution_id=ids["riph"], left_on=day, actor=COORDINATOR)
    assert app.recorder.max_notification_id() == position
    app.registry.join_network(network_id=NET, institution_id=newcomer, joined_on=date(2013, 1, 2), actor=COORDINATOR)
    app.registry.leave_network(network_id=NET, institution_id=ids["riph"], left_on=date(2013, 1, 2), actor=COORDINATOR)


def test_membership_change_in_a_closed_year_is_allowed_once_reopened_for_that_institution(closed_2012, clock):  # noqa: F811
    container, ids, cluster, _ = closed_2012
    app = container.app
    clock.move_to(date(2013, 2, 1))
    app.years.reopen_year(network_id=NET, year=2012, institution_id=cluster, reason="Firma wystąpiła w czerwcu",
                            actor=COORDINATOR)
    app.registry.leave_cluster(cluster_id=cluster, firm_id=ids["firms"][0], left_on=date(2012, 6, 1),
                               actor=Actor(user_id="staff@ks"))
    assert not app.get_institution(cluster).has_firm_member(ids["firms"][0], date(2012, 12, 31))


def test_a_rename_after_closing_leaves_the_reproduced_report_equal_to_the_published_version(world, clock):  # noqa: F811
    """Source attribution goes by short name (the seed's "WPiR" column): an as-of report must use the
    names as they were on that day, or an auditor can no longer reproduce a published version."""
    container, ids = world
    app = container.app
    app.records.record("conclusion", {"network_id": NET, "occurred_on": date(2012, 4, 4), "title": "Wnioski WPiR",
                                      "kind": "conclusion", "institution_ids": [ids["wpir"]]}, ids["staff"])
    sign_off_all(container, ids)
    clock.move_to(date(2013, 1, 20))
    close_year(container, network_id=NET, year=2012, actor=COORDINATOR)
    v1 = app.years.report_version(network_id=NET, year=2012, version=1)

    clock.move_to(date(2013, 3, 1))
    app.registry.rename_institution(institution_id=ids["wpir"], name="Wydział Rozwoju Miasta", short_name="WRM",
                                    actor=COORDINATOR)
    assert reproduce_report(container, network_id=NET, year=2012, as_of=date(2013, 1, 20)) == v1["report"]
