def test_dashboard_shows_the_active_customer(admin_client):
    response = admin_client.get("/")
    assert response.status_code == 200
    assert "Acme Logística" in response.content.decode()
