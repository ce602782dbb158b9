from tests import factories


def test_home_is_public_and_chinese(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "科创" in response.get_data(as_text=True) or "Kechuang" in response.get_data(as_text=True)


def test_login_and_dashboard(client, login):
    user = factories.organiser()
    factories.commit()
    login(user)
    response = client.get("/dashboard")
    assert response.status_code == 200
