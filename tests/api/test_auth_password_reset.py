"""Password reset by mailed link, and changing one's own password."""

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from coachway.auth.models import User
from coachway.core import clock
from coachway.core.models import OutboxMessage
from tests.factories import PASSWORD, login, make_user

NEW_PASSWORD = "brand-new-secret-42"


def request_reset(client, email: str):
    return client.post("/api/v1/auth/password-reset/request", json={"email": email})


def mails(session) -> list[OutboxMessage]:
    session.rollback()  # end the read snapshot (SQLite keeps one per transaction) to see new mail
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "email.send")))


def reset_token(session, email: str) -> str:
    """The token in the link of the last reset mail to email."""
    msg = [m for m in mails(session) if m.payload["to"] == email][-1]
    return re.search(r"/reset-password\?token=(\S+)", msg.payload["text"]).group(1)


def confirm(client, token: str, password: str = NEW_PASSWORD):
    return client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": password})


def sign_in(client, email: str, password: str):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def test_unknown_email_gets_the_same_answer_and_no_mail(client, session):
    user = make_user()
    known = request_reset(client, user.email)
    before = len(mails(session))
    unknown = request_reset(client, "nobody@example.com")
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()
    assert len(mails(session)) == before


def test_known_email_gets_one_mail_with_a_link(client, session):
    user = make_user(role="sales_agent")
    r = request_reset(client, user.email)
    assert r.status_code == 202
    [msg] = mails(session)
    assert msg.payload["to"] == user.email
    assert "http://127.0.0.1:8000/reset-password?token=" in msg.payload["text"]


def test_the_stored_token_is_not_the_mailed_one(client, session):
    user = make_user()
    request_reset(client, user.email)
    token = reset_token(session, user.email)
    stored = session.scalar(select(User.password_reset_token).where(User.id == user.id))
    assert stored and token not in stored


def test_inactive_account_gets_no_mail(client, session):
    admin = login(client, make_user().email)
    user = make_user(role="sales_agent")
    client.patch(f"/api/v1/users/{user.id}", json={"is_active": False}, headers=admin)
    assert request_reset(client, user.email).status_code == 202
    assert mails(session) == []


def test_reset_sets_the_new_password_and_the_old_one_stops_working(client, session):
    user = make_user()
    request_reset(client, user.email)
    r = confirm(client, reset_token(session, user.email))
    assert r.status_code == 200
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 200
    assert sign_in(client, user.email, PASSWORD).status_code == 401


def test_reset_link_works_only_once(client, session):
    user = make_user()
    request_reset(client, user.email)
    token = reset_token(session, user.email)
    assert confirm(client, token).status_code == 200
    again = confirm(client, token, "another-password-77")
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "token"
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 200


def test_expired_reset_link_is_422_and_the_password_stays(client, session):
    start = clock.now()
    clock.set_clock(lambda: start)
    user = make_user()
    request_reset(client, user.email)
    token = reset_token(session, user.email)
    clock.set_clock(lambda: start + timedelta(minutes=30, seconds=1))
    r = confirm(client, token)
    assert r.status_code == 422
    assert sign_in(client, user.email, PASSWORD).status_code == 200


def test_a_newer_request_replaces_the_older_link(client, session):
    user = make_user()
    request_reset(client, user.email)
    first = reset_token(session, user.email)
    request_reset(client, user.email)
    second = reset_token(session, user.email)
    assert confirm(client, first).status_code == 422
    assert confirm(client, second).status_code == 200


def test_reset_signs_out_every_other_session(client, session):
    user = make_user()
    headers = login(client, user.email)
    refresh_token = sign_in(client, user.email, PASSWORD).json()["refresh_token"]
    request_reset(client, user.email)
    confirm(client, reset_token(session, user.email))
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token}).status_code == 401


def test_weak_new_password_is_422_and_the_link_still_works(client, session):
    user = make_user()
    request_reset(client, user.email)
    token = reset_token(session, user.email)
    r = confirm(client, token, "aaaaaaaaaaaa")
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "new_password"
    assert sign_in(client, user.email, PASSWORD).status_code == 200
    assert confirm(client, token).status_code == 200


def test_too_short_new_password_is_422(client, session):
    user = make_user()
    request_reset(client, user.email)
    r = confirm(client, reset_token(session, user.email), "short1")
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "new_password"


