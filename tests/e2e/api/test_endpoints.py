"""End-to-end over HTTP: every endpoint, corrections, retractions, paging, errors, headers."""

from __future__ import annotations

from tests.support.world import auth

V1 = "/api/v1"


def contact_body(world, **overrides):
    body = {"occurred_on": "2012-03-05", "institution_id": str(world.riph), "with_institution_id": str(world.citt),
            "channel": "phone", "summary": "Uzgodnienie wspólnej oferty"}
    return {**body, **overrides}


def test_health_is_open_and_everything_else_needs_a_token(client, world):
    health = client.get(f"{V1}/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    for path in ("/institutions", "/records", "/firms"):
        response = client.get(V1 + path)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert client.get(f"{V1}/institutions", headers=auth("splot_not-a-real-token")).status_code == 401


def test_security_headers_on_every_response(client, world):
    for response in (client.get(f"{V1}/health"), client.get(f"{V1}/records"), client.get(f"{V1}/no-such-path"),
                     client.get("/api/openapi.json")):
        assert response.headers["content-security-policy"] == (
            "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "max-age=" in response.headers["strict-transport-security"]


def test_institutions_register_and_list(client, world):
    coordinator = auth(world.tokens["coordinator"])
    created = client.post(f"{V1}/institutions", headers=coordinator,
                          json={"name": "Cech Rzemiosł Różnych", "short_name": "CRR", "kind": "crafts_guild"})
    assert created.status_code == 201, created.text
    new_id = created.json()["id"]
    assert created.json()["version"] == 1 and created.json()["notification_id"] > 0
    listed = client.get(f"{V1}/institutions", headers=auth(world.tokens["staff"]))
    assert listed.status_code == 200
    by_id = {i["id"]: i for i in listed.json()["items"]}
    assert by_id[new_id]["short_name"] == "CRR" and by_id[new_id]["kind"] == "crafts_guild"
    only_clusters = client.get(f"{V1}/institutions", params={"kind": "cluster"}, headers=coordinator).json()["items"]
    assert {i["id"] for i in only_clusters} == {str(world.cluster), str(world.own_cluster)}
    bad_kind = client.post(f"{V1}/institutions", headers=coordinator,
                           json={"name": "X", "short_name": "X", "kind": "bank"})
    assert bad_kind.status_code == 422 and bad_kind.json()["errors"][0]["field"] == "kind"


def test_network_join_and_leave(client, world):
    coordinator = auth(world.tokens["coordinator"])
    crr = client.post(f"{V1}/institutions", headers=coordinator,
                      json={"name": "Cech", "short_name": "CRR", "kind": "crafts_guild"}).json()["id"]
    joined = client.post(f"{V1}/network/members", headers=coordinator,
                         json={"institution_id": crr, "joined_on": "2010-02-01"})
    assert joined.status_code == 201, joined.text
    again = client.post(f"{V1}/network/members", headers=coordinator,
                        json={"institution_id": crr, "joined_on": "2010-03-01"})
    assert again.status_code == 409 and again.json()["code"] == "invariant_violated"
    early = client.post(f"{V1}/network/members/{crr}/leave", headers=coordinator, json={"left_on": "2009-01-01"})
    assert early.status_code == 409 and early.json()["errors"][0]["field"] == "left_on"
    left = client.post(f"{V1}/network/members/{crr}/leave", headers=coordinator, json={"left_on": "2012-12-31"})
    assert left.status_code == 200 and left.json()["version"] > joined.json()["version"]
    unknown = client.post(f"{V1}/network/members/00000000-0000-4000-8000-000000000000/leave", headers=coordinator,
                          json={"left_on": "2012-12-31"})
    assert unknown.status_code == 404
    unknown_body = client.post(f"{V1}/network/members", headers=coordinator,
                               json={"institution_id": "00000000-0000-4000-8000-000000000000",
                                     "joined_on": "2010-02-01"})
    assert unknown_body.status_code == 422 and unknown_body.json()["errors"][0]["field"] == "institution_id"


def test_firms_and_cluster_membership(client, world):
    staff = auth(world.tokens["staff"])
    firm = client.post(f"{V1}/firms", headers=staff, json={"name": "Piekarnia", "regon": "123456785"})
    assert firm.status_code == 201, firm.text
    bad_nip = client.post(f"{V1}/firms", headers=staff, json={"name": "Zła", "nip": "5260250275"})
    assert bad_nip.status_code == 422 and bad_nip.json()["errors"][0]["field"] == "nip"
    names = [f["name"] for f in client.get(f"{V1}/firms", headers=staff).json()["items"]]
    assert "Piekarnia" in names
    coordinator = auth(world.tokens["coordinator"])
    path = f"{V1}/clusters/{world.cluster}/members"
    joined = client.post(path, headers=coordinator, json={"firm_id": firm.json()["id"], "joined_on": "2010-05-01"})
    assert joined.status_code == 201, joined.text
    left = client.post(f"{path}/{firm.json()['id']}/leave", headers=coordinator, json={"left_on": "2011-05-01"})
    assert left.status_code == 200
    twice = client.post(f"{path}/{firm.json()['id']}/leave", headers=coordinator, json={"left_on": "2011-06-01"})
    assert twice.status_code == 409
    not_a_cluster = client.post(f"{V1}/clusters/{world.riph}/members", headers=coordinator,
                                json={"firm_id": str(world.firm_a), "joined_on": "2010-05-01"})
    assert not_a_cluster.status_code == 409
    assert not_a_cluster.json()["errors"][0]["field"] == "cluster_institution_id"
    no_cluster = client.post(f"{V1}/clusters/00000000-0000-4000-8000-000000000000/members", headers=coordinator,
                             json={"firm_id": str(world.firm_a), "joined_on": "2010-05-01"})
    assert no_cluster.status_code == 404


def test_every_record_kind_is_created_and_read_back(client, world):
    staff = auth(world.tokens["staff"])
    bodies = {
        "contacts": contact_body(world),
        "meetings": {"occurred_on": "2011-04-01", "title": "Spotkanie sieci", "kind": "network_meeting",
                     "organiser_id": str(world.riph), "institution_ids": [str(world.citt)],
                     "firm_ids": [str(world.firm_a)], "topic": "Oferta",
                     "follow_ups": [{"action": "Wysłać notatkę", "due_on": "2011-04-15"}]},
        "information-exchanges": {"occurred_on": "2010-06-01", "from_institution_id": str(world.riph),
                                  "to_institution_ids": [str(world.citt)], "to_firm_ids": [],
                                  "subject": "Kalendarz wydarzeń", "channel": "email"},
        "conclusions": {"occurred_on": "2013-01-10", "title": "Ekspertyza", "kind": "expertise",
                        "institution_ids": [str(world.riph), str(world.citt)]},
    }
    kinds = {"contacts": "contact", "meetings": "meeting", "information-exchanges": "information_exchange",
             "conclusions": "conclusion"}
    for path, body in bodies.items():
        created = client.post(f"{V1}/{path}", headers=staff, json=body)
        assert created.status_code == 201, (path, created.text)
        assert set(created.json()) == {"id", "version", "notification_id"} and created.json()["version"] == 1
        record = client.get(f"{V1}/records/{created.json()['id']}", headers=staff)
        assert record.status_code == 200
        data = record.json()
        assert data["kind"] == kinds[path] and data["status"] == "active"
        assert data["owner_institution_id"] == str(world.riph)
        assert data["occurred_on"] == body["occurred_on"]
        assert data["history"][0]["event_type"] == "created"
        assert data["history"][0]["actor_institution_id"] == str(world.riph)


def test_dates_must_be_iso_text(client, world):
    staff = auth(world.tokens["staff"])
    before = client.get(f"{V1}/records", headers=staff).json()["items"]
    for bad in (0, 20120305, "05.03.2012", "2012-02-30", None):
        response = client.post(f"{V1}/contacts", headers=staff, json=contact_body(world, occurred_on=bad))
        assert response.status_code == 422, bad
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["field"] == "occurred_on"
    future = client.post(f"{V1}/contacts", headers=staff, json=contact_body(world, occurred_on="2999-01-01"))
    assert future.status_code == 422 and future.json()["code"] == "invalid_business_date"
    assert client.get(f"{V1}/records", headers=staff).json()["items"] == before


def test_unknown_fields_and_references_are_named(client, world):
    staff = auth(world.tokens["staff"])
    extra = client.post(f"{V1}/contacts", headers=staff, json=contact_body(world, colour="red"))
    assert extra.status_code == 422 and extra.json()["errors"][0]["field"] == "colour"
    ghost = "00000000-0000-4000-8000-000000000001"
    unknown = client.post(f"{V1}/contacts", headers=staff, json=contact_body(world, with_firm_id=ghost))
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "with_firm_id" and ghost in unknown.json()["detail"]
    assert client.get(f"{V1}/records/{ghost}", headers=staff).status_code == 404
    assert client.get(f"{V1}/records/not-a-uuid", headers=staff).status_code == 422


def test_correction_then_stale_version_then_retraction(client, world):
    staff = auth(world.tokens["staff"])
    record_id = client.post(f"{V1}/contacts", headers=staff, json=contact_body(world)).json()["id"]
    corrected = client.post(f"{V1}/records/{record_id}/corrections", headers=staff, json={
        "expected_version": 1, "reason": "Zła data", "changes": {"occurred_on": "2011-03-05", "channel": "email"}})
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["version"] == 2
    stale = client.post(f"{V1}/records/{record_id}/corrections", headers=staff, json={
        "expected_version": 1, "reason": "Jeszcze raz", "changes": {"summary": "Inny opis"}})
    assert stale.status_code == 409 and stale.json()["code"] == "version_conflict"
    bad_change = client.post(f"{V1}/records/{record_id}/corrections", headers=staff, json={
        "expected_version": 2, "reason": "Data", "changes": {"occurred_on": 0}})
    assert bad_change.status_code == 422 and bad_change.json()["errors"][0]["field"] == "changes.occurred_on"
    not_a_field = client.post(f"{V1}/records/{record_id}/corrections", headers=staff, json={
        "expected_version": 2, "reason": "Sieć", "changes": {"network_id": str(world.riph)}})
    assert not_a_field.status_code == 422 and not_a_field.json()["errors"][0]["field"] == "changes.network_id"
    no_reason = client.post(f"{V1}/records/{record_id}/retractions", headers=staff,
                            json={"expected_version": 2, "reason": "   "})
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    retracted = client.post(f"{V1}/records/{record_id}/retractions", headers=staff,
                            json={"expected_version": 2, "reason": "Zdublowany wpis"})
    assert retracted.status_code == 200 and retracted.json()["version"] == 3
    after = client.post(f"{V1}/records/{record_id}/corrections", headers=staff, json={
        "expected_version": 3, "reason": "Po wycofaniu", "changes": {"summary": "x"}})
    assert after.status_code == 409 and after.json()["code"] == "record_retracted"
    data = client.get(f"{V1}/records/{record_id}", headers=staff).json()
    assert data["status"] == "retracted" and data["retraction_reason"] == "Zdublowany wpis"
    assert data["fields"]["occurred_on"] == "2011-03-05" and data["fields"]["channel"] == "email"
    history = data["history"]
    assert [h["event_type"] for h in history] == ["created", "corrected", "retracted"]
    assert [h["version"] for h in history] == [1, 2, 3]
    assert history[0]["changes"]["occurred_on"] == "2012-03-05"
    assert history[1]["changes"] == {"occurred_on": "2011-03-05", "channel": "email"}
    assert history[1]["reason"] == "Zła data" and history[2]["reason"] == "Zdublowany wpis"
    assert all(h["actor_user_id"] and h["recorded_at"] for h in history)


def test_register_filters_and_paging(client, world):
    coordinator = auth(world.tokens["coordinator"])
    created = []
    for i in range(5):
        body = contact_body(world, occurred_on=f"201{i}-01-0{i + 1}", summary=f"Kontakt {i}")
        created.append(client.post(f"{V1}/contacts", headers=coordinator, json=body).json()["id"])
    client.post(f"{V1}/contacts", headers=coordinator, json=contact_body(
        world, institution_id=str(world.citt), with_institution_id=str(world.lcb)))
    seen, cursor = [], None
    while True:
        params = {"limit": 2, "institution": str(world.riph), **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{V1}/records", headers=coordinator, params=params)
        assert page.status_code == 200
        seen += [item["id"] for item in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    world_records = sorted([str(world.own_record), str(world.shared_record)])  # both 2012-05-05
    expected = [*reversed(created[3:]), *world_records, *reversed(created[:3])]
    assert seen == expected  # newest business date first, each exactly once
    year = client.get(f"{V1}/records", headers=coordinator, params={"year": 2013}).json()["items"]
    assert [r["occurred_on"] for r in year] == ["2013-01-04"]
    kind = client.get(f"{V1}/records", headers=coordinator, params={"kind": "meeting"}).json()["items"]
    assert kind == []
    bad = client.get(f"{V1}/records", headers=coordinator, params={"cursor": "garbage!"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"


# Confidential reads that answer 404, not 403, to every role that may not read them, so that not even their
# existence leaks (the investor service's inquiries: only its own staff and the coordinator know of them).
NOT_FOUND_FOR_THE_REFUSED = {"/api/v1/investor/inquiries", "/api/v1/investor/inquiries/{inquiry_id}"}


def test_openapi_documents_every_status_and_docs_are_served(client):
    schema = client.get("/api/openapi.json").json()
    assert client.get("/api/docs").status_code == 200
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert "500" in codes, (method, path)
            if path != "/api/v1/health":
                assert {"401", "422"} <= codes, (method, path)
            if path in NOT_FOUND_FOR_THE_REFUSED and method == "get":
                assert "403" not in codes and "404" in codes, (method, path)
            elif path not in ("/api/v1/health", "/api/v1/municipalities"):  # every signed-in user sees their own
                assert "403" in codes, (method, path)
            for code, response in operation["responses"].items():
                if code.startswith(("4", "5")):
                    assert list(response["content"]) == ["application/problem+json"], (method, path, code)
