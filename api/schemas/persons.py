"""Bodies and answers of the contact persons' and the data-protection officer's routes (api/routes/persons.py).

A person's name, e-mail and phone are personal data: searches send them in a POST body, never in a URL
(which the access log keeps), and nothing here is an event."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import Field

from api.schemas.common import Out, StrictIn


class PersonIn(StrictIn):
    name: str = Field(min_length=1, max_length=200, examples=["Anna Nowak"])
    position: str | None = Field(default=None, max_length=200, examples=["specjalistka ds. szkoleń"])
    email: str | None = Field(default=None, max_length=254, examples=["anna.nowak@example.pl"])
    phone: str | None = Field(default=None, max_length=30, examples=["+48 65 529 00 00"])
    institution_id: UUID | None = Field(default=None, description="The institution keeping the person (staff: "
                                                                   "their own); or `firm_id`.")
    firm_id: UUID | None = None


class PersonPatch(StrictIn):
    """The fields to change; a field left out stays as it is, `null` clears it."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    position: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=30)
    institution_id: UUID | None = None
    firm_id: UUID | None = None


class PersonSearch(StrictIn):
    text: str = Field(default="", max_length=200, description="Part of a name, an e-mail (for a role that sees "
                                                              "contact details), an institution's or a firm's name; "
                                                              "empty: everyone.")
    institution_id: UUID | None = Field(default=None, description="Only the persons of this institution.")
    firm_id: UUID | None = Field(default=None, description="Only the persons of this firm.")


class PersonOut(Out):
    id: UUID
    name: str
    position: str | None
    email: str | None = Field(description="null when withheld from this role (auditors), or none is known")
    phone: str | None
    institution_id: UUID | None
    institution_name: str | None
    firm_id: UUID | None
    firm_name: str | None
    details_shown: bool = Field(description="false: the contact details were withheld from this role")


class PersonList(Out):
    items: list[PersonOut]


class AppearanceOut(Out):
    record_id: UUID
    kind: str
    occurred_on: date
    title: str
    status: str = Field(description="active or retracted")
    named_now: bool = Field(description="false: an earlier version named the person; a correction took them off")


class AppearanceList(Out):
    items: list[AppearanceOut]


# ---------------------------------------------------------------------------------------------- the DPO's
class PersonEntryOut(Out):
    """The whole directory entry, as the data-protection officer sees it."""

    id: UUID
    name: str
    position: str | None
    email: str | None
    phone: str | None
    institution_id: UUID | None
    institution_name: str | None
    firm_id: UUID | None
    firm_name: str | None
    added_at: str | None = Field(description="UTC, ISO 8601")
    changed_at: str | None


class PersonEntryList(Out):
    items: list[PersonEntryOut]


class ErasureIn(StrictIn):
    legal_ground: Literal["a", "b", "c", "d", "e", "f"] = Field(
        description="The letter of RODO / GDPR art. 17(1) the erasure is made on.", examples=["b"])


class RetentionCandidateOut(Out):
    person: PersonEntryOut
    last_named_on: date | None = Field(description="The latest business date of a record naming them; null: none")


class RetentionReviewOut(Out):
    years: int = Field(description="The retention period")
    cutoff: date = Field(description="Persons named by no record on or after this day (and added before it)")
    candidates: list[RetentionCandidateOut]
