"""Sign-in pages, CSRF, access control and error pages, through the app with a TestClient."""

import pyotp

from coachway.auth import service
from coachway.core.db import transaction
from coachway.web.testing import csrf_from, form_post, sign_in
from tests.factories import PASSWORD, make_user, next_totp


def test_login_page_renders_a_form_with_csrf(client):
    r = client.get("/login")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert 'action="/login"' in r.text and csrf_from(r.text)
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("cw_csrf=") and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_signing_in_sets_an_httponly_session_cookie_and_lands_on_admin(client):
    user = make_user(role="admin")
    r = form_post(client, "/login", {"email": user.email, "password": PASSWORD})
    assert r.status_code == 303 and r.headers["location"] == "/admin"
    cookie = r.headers["set-cookie"]
    assert "cw_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie
    page = client.get("/admin")
    assert page.status_code == 200 and f"Hello, {user.full_name}" in page.text


def test_wrong_password_re_renders_the_form_with_the_error(client):
    user = make_user()
    r = form_post(client, "/login", {"email": user.email, "password": "not-the-password"})
    assert r.status_code == 400
    assert "Wrong email or password." in r.text
    assert f'value="{user.email}"' in r.text
    assert "cw_session" not in r.headers.get("set-cookie", "")


def test_login_with_malformed_email_shows_field_error(client):
    r = form_post(client, "/login", {"email": "not-an-email", "password": "x"})
    assert r.status_code == 400
    assert "field-error" in r.text and 'aria-invalid="true"' in r.text


def test_repeated_failures_throttle_the_sign_in_page(client):
    user = make_user()
    for _ in range(5):
        form_post(client, "/login", {"email": user.email, "password": "wrong-password"})
    r = form_post(client, "/login", {"email": user.email, "password": PASSWORD})
    assert r.status_code == 429
    assert "Too many failed sign-ins" in r.text
    assert int(r.headers["retry-after"]) > 0


def test_post_without_csrf_token_is_403_page(client):
    user = make_user()
    client.get("/login")
    r = client.post("/login", data={"email": user.email, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("text/html")
    assert "This form has expired" in r.text


def test_post_with_forged_csrf_token_is_403(client):
    user = make_user()
    client.get("/login")
    r = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": "0" * 64},
                    follow_redirects=False)
    assert r.status_code == 403


def test_csrf_token_of_another_browser_is_rejected(app):
    from fastapi.testclient import TestClient

    user = make_user()
    with TestClient(app) as attacker, TestClient(app) as victim:
        token = csrf_from(attacker.get("/login").text)
        victim.get("/login")
        r = victim.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token},
                        follow_redirects=False)
    assert r.status_code == 403


def test_signed_in_form_needs_the_session_bound_token(client):
    user = make_user()
    pre_session_token = csrf_from(client.get("/login").text)
    sign_in(client, user.email, PASSWORD)
    r = client.post("/logout", data={"csrf_token": pre_session_token}, follow_redirects=False)
    assert r.status_code == 403
    r = form_post(client, "/logout", page="/admin")
    assert r.status_code == 303