def test_password_containing_the_email_is_422(client, session):
    user = make_user()
    request_reset(client, user.email)
    r = confirm(client, reset_token(session, user.email), f"{user.email}!!")
    assert r.status_code == 422


def test_garbage_token_is_422(client):
    r = confirm(client, "not-a-real-token-at-all")
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")


def test_reset_request_with_malformed_email_is_422(client, session):
    r = request_reset(client, "not-an-email")
    assert r.status_code == 422
    assert mails(session) == []


def test_reset_lifts_a_sign_in_lock(client, session):
    user = make_user()
    for _ in range(5):
        sign_in(client, user.email, "wrong-password-1")
    assert sign_in(client, user.email, PASSWORD).status_code == 429
    request_reset(client, user.email)
    confirm(client, reset_token(session, user.email))
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 200


def test_reset_link_is_hidden_from_outbox_readers_who_cannot_manage_users(client, session):
    user = make_user()
    request_reset(client, user.email)
    token = reset_token(session, user.email)
    accounting = login(client, make_user(role="accounting").email)
    items = client.get("/api/v1/outbox", headers=accounting).json()["items"]
    assert items and all(token not in str(m["payload"]) for m in items)
    admin = login(client, make_user(role="admin").email)
    items = client.get("/api/v1/outbox", params={"topic": "email.send"}, headers=admin).json()["items"]
    assert any(token in m["payload"]["text"] for m in items)


def test_change_password_keeps_this_session_and_ends_the_others(client):
    user = make_user()
    other = login(client, user.email)
    this = login(client, user.email)
    r = client.post("/api/v1/auth/password", headers=this,
                    json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert r.status_code == 200
    assert client.get("/api/v1/auth/me", headers=this).status_code == 200
    assert client.get("/api/v1/auth/me", headers=other).status_code == 401
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 200


def test_change_password_with_wrong_current_password_is_422_and_changes_nothing(client):
    user = make_user()
    headers = login(client, user.email)
    r = client.post("/api/v1/auth/password", headers=headers,
                    json={"current_password": "not-my-password", "new_password": NEW_PASSWORD})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "current_password"
    assert sign_in(client, user.email, PASSWORD).status_code == 200


def test_guessing_the_current_password_is_throttled(client):
    user = make_user()
    headers = login(client, user.email)
    for _ in range(5):
        r = client.post("/api/v1/auth/password", headers=headers,
                        json={"current_password": "a-wrong-guess-1", "new_password": NEW_PASSWORD})
        assert r.status_code == 422
    r = client.post("/api/v1/auth/password", headers=headers,
                    json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert r.status_code == 429
    assert sign_in(client, user.email, NEW_PASSWORD).status_code in (401, 429)


def test_reset_mails_are_capped_per_account_per_hour(client, session):
    user = make_user()
    for _ in range(5):
        r = request_reset(client, user.email)
    assert r.status_code == 202
    assert len([m for m in mails(session) if m.payload["to"] == user.email]) == 3
    clock.set_clock(lambda: datetime.now(UTC) + timedelta(hours=1, minutes=1))
    request_reset(client, user.email)
    assert len([m for m in mails(session) if m.payload["to"] == user.email]) == 4


def test_one_outbox_message_by_api_hides_the_reset_link_too(client, session):
    user = make_user()
    request_reset(client, user.email)
    token = reset_token(session, user.email)
    admin = login(client, make_user(role="admin").email)
    [message] = client.get("/api/v1/outbox", params={"topic": "email.send"}, headers=admin).json()["items"]
    accounting = login(client, make_user(role="accounting").email)
    r = client.get(f"/api/v1/outbox/{message['id']}", headers=accounting)
    assert r.status_code == 200 and token not in str(r.json()["payload"])
    assert client.get(f"/api/v1/outbox/{message['id']}", headers=admin).json()["payload"]["text"].count(token)
    assert client.get("/api/v1/outbox/999999", headers=admin).status_code == 404
    assert client.get("/api/v1/outbox/abc", headers=admin).status_code == 422
    driver = login(client, make_user(role="driver").email)
    assert client.get(f"/api/v1/outbox/{message['id']}", headers=driver).status_code == 403
