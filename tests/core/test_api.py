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
