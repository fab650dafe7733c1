"""Registry routes: institutions, the network's members, firms, cluster members."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from api.deps import (
    ClusterManager,
    ContainerDep,
    FirmRegistrar,
    RegistryManager,
    RegistryReader,
    WriteCtx,
    read_tx,
)
from api.errors import problems
from api.policy import actor_of, check_acts_for
from api.schemas.common import Written
from api.schemas.registry import (
    ClusterJoinIn,
    ClusterLeaveIn,
    FirmIn,
    FirmList,
    FirmOut,
    InstitutionIn,
    InstitutionList,
    InstitutionOut,
    NetworkJoinIn,
    NetworkLeaveIn,
)
from api.writes import run_write, written
from domain.application import DEFAULT_NETWORK_ID
from domain.values import InstitutionKind
from projections.registry.queries import list_firms, list_institutions

router = APIRouter(tags=["registry"])


@router.post("/institutions", status_code=201, response_model=Written, responses=problems(400, 401, 403, 409, 422),
             summary="Register an institution (coordinator)")
def register_institution(body: InstitutionIn, user: RegistryManager, c: ContainerDep, ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(c.app.register_institution(
        network_id=body.network_id or DEFAULT_NETWORK_ID, name=body.name, short_name=body.short_name,
        kind=body.kind.value, coordinator_id=body.coordinator_id, actor=actor_of(user))))


@router.get("/institutions", response_model=InstitutionList, responses=problems(401, 403, 422),
            summary="List institutions")
def get_institutions(user: RegistryReader, c: ContainerDep,
                     kind: InstitutionKind | None = None, network_id: UUID | None = None) -> InstitutionList:
    with read_tx(c) as tx:
        rows = list_institutions(tx, network_id=str(network_id) if network_id else None,
                                 kind=kind.value if kind else None)
    return InstitutionList(items=[InstitutionOut(
        id=r["id"], network_id=r["network_id"], name=r["name"], short_name=r["short_name"], kind=r["kind"],
        coordinator_id=r["coordinator_id"], active=bool(r["active"])) for r in rows])


@router.post("/network/members", status_code=201, response_model=Written, responses=problems(400, 401, 403, 409, 422),
             summary="An institution joins the network (coordinator)")
def join_network(body: NetworkJoinIn, user: RegistryManager, c: ContainerDep, ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(c.app.join_network(
        network_id=body.network_id or DEFAULT_NETWORK_ID, institution_id=body.institution_id,
        joined_on=body.joined_on, actor=actor_of(user))))


@router.post("/network/members/{institution_id}/leave", status_code=200, response_model=Written,
             responses=problems(400, 401, 403, 404, 409, 422), summary="An institution leaves the network (coordinator)")
def leave_network(institution_id: UUID, body: NetworkLeaveIn, user: RegistryManager, c: ContainerDep,
                  ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(c.app.leave_network(
        network_id=body.network_id or DEFAULT_NETWORK_ID, institution_id=institution_id,
        left_on=body.left_on, actor=actor_of(user))), status_code=200)


@router.post("/firms", status_code=201, response_model=Written, responses=problems(400, 401, 403, 409, 422),
             summary="Register a firm")
def register_firm(body: FirmIn, user: FirmRegistrar, c: ContainerDep, ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(c.app.register_firm(
        network_id=body.network_id or DEFAULT_NETWORK_ID, name=body.name, nip=body.nip, regon=body.regon,
        actor=actor_of(user))))


@router.get("/firms", response_model=FirmList, responses=problems(401, 403, 422), summary="List firms")
def get_firms(user: RegistryReader, c: ContainerDep, network_id: UUID | None = None) -> FirmList:
    with read_tx(c) as tx:
        rows = list_firms(tx, network_id=str(network_id) if network_id else None)
    return FirmList(items=[FirmOut(id=r["id"], network_id=r["network_id"], name=r["name"], nip=r["nip"],
                                   regon=r["regon"]) for r in rows])


def _cluster_for(c, user, cluster_institution_id: UUID):
    """The cluster, if the user may manage it: its own staff or the staff of the institution running it."""
    cluster = c.app.get_institution(cluster_institution_id, field="cluster_institution_id")
    check_acts_for(user, [cluster.id, cluster.coordinator_id], field="cluster_institution_id")
    return cluster


@router.post("/clusters/{cluster_institution_id}/members", status_code=201, response_model=Written,
             responses=problems(400, 401, 403, 404, 409, 422), summary="A firm joins a cluster")
def join_cluster(cluster_institution_id: UUID, body: ClusterJoinIn, user: ClusterManager, c: ContainerDep,
                 ctx: WriteCtx):
    def action() -> Written:
        cluster = _cluster_for(c, user, cluster_institution_id)
        return written(c.app.join_cluster(cluster_id=cluster.id, firm_id=body.firm_id, joined_on=body.joined_on,
                                          actor=actor_of(user)))

    return run_write(ctx, user, body, action)


@router.post("/clusters/{cluster_institution_id}/members/{firm_id}/leave", status_code=200, response_model=Written,
             responses=problems(400, 401, 403, 404, 409, 422), summary="A firm leaves a cluster")
def leave_cluster(cluster_institution_id: UUID, firm_id: UUID, body: ClusterLeaveIn, user: ClusterManager,
                  c: ContainerDep, ctx: WriteCtx):
    def action() -> Written:
        cluster = _cluster_for(c, user, cluster_institution_id)
        return written(c.app.leave_cluster(cluster_id=cluster.id, firm_id=firm_id, left_on=body.left_on,
                                           actor=actor_of(user)))

    return run_write(ctx, user, body, action, status_code=200)
