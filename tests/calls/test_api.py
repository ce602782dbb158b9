"""/api/v1/calls: calls visible to a user, one call, its results (final ones for outsiders; adults named as in
公示, students masked) and one's own applications; an organiser of one association sees nothing unpublished of
another's."""

from calls import services
from tests import factories
from tests.calls.test_services import ANSWERS, BANDS, FORM, make_call, paper, scored_call


def test_results_are_the_organisers_until_final_then_everyones(client, login):
    call, apps = scored_call("bands", BANDS, [95, 75, 52])
    organiser = factories.organiser(call.organisation)
    other_org = factories.association("临江市科学技术协会")
    other = factories.organiser(other_org)
    theirs = make_call()  # a draft of yet another association
    services.set_status(call, "review")
    factories.commit()

    login(other)
    ids = [c["id"] for c in client.get("/api/v1/calls/").get_json()]
    assert call.id not in ids and theirs.id not in ids
    for path in (f"/api/v1/calls/{call.id}", f"/api/v1/calls/{call.id}/results", f"/api/v1/calls/{theirs.id}"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert response.get_json()["error"]["code"]
    assert client.get("/api/v1/calls/999999/results").status_code == 404
    client.post("/logout")

    login(organiser)
    listed = {c["id"]: c for c in client.get("/api/v1/calls/").get_json()}
    assert listed[call.id]["manage"] is True and theirs.id not in listed
    body = client.get(f"/api/v1/calls/{call.id}/results").get_json()
    assert body["final"] is False
    assert [(r["title"], r["result"]) for r in body["rows"]] == [
        ("申报1", "优秀"),
        ("申报2", "合格"),
        ("申报3", "不合格"),
    ]
    detail = client.get(f"/api/v1/calls/{call.id}").get_json()
    assert detail["form"][0] == {"key": "f1", "label": "论文题目", "kind": "text", "required": True}
    services.set_status(call, "finished")
    factories.commit()
    client.post("/logout")

    login(other)
    assert call.id in [c["id"] for c in client.get("/api/v1/calls/").get_json()]
    body = client.get(f"/api/v1/calls/{call.id}/results").get_json()
    assert body["final"] is True and body["rows"][0]["applicant"] == "单位1"  # adults as published
    assert client.get(f"/api/v1/calls/{theirs.id}").status_code == 403  # still a draft


def test_students_are_masked_for_outsiders(client, login):
    org = factories.association("青溪县科学技术协会")
    organiser = factories.organiser(org)
    call = services.create_call(
        org,
        year=2026,
        title="青少年科技创新市长奖",
        subject="entry",
        applicants="units",
        outcome="top",
        outcome_rule={"n": 1},
        form=FORM,
    )
    services.set_status(call, "open")
    app = services.submit_application(
        call,
        title="水质监测仪",
        applicant_name="欧阳䶮",
        unit_name="青溪一中",
        answers=ANSWERS,
        uploads=paper(),
        actor=None,
    )
    services.review_application(app, "accepted", "", organiser)
    for expert in "甲乙丙丁戊":
        services.record_score(app, expert, "90", organiser)
    services.set_status(call, "review")
    services.set_status(call, "finished")
    outsider = factories.user("张三")
    factories.commit()
    login(outsider)
    row = client.get(f"/api/v1/calls/{call.id}/results").get_json()["rows"][0]
    assert row["applicant"] != "欧阳䶮" and "䶮" not in row["applicant"] and row["result"]
    client.post("/logout")
    login(organiser)
    assert client.get(f"/api/v1/calls/{call.id}/results").get_json()["rows"][0]["applicant"] == "欧阳䶮"


def test_my_applications_are_mine_only(client, login):
    call = make_call()
    services.set_status(call, "open")
    me, someone = factories.coordinator(name="欧阳䶮"), factories.coordinator(name="李四")
    mine = services.submit_application(
        call, title="𠮷祥河", applicant_name="欧阳䶮", unit_name="", answers=ANSWERS, uploads=paper(), actor=me
    )
    services.submit_application(
        call, title="别人的", applicant_name="李四", unit_name="", answers=ANSWERS, uploads=paper(), actor=someone
    )
    factories.commit()
    login(me)
    body = client.get("/api/v1/calls/applications/mine").get_json()
    assert [(a["code"], a["title"], a["status"]) for a in body] == [(mine.code, "𠮷祥河", "submitted")]
    assert call.id in [c["id"] for c in client.get("/api/v1/calls/").get_json()]  # open to a unit's account
    client.post("/logout")
    assert client.get("/api/v1/calls/applications/mine").status_code == 401
