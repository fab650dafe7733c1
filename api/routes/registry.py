"""Registry routes: municipalities, institutions, the network's members, firms, cluster members.
Each route parses, calls one use case (domain/use_cases/registry.py) and renders."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from api.deps import (
    ClusterManager,
    CurrentUser,
    FirmRegistrar,
    RegistryManager,
    RegistryReader,
    UseCasesDep,
    WriteCtx,
)
from api.errors import problems
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
    MunicipalityList,
    MunicipalityOut,
    NetworkJoinIn,
    NetworkLeaveIn,
)
from api.writes import run_write, written
from domain.values import InstitutionKind

router = APIRouter(tags=["registry"])


@router.get("/municipalities", response_model=MunicipalityList, responses=problems(401, 422),
            summary="The municipalities you may see (your own; the deployment's admin: every one)")
def get_municipalities(user: CurrentUser, uc: UseCasesDep) -> MunicipalityList:
    return MunicipalityList(items=[MunicipalityOut(id=r["id"], name=r["name"], teryt=r["teryt"])
                                   for r in uc.registry.municipalities(user)])


@router.post("/institutions", status_code=201, response_model=Written, responses=problems(400, 401, 403, 409, 422),
             summary="Register an institution (coordinator)")
def register_institution(body: InstitutionIn, user: RegistryManager, uc: UseCasesDep, ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(uc.registry.register_institution(
        user, network_id=body.network_id, name=body.name, short_name=body.short_name, kind=body.kind.value,
        coordinator_id=body.coordinator_id)))


@router.get("/institutions", response_model=InstitutionList, responses=problems(401, 403, 422),
            summary="List institutions")
def get_institutions(user: RegistryReader, uc: UseCasesDep,
                     kind: InstitutionKind | None = None, network_id: UUID | None = None) -> InstitutionList:
    rows = uc.registry.institutions(user, kind=kind.value if kind else None, network_id=network_id)
    return InstitutionList(items=[InstitutionOut(
        id=r["id"], network_id=r["network_id"], name=r["name"], short_name=r["short_name"], kind=r["kind"],
        coordinator_id=r["coordinator_id"], active=bool(r["active"])) for r in rows])


@router.post("/network/members", status_code=201, response_model=Written, responses=problems(400, 401, 403, 409, 422),
             summary="An institution joins the network (coordinator)")
def join_network(body: NetworkJoinIn, user: RegistryManager, uc: UseCasesDep, ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(uc.registry.join_network(
        user, network_id=body.network_id, institution_id=body.institution_id, joined_on=body.joined_on)))


@router.post("/network/members/{institution_id}/leave", status_code=200, response_model=Written,
             responses=problems(400, 401, 403, 404, 409, 422), summary="An institution leaves the network (coordinator)")
def leave_network(institution_id: UUID, body: NetworkLeaveIn, user: RegistryManager, uc: UseCasesDep,
                  ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(uc.registry.leave_network(
        user, network_id=body.network_id, institution_id=institution_id, left_on=body.left_on)), status_code=200)


@router.post("/firms", status_code=201, response_model=Written, responses=problems(400, 401, 403, 409, 422),
             summary="Register a firm")
def register_firm(body: FirmIn, user: FirmRegistrar, uc: UseCasesDep, ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(uc.registry.register_firm(
        user, network_id=body.network_id, name=body.name, nip=body.nip, regon=body.regon)))


@router.get("/firms", response_model=FirmList, responses=problems(401, 403, 422), summary="List firms")
def get_firms(user: RegistryReader, uc: UseCasesDep, network_id: UUID | None = None) -> FirmList:
    return FirmList(items=[FirmOut(id=r["id"], network_id=r["network_id"], name=r["name"], nip=r["nip"],
                                   regon=r["regon"]) for r in uc.registry.firms(user, network_id=network_id)])


@router.post("/clusters/{cluster_institution_id}/members", status_code=201, response_model=Written,
             responses=problems(400, 401, 403, 404, 409, 422), summary="A firm joins a cluster")
def join_cluster(cluster_institution_id: UUID, body: ClusterJoinIn, user: ClusterManager, uc: UseCasesDep,
                 ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(uc.registry.join_cluster(
        user, cluster_id=cluster_institution_id, firm_id=body.firm_id, joined_on=body.joined_on)))


@router.post("/clusters/{cluster_institution_id}/members/{firm_id}/leave", status_code=200, response_model=Written,
             responses=problems(400, 401, 403, 404, 409, 422), summary="A firm leaves a cluster")
def leave_cluster(cluster_institution_id: UUID, firm_id: UUID, body: ClusterLeaveIn, user: ClusterManager,
                  uc: UseCasesDep, ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(uc.registry.leave_cluster(
        user, cluster_id=cluster_institution_id, firm_id=firm_id, left_on=body.left_on)), status_code=200)
