from accounts import services
from tests import factories


def test_openapi_document_is_generated_from_the_code(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/me" in spec["paths"] and "/api/v1/jobs/{job_id}" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_api_me_with_token_and_error_shapes(client):
    user = factories.coordinator(email="c@example.cn")
    _row, token = services.create_api_token(user, "t")
    factories.commit()
    headers = {"Authorization": f"Bearer {token}"}
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert me["memberships"][0]["role"] == "coordinator"
    missing = client.get("/api/v1/jobs/nope", headers=headers)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    anonymous = client.get("/api/v1/me")
    assert anonymous.status_code == 401 and anonymous.get_json()["error"]["code"] == "unauthorized"


def test_api_messages_follow_accept_language(client):
    zh = client.get("/api/v1/me", headers={"Accept-Language": "zh-CN"}).get_json()["error"]["message"]
    en = client.get("/api/v1/me", headers={"Accept-Language": "en"}).get_json()["error"]["message"]
    assert "登录" in zh and "Log in" in en


def test_organisations_api_lists_only_managed_units(client):
    county = factories.association()
    mine = factories.school(parent=county)
    factories.school(parent=factories.association())
    organiser = factories.organiser(county)
    _row, token = services.create_api_token(organiser, "t")
    factories.commit()
    rows = client.get("/api/v1/organisations", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert {r["id"] for r in rows} == {county.id, mine.id}


def test_openapi_describes_the_error_bodies_the_api_really_returns(client):
    """Issue 19: the document declared flask-smorest's {code, status, message, errors}; every answer is
    {"error": {"code", "message", "details"?}}. Each operation's error responses now point to that body, and
    real 401, 404 and 422 answers load with the documented schema."""
    from core.api import ApiErrorBodySchema

    spec = client.get("/api/v1/openapi.json").get_json()
    schemas, responses = spec["components"]["schemas"], spec["components"].get("responses", {})
    body = schemas["ApiErrorBody"]
    assert body["required"] == ["error"]
    assert set(schemas["ApiError"]["required"]) == {"code", "message"}
    assert "Error" not in schemas  # smorest's own error schema describes nothing we send

    def schema_of(response: dict) -> str:
        if "$ref" in response:
            response = responses[response["$ref"].rsplit("/", 1)[1]]
        return response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]

    checked = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, response in operation["responses"].items():
                if status == "default" or int(status) >= 400:
                    assert schema_of(response) == "ApiErrorBody", (path, method, status)
                    checked += 1
    assert checked >= len(spec["paths"])

    user = factories.organiser(factories.association())
    _row, token = services.create_api_token(user, "t")
    factories.commit()
    headers = {"Authorization": f"Bearer {token}"}
    answers = [
        client.get("/api/v1/me"),
        client.get("/api/v1/jobs/nope", headers=headers),
        client.get("/api/v1/certificates?scope=contest&scope_id=abc", headers=headers),
    ]
    assert [a.status_code for a in answers] == [401, 404, 422]
    for answer in answers:
        ApiErrorBodySchema().load(answer.get_json())  # raises if the body is not the documented one
    assert "scope_id" in str(answers[2].get_json()["error"]["details"])
