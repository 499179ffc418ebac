"""One domain's API served alone, and the whole application."""

from fastapi.testclient import TestClient

from coachway.app import DOMAIN_PORTS, DOMAINS, create_app


def _paths(app) -> set[str]:
    return set(app.openapi()["paths"])


def test_single_service_app_serves_only_its_domain(clean_db):
    auth_only = create_app(["auth"], pages=False)
    paths = _paths(auth_only)
    assert "/api/v1/auth/login" in paths
    assert not any(p.startswith("/api/v1/clients") for p in paths)
    with TestClient(auth_only) as c:
        assert c.get("/login").status_code == 404


def test_whole_app_serves_every_built_domain(clean_db):
    paths = _paths(create_app())
    assert "/api/v1/auth/login" in paths
    with TestClient(create_app()) as c:
        assert c.get("/healthz").json()["status"] == "ok"


def test_every_built_domain_has_a_spec_port():
    assert all(d in DOMAIN_PORTS for d in DOMAINS)
    assert DOMAIN_PORTS["auth"] == 8000 and DOMAIN_PORTS["clients"] == 8002


def test_unknown_path_answers_problem_json(clean_db):
    with TestClient(create_app(pages=False)) as c:
        r = c.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


def test_the_offline_gazetteer_is_built_in_the_background_when_the_app_starts(monkeypatch):
    import threading

    from fastapi.testclient import TestClient

    from coachway.app import create_app
    from coachway.integrations import geocoding

    built = threading.Event()
    monkeypatch.setattr(geocoding.OfflineGazetteer, "warm", lambda self: built.set())
    with TestClient(create_app(["charters"], pages=False)):
        assert built.wait(5)
    built.clear()
    with TestClient(create_app(["clients"], pages=False)):
        assert not built.wait(0.2)
