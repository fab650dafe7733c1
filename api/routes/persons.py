"""Contact persons and the data-protection officer's work on them (issue 12), over the same use cases as the
pages (`uc.people`, `uc.privacy`).

- Persons: list, search (POST: a name or e-mail is personal data and must not reach a URL, which the access
  log keeps), add, read, change (PATCH: the fields sent replace, the others stay), the records naming one.
  Staff and leads reach their own institution's persons (another institution's: 404), coordinators every
  one of the municipality, auditors see a person and their records but never the e-mail and phone.
- The DPO: find anyone of the municipality with every detail, the subject-access export (RODO art. 15, JSON;
  recorded in the audit trail), erasure (art. 17, with its legal ground; recorded first) and the retention
  review. No other role has these (403 before the body is read).
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from api.deps import (PersonalDataReader, PersonEraser, PersonManager, PersonReader, SubjectDataExporter,
                      UseCasesDep, WriteCtx)
from api.errors import problems
from api.schemas.common import Written
from api.schemas.persons import (AppearanceList, AppearanceOut, ErasureIn, PersonEntryList, PersonEntryOut, PersonIn,
                                 PersonList, PersonOut, PersonPatch, PersonSearch, RetentionCandidateOut,
                                 RetentionReviewOut)
from api.writes import run_write, written
from domain.use_cases.people import ContactPerson, PersonDetails
from domain.use_cases.privacy import PersonEntry
from infra.exports.subject_access import subject_data

router = APIRouter(tags=["persons"])

PersonId = Annotated[UUID, Path(description="The person's id")]
READ_PROBLEMS = problems(401, 403, 404, 422)
WRITE_PROBLEMS = problems(400, 401, 403, 404, 409, 415, 422)
_FIELDS = ("name", "position", "email", "phone", "institution_id", "firm_id")


def _out(person: ContactPerson) -> PersonOut:
    return PersonOut(id=person.id, name=person.name, position=person.position, email=person.email,
                     phone=person.phone, institution_id=person.institution_id,
                     institution_name=person.institution_name, firm_id=person.firm_id, firm_name=person.firm_name,
                     details_shown=person.details_shown)


def _entry(person: PersonEntry) -> PersonEntryOut:
    return PersonEntryOut(id=person.id, name=person.name, position=person.position, email=person.email,
                          phone=person.phone, institution_id=person.institution_id,
                          institution_name=person.institution_name, firm_id=person.firm_id,
                          firm_name=person.firm_name, added_at=person.added_at, changed_at=person.changed_at)


def _of(found: list, body: PersonSearch) -> list:
    """The found persons of the institution or firm the search names (ids, as a list would be narrowed)."""
    return [p for p in found if (body.institution_id is None or p.institution_id == body.institution_id)
            and (body.firm_id is None or p.firm_id == body.firm_id)]


# ---------------------------------------------------------------------------------------------- persons
@router.get("/persons", response_model=PersonList, responses=READ_PROBLEMS,
            summary="The contact persons the user works with, by name")
def list_persons(user: PersonReader, uc: UseCasesDep) -> PersonList:
    return PersonList(items=[_out(p) for p in uc.people.persons(user)])


@router.post("/persons/search", response_model=PersonList, responses=WRITE_PROBLEMS,
             summary="Find persons by name, e-mail, institution or firm (POST: no name in a URL)")
def search_persons(body: PersonSearch, user: PersonReader, uc: UseCasesDep) -> PersonList:
    return PersonList(items=[_out(p) for p in _of(uc.people.find(user, body.text), body)])


@router.post("/persons", status_code=201, response_model=PersonOut, responses=WRITE_PROBLEMS,
             summary="Add a contact person (staff: of their own institution)",
             description="The person directory is outside the event log (so a person can be erased): no "
                         "Idempotency-Key; a retry adds the person again.")
def add_person(body: PersonIn, user: PersonManager, uc: UseCasesDep) -> PersonOut:
    person_id = uc.people.add(user, PersonDetails(**body.model_dump()))
    return _out(uc.people.person(user, person_id))


@router.get("/persons/{person_id}", response_model=PersonOut, responses=READ_PROBLEMS,
            summary="One person (another institution's, for staff: 404; auditors: without e-mail and phone)")
def get_person(person_id: PersonId, user: PersonReader, uc: UseCasesDep) -> PersonOut:
    return _out(uc.people.person(user, person_id))


@router.patch("/persons/{person_id}", response_model=PersonOut, responses=WRITE_PROBLEMS,
              summary="Change a person: the fields sent replace, the others stay")
def change_person(person_id: PersonId, body: PersonPatch, user: PersonManager, uc: UseCasesDep) -> PersonOut:
    current = uc.people.person(user, person_id)
    details = {name: getattr(current, name) for name in _FIELDS} | body.model_dump(exclude_unset=True)
    uc.people.edit(user, person_id, PersonDetails(**{**details, "name": details["name"] or ""}))
    return _out(uc.people.person(user, person_id))


@router.get("/persons/{person_id}/records", response_model=AppearanceList, responses=READ_PROBLEMS,
            summary="The records naming the person that the user may see (that they took part)")
def person_records(person_id: PersonId, user: PersonReader, uc: UseCasesDep) -> AppearanceList:
    return AppearanceList(items=[AppearanceOut(record_id=a.record_id, kind=a.kind, occurred_on=a.occurred_on,
                                               title=a.title, status=a.status, named_now=a.named_now)
                                 for a in uc.people.appearances(user, person_id)])


# ---------------------------------------------------------------------------------------------- the DPO
@router.post("/privacy/persons/search", response_model=PersonEntryList, responses=WRITE_PROBLEMS,
             summary="The DPO finds any person of the municipality, with every detail (POST: no name in a URL)")
def dpo_search(body: PersonSearch, user: PersonalDataReader, uc: UseCasesDep) -> PersonEntryList:
    return PersonEntryList(items=[_entry(p) for p in _of(uc.privacy.find(user, body.text), body)])


@router.get("/privacy/retention-review", response_model=RetentionReviewOut, responses=READ_PROBLEMS,
            summary="Persons no record has named for the retention period, oldest first (DPO)")
def retention_review(user: PersonalDataReader, uc: UseCasesDep) -> RetentionReviewOut:
    review = uc.privacy.retention(user)
    return RetentionReviewOut(years=review.years, cutoff=review.cutoff, candidates=[
        RetentionCandidateOut(person=_entry(c.person), last_named_on=c.last_named_on) for c in review.candidates])


@router.get("/persons/{person_id}/subject-access", responses={200: {"description": "Everything held about the "
            "person (RODO art. 15), as the DPO's JSON download"}, **READ_PROBLEMS},
            summary="Subject-access export of a person as JSON (DPO; recorded in the audit trail)")
def subject_access(person_id: PersonId, user: SubjectDataExporter, uc: UseCasesDep) -> JSONResponse:
    return JSONResponse(subject_data(uc.privacy.export(user, person_id, format="json")))


@router.post("/persons/{person_id}/erasure", status_code=201, response_model=Written, responses=WRITE_PROBLEMS,
             summary="Erase a person on a ground of RODO art. 17(1) (DPO): the records naming them stay and count",
             description="The erasure is an audited event naming only the person's id, the ground and the DPO; "
                         "the directory row is then deleted for good. The answer is that event.")
def erase_person(person_id: PersonId, body: ErasureIn, user: PersonEraser, uc: UseCasesDep, ctx: WriteCtx):
    return run_write(ctx, user, body, lambda: written(uc.privacy.erase(user, person_id,
                                                                       legal_ground=body.legal_ground)))