def test_unauthenticated_admin_page_redirects_to_login_with_next(client):
    r = client.get("/admin/users?q=sam", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/admin/users%3Fq%3Dsam"


def test_sign_in_returns_to_the_page_asked_for(client):
    user = make_user()
    r = form_post(client, "/login", {"email": user.email, "password": PASSWORD, "next": "/admin/audit"},
                  page="/login?next=/admin/audit")
    assert r.headers["location"] == "/admin/audit"


def test_next_pointing_off_site_is_ignored(client):
    user = make_user()
    for bad in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        client.cookies.clear()
        r = form_post(client, "/login", {"email": user.email, "password": PASSWORD, "next": bad})
        assert r.headers["location"] == "/admin", bad


def test_root_redirects_by_sign_in_state(client):
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    user = make_user()
    sign_in(client, user.email, PASSWORD)
    assert client.get("/", follow_redirects=False).headers["location"] == "/admin"


def test_role_without_users_read_gets_403_page_with_navigation(client):
    agent = make_user(role="sales_agent")
    sign_in(client, agent.email, PASSWORD)
    r = client.get("/admin/users")
    assert r.status_code == 403
    assert "You don&#39;t have access to this page" in r.text
    assert 'href="/admin/clients"' in r.text  # the agent's own navigation is still there
    assert 'href="/admin/users"' not in r.text
    assert "application/problem+json" not in r.headers["content-type"]


def test_navigation_follows_permissions(client):
    admin = make_user(role="admin")
    sign_in(client, admin.email, PASSWORD)
    html = client.get("/admin").text
    for href in ("/admin/clients", "/admin/fleet", "/admin/users", "/admin/settings/rbac/roles",
                 "/admin/audit", "/admin/outbox", "/account"):
        assert f'href="{href}"' in html


def test_unknown_page_is_a_404_page_but_api_stays_json(client):
    r = client.get("/no-such-page")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "Page not found" in r.text
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/problem+json")


def test_api_errors_keep_problem_json_with_pages_installed(client):
    r = client.get("/api/v1/users")
    assert r.status_code == 401 and r.json()["title"] == "Not signed in"


def test_pages_send_security_headers_and_api_does_not(client):
    page = client.get("/login")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    api = client.get("/healthz")
    assert "content-security-policy" not in api.headers and "set-cookie" not in api.headers


def test_logout_ends_the_session(client):
    user = make_user()
    sign_in(client, user.email, PASSWORD)
    r = form_post(client, "/logout", page="/admin")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert client.get("/login").text.count("You are signed out.") == 1
    assert client.get("/admin", follow_redirects=False).status_code == 303


def test_revoked_session_cookie_sends_back_to_login(client):
    user = make_user()
    sign_in(client, user.email, PASSWORD)
    with transaction() as session:
        service._revoke_all(session, user.id)
    r = client.get("/admin/users", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_sign_in_with_mfa_asks_for_the_code(client):
    user = make_user()
    with transaction() as session:
        actor = _actor(session, user.id)
        secret, _ = service.start_mfa_setup(session, actor)
        service.enable_mfa(session, actor, code=pyotp.TOTP(secret).now())
    r = form_post(client, "/login", {"email": user.email, "password": PASSWORD})
    assert r.status_code == 200 and "Enter your code" in r.text
    mfa_token = r.text.split('name="mfa_token" value="')[1].split('"')[0]
    bad = client.post("/login/mfa", data={"mfa_token": mfa_token, "code": "000000",
                                          "csrf_token": csrf_from(r.text)}, follow_redirects=False)
    assert bad.status_code == 400 and "That code is not right" in bad.text
    ok = client.post("/login/mfa", data={"mfa_token": mfa_token, "code": next_totp(secret),
                                         "csrf_token": csrf_from(r.text)}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/admin"
    assert client.get("/admin").status_code == 200


def _actor(session, user_id):
    from coachway.core.permissions import SYSTEM

    return service.actor_for(session, service.get_user(session, SYSTEM, user_id))


def test_forgot_password_answers_the_same_for_unknown_email(client):
    known = make_user()
    r1 = form_post(client, "/forgot-password", {"email": known.email})
    r2 = form_post(client, "/forgot-password", {"email": "nobody@example.com"})
    assert r1.status_code == r2.status_code == 303
    assert client.get("/login").status_code == 200
    assert r1.headers["location"] == r2.headers["location"] == "/login"


def test_reset_password_with_bad_token_shows_error(client):
    r = form_post(client, "/reset-password", {"token": "x" * 20, "new_password": "a-new-long-password",
                                              "confirm_password": "a-new-long-password"},
                  page="/reset-password?token=" + "x" * 20)
    assert r.status_code == 422 and "invalid or has expired" in r.text


def test_reset_password_mismatch_is_a_field_error(client):
    r = form_post(client, "/reset-password", {"token": "x" * 20, "new_password": "a-new-long-password",
                                              "confirm_password": "something-else-1"},
                  page="/reset-password?token=" + "x" * 20)
    assert r.status_code == 422 and "The two passwords do not match." in r.text
