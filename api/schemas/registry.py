"""Registry: institutions, network membership, firms, cluster membership."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import Field

from api.schemas.common import IsoDate, Out, StrictIn
from domain.values import InstitutionKind

Name = Annotated[str, Field(min_length=1, max_length=300)]


class InstitutionIn(StrictIn):
    name: Name
    short_name: Annotated[str, Field(min_length=1, max_length=30, description="e.g. RIPH, CITT, WPiR")]
    kind: InstitutionKind
    network_id: UUID | None = Field(None, description="Defaults to the city's network.")
    coordinator_id: UUID | None = Field(None, description="For a cluster: the institution that runs it.")


class InstitutionOut(Out):
    id: UUID
    network_id: UUID
    name: str
    short_name: str
    kind: str
    coordinator_id: UUID | None
    active: bool


class InstitutionList(Out):
    items: list[InstitutionOut]


class MunicipalityOut(Out):
    id: UUID
    name: str
    teryt: str | None


class MunicipalityList(Out):
    items: list[MunicipalityOut]


class NetworkJoinIn(StrictIn):
    institution_id: UUID
    joined_on: IsoDate
    network_id: UUID | None = Field(None, description="Defaults to the city's network.")


class NetworkLeaveIn(StrictIn):
    left_on: IsoDate
    network_id: UUID | None = Field(None, description="Defaults to the city's network.")


class FirmIn(StrictIn):
    name: Name
    nip: Annotated[str, Field(max_length=20, description="10 digits, check digit verified")] | None = None
    regon: Annotated[str, Field(max_length=20, description="9 or 14 digits, check digit verified")] | None = None
    network_id: UUID | None = Field(None, description="Defaults to the city's network.")


class FirmOut(Out):
    id: UUID
    network_id: UUID
    name: str
    nip: str | None
    regon: str | None


class FirmList(Out):
    items: list[FirmOut]


class ClusterJoinIn(StrictIn):
    firm_id: UUID
    joined_on: IsoDate


class ClusterLeaveIn(StrictIn):
    left_on: IsoDate
