"""Shared networks of municipalities: the deployment's admin creates one and admits municipalities on dates;
a member's scope knows it (today and on a date), a former member's does not, and only the admin may change
who is a member."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest

from domain.application import DEFAULT_MUNICIPALITY_ID
from domain.errors import DomainError, InvariantViolated, UnknownReference, ValidationFailed
from domain.policy import Forbidden, Role, User
from domain.use_cases.users import OPERATOR
from domain.values import stable_id


def _coordinator(municipality_id: UUID) -> User:
    return User(id=stable_id("user", f"coordinator-{municipality_id}"), email="c@example.org", role=Role.COORDINATOR,
                institution_id=None, active=True, municipality_id=municipality_id)


@pytest.fixture
def metro(container):
    uc = container.use_cases
    second = uc.registry.add_municipality(OPERATOR, name="Miasto Gniezno", teryt="3003011",
                                          network_name="Sieć instytucji Gniezna").id
    network = uc.shared_networks.add(OPERATOR, name="Metropolia", kind="municipal_network").id
    return uc, network, second


def test_a_member_sees_the_network_from_its_joining_and_not_after_it_left(container, metro):
    uc, network, second = metro
    today = container.app.today()
    leszno, gniezno = _coordinator(DEFAULT_MUNICIPALITY_ID), _coordinator(second)
    assert uc.shared_networks.networks(leszno) == []
    uc.shared_networks.admit(OPERATOR, network_id=network, municipality_id=DEFAULT_MUNICIPALITY_ID,
                             joined_on=date(2011, 1, 1))
    uc.shared_networks.admit(OPERATOR, network_id=network, municipality_id=second, joined_on=date(2012, 1, 1))

    for user in (leszno, gniezno):
        scope = uc.registry.scope(user)
        assert scope.shared_network_ids == {network}
        assert network in scope.network_ids and scope.home_network_id != network
    assert uc.registry.scope(gniezno).shared_network_ids_on(date(2011, 6, 1)) == frozenset()
    assert uc.shared_networks.scopes.members_of(network, on=date(2011, 6, 1)) == [DEFAULT_MUNICIPALITY_ID]
    view = uc.shared_networks.network(gniezno, network)
    assert {m.municipality_id for m in view.current_members} == {DEFAULT_MUNICIPALITY_ID, second}

    yesterday = today - timedelta(days=1)
    uc.shared_networks.release(OPERATOR, network_id=network, municipality_id=second, left_on=yesterday)
    scope = uc.registry.scope(gniezno)
    assert scope.shared_network_ids == frozenset() and network not in scope.network_ids
    assert scope.shared_network_ids_on(yesterday) == {network}  # a member until its last day
    with pytest.raises(UnknownReference):
        uc.shared_networks.network(gniezno, network)
    assert uc.shared_networks.networks(gniezno) == []
    assert [n.id for n in uc.shared_networks.networks(leszno)] == [network]


def test_only_the_deployment_admin_changes_membership_and_bad_input_stores_nothing(container, metro):
    uc, network, second = metro
    before = container.runner.log_position()
    with pytest.raises(Forbidden):
        uc.shared_networks.admit(_coordinator(second), network_id=network, municipality_id=second,
                                 joined_on=date(2012, 1, 1))
    with pytest.raises(Forbidden):
        uc.shared_networks.add(_coordinator(second), name="Moja sieć", kind="municipal_network")
    with pytest.raises(ValidationFailed) as kind:
        uc.shared_networks.add(OPERATOR, name="Sieć", kind="institution_network")
    assert kind.value.field == "kind"
    home = uc.registry.scope(_coordinator(second)).home_network_id
    with pytest.raises(InvariantViolated) as not_shared:
        uc.shared_networks.admit(OPERATOR, network_id=home, municipality_id=DEFAULT_MUNICIPALITY_ID,
                                 joined_on=date(2012, 1, 1))
    assert not_shared.value.field == "network_id"
    with pytest.raises(UnknownReference):
        uc.shared_networks.admit(OPERATOR, network_id=network, municipality_id=stable_id("x", "y"),
                                 joined_on=date(2012, 1, 1))
    with pytest.raises(DomainError):  # the future is not a business date
        uc.shared_networks.admit(OPERATOR, network_id=network, municipality_id=second,
                                 joined_on=container.app.today() + timedelta(days=1))
    with pytest.raises(InvariantViolated):
        uc.shared_networks.release(OPERATOR, network_id=network, municipality_id=second, left_on=date(2012, 1, 1))
    assert container.runner.log_position() == before

    uc.shared_networks.admit(OPERATOR, network_id=network, municipality_id=second, joined_on=date(2012, 1, 1))
    with pytest.raises(InvariantViolated) as twice:
        uc.shared_networks.admit(OPERATOR, network_id=network, municipality_id=second, joined_on=date(2013, 1, 1))
    assert "Gmina jest już członkiem tej sieci" in str(twice.value)


def test_a_coordinator_shares_only_indicators_of_its_own_strategy(container, metro):
    uc, network, second = metro
    leszno = _coordinator(DEFAULT_MUNICIPALITY_ID)
    with pytest.raises(UnknownReference):  # not a member: the network is not found
        uc.shared_networks.share_indicators(leszno, network_id=network, indicator_codes=["III.1.3.W2"])
    uc.shared_networks.admit(OPERATOR, network_id=network, municipality_id=DEFAULT_MUNICIPALITY_ID,
                             joined_on=date(2011, 1, 1))
    before = container.runner.log_position()
    with pytest.raises(DomainError) as unknown:
        uc.shared_networks.share_indicators(leszno, network_id=network, indicator_codes=["NO.SUCH"])
    assert unknown.value.field == "indicator_code"
    assert container.runner.log_position() == before
    uc.shared_networks.share_indicators(leszno, network_id=network, indicator_codes=["III.1.3.W2"])
    member = uc.shared_networks.network(leszno, network).member(DEFAULT_MUNICIPALITY_ID)
    assert member is not None and member.indicator_codes == ("III.1.3.W2",)
