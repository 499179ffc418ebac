"""Two-step sign-in with an authenticator app (TOTP) and one-time recovery codes."""

from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
from sqlalchemy import select

from coachway.auth.models import MfaChallenge, User
from coachway.core import clock
from tests.factories import PASSWORD, login, make_user, next_totp


def code_for(secret: str, *, shift: timedelta = timedelta()) -> str:
    """The code an authenticator app shows (plus shift) a little later than the last code: codes work once."""
    next_totp(secret, steps=3)
    return pyotp.TOTP(secret).at((clock.now() + shift).timestamp())


def enable_mfa(client, email: str) -> tuple[str, list[str]]:
    """Turn MFA on for a user; returns the TOTP secret and the recovery codes."""
    headers = login(client, email)
    secret = client.post("/api/v1/auth/mfa/setup", headers=headers).json()["secret"]
    r = client.post("/api/v1/auth/mfa/enable", json={"code": code_for(secret)}, headers=headers)
    assert r.status_code == 200, r.text
    return secret, r.json()["recovery_codes"]


def start_login(client, email: str) -> str:
    r = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["mfa_required"] is True and "access_token" not in body
    return body["mfa_token"]


def verify(client, mfa_token: str, code: str):
    return client.post("/api/v1/auth/mfa/verify", json={"mfa_token": mfa_token, "code": code})


def freeze_clock():
    now = clock.now()
    clock.set_clock(lambda: now)
    return now


def test_setup_gives_secret_and_provisioning_uri_for_the_app(client):
    user = make_user(role="dispatcher")
    r = client.post("/api/v1/auth/mfa/setup", headers=login(client, user.email))
    assert r.status_code == 200
    body = r.json()
    uri = urlsplit(body["provisioning_uri"])
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    assert unquote(uri.path) == f"/CoachWay:{user.email}"
    assert parse_qs(uri.query)["secret"] == [body["secret"]]
    assert parse_qs(uri.query)["issuer"] == ["CoachWay"]


def test_setup_alone_does_not_turn_mfa_on(client):
    user = make_user()
    headers = login(client, user.email)
    client.post("/api/v1/auth/mfa/setup", headers=headers)
    assert client.get("/api/v1/auth/me", headers=headers).json()["mfa_enabled"] is False
    r = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert "access_token" in r.json()


def test_full_flow_setup_enable_login_verify_with_totp(client):
    user = make_user(role="sales_agent")
    secret, codes = enable_mfa(client, user.email)
    assert len(codes) == 10 and len(set(codes)) == 10
    mfa_token = start_login(client, user.email)
    r = verify(client, mfa_token, code_for(secret))
    assert r.status_code == 200, r.text
    tokens = r.json()
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 200 and me.json()["mfa_enabled"] is True


def test_password_alone_gives_no_session_when_mfa_is_on(client, session):
    user = make_user()
    enable_mfa(client, user.email)
    before = session.scalar(select(User.last_login_at).where(User.id == user.id))
    mfa_token = start_login(client, user.email)
    r = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {mfa_token}"})
    assert r.status_code == 401
    session.expire_all()
    assert session.scalar(select(User.last_login_at).where(User.id == user.id)) == before


def test_code_from_the_neighbouring_time_step_is_accepted(client):
    user = make_user()
    secret, _ = enable_mfa(client, user.email)
    r = verify(client, start_login(client, user.email), code_for(secret, shift=timedelta(seconds=-30)))
    assert r.status_code == 200


def test_challenge_is_single_use(client):
    user = make_user()
    secret, _ = enable_mfa(client, user.email)
    mfa_token = start_login(client, user.email)
    assert verify(client, mfa_token, code_for(secret)).status_code == 200
    again = verify(client, mfa_token, code_for(secret))
    assert again.status_code == 401


def test_recovery_code_works_once(client, session):
    user = make_user()
    _, codes = enable_mfa(client, user.email)
    first = verify(client, start_login(client, user.email), codes[0])
    assert first.status_code == 200
    second = verify(client, start_login(client, user.email), codes[0])
    assert second.status_code == 401
    assert second.json()["detail"].startswith("That code is not right")


def test_recovery_code_is_accepted_without_dash_and_in_capitals(client):
    user = make_user()
    _, codes = enable_mfa(client, user.email)
    r = verify(client, start_login(client, user.email), codes[1].replace("-", "").upper())
    assert r.status_code == 200


def test_recovery_codes_of_another_user_are_refused(client):
    alice, bob = make_user(), make_user()
    enable_mfa(client, alice.email)
    _, bob_codes = enable_mfa(client, bob.email)
    r = verify(client, start_login(client, alice.email), bob_codes[0])
    assert r.status_code == 401


def test_wrong_codes_are_counted_and_the_challenge_dies_after_five(client, session):
    user = make_user()
    secret, _ = enable_mfa(client, user.email)
    mfa_token = start_login(client, user.email)
    for _ in range(5):
        current = pyotp.TOTP(secret).at(clock.now().timestamp())
        r = verify(client, mfa_token, "000000" if current != "000000" else "111111")
        assert r.status_code == 401
    attempts = session.scalar(select(MfaChallenge.attempts).where(MfaChallenge.user_id == user.id))
    assert attempts == 5
    r = verify(client, mfa_token, code_for(secret))
    assert r.status_code == 401
    assert r.json()["detail"] == "This sign-in has expired. Sign in again."


def test_wrong_codes_count_towards_the_account_lock(client):
    user = make_user()
    secret, _ = enable_mfa(client, user.email)
    for _ in range(5):
        verify(client, start_login(client, user.email), "000000" if code_for(secret) != "000000" else "1" * 6)
    r = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert r.status_code == 429


def test_expired_challenge_is_refused(client):
    start = freeze_clock()
    user = make_user()
    secret, _ = enable_mfa(client, user.email)
    mfa_token = start_login(client, user.email)
    clock.set_clock(lambda: start + timedelta(minutes=5, seconds=1))
    r = verify(client, mfa_token, code_for(secret))
    assert r.status_code == 401
    assert r.json()["detail"] == "This sign-in has expired. Sign in again."


def test_unknown_mfa_token_is_401(client):
    r = verify(client, "x" * 40, "123456")
    assert r.status_code == 401


def test_verify_with_malformed_body_is_422(client):
    r = client.post("/api/v1/auth/mfa/verify", json={"mfa_token": "short", "code": ""})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"mfa_token", "code"}


def test_enable_with_wrong_code_is_422_and_mfa_stays_off(client):
    user = make_user()
    headers = login(client, user.email)
    secret = client.post("/api/v1/auth/mfa/setup", headers=headers).json()["secret"]
    wrong = "000000" if code_for(secret) != "000000" else "111111"
    r = client.post("/api/v1/auth/mfa/enable", json={"code": wrong}, headers=headers)
    assert r.status_code == 422
    assert client.get("/api/v1/auth/me", headers=headers).json()["mfa_enabled"] is False


def test_enable_without_setup_is_409(client):
    headers = login(client, make_user().email)
    r = client.post("/api/v1/auth/mfa/enable", json={"code": "123456"}, headers=headers)
    assert r.status_code == 409


def test_setup_again_while_on_is_409_and_keeps_the_secret(client, session):
    user = make_user()
    secret, _ = enable_mfa(client, user.email)
    tokens = verify(client, start_login(client, user.email), code_for(secret)).json()
    r = client.post("/api/v1/auth/mfa/setup", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert r.status_code == 409
    assert session.scalar(select(User.mfa_secret).where(User.id == user.id)) == secret


def test_disable_with_totp_turns_mfa_off(client):
    user = make_user()
    secret, codes = enable_mfa(client, user.email)
    tokens = verify(client, start_login(client, user.email), code_for(secret)).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    r = client.post("/api/v1/auth/mfa/disable", json={"code": code_for(secret)}, headers=headers)
    assert r.status_code == 200
    again = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert "access_token" in again.json()


def test_disable_with_wrong_code_is_422_and_mfa_stays_on(client):
    user = make_user()
    secret, _ = enable_mfa(client, user.email)
    tokens = verify(client, start_login(client, user.email), code_for(secret)).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    wrong = "000000" if code_for(secret) != "000000" else "111111"
    r = client.post("/api/v1/auth/mfa/disable", json={"code": wrong}, headers=headers)
    assert r.status_code == 422
    assert client.get("/api/v1/auth/me", headers=headers).json()["mfa_enabled"] is True


def test_regenerated_recovery_codes_replace_the_old_ones(client):
    user = make_user()
    secret, old_codes = enable_mfa(client, user.email)
    tokens = verify(client, start_login(client, user.email), code_for(secret)).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    r = client.post("/api/v1/auth/mfa/recovery-codes", json={"code": code_for(secret)}, headers=headers)
    assert r.status_code == 200
    new_codes = r.json()["recovery_codes"]
    assert verify(client, start_login(client, user.email), old_codes[0]).status_code == 401
    assert verify(client, start_login(client, user.email), new_codes[0]).status_code == 200


def test_guessing_the_code_to_turn_mfa_off_is_throttled(client):
    user = make_user()
    secret, _ = enable_mfa(client, user.email)
    tokens = verify(client, start_login(client, user.email), code_for(secret)).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    wrong = "000000" if code_for(secret) != "000000" else "111111"
    for _ in range(5):
        r = client.post("/api/v1/auth/mfa/disable", json={"code": wrong}, headers=headers)
        assert r.status_code == 422
    r = client.post("/api/v1/auth/mfa/disable", json={"code": code_for(secret)}, headers=headers)
    assert r.status_code == 429
    assert client.get("/api/v1/auth/me", headers=headers).json()["mfa_enabled"] is True


def test_a_code_is_accepted_only_once(client):
    user = make_user()
    secret, _ = enable_mfa(client, user.email)
    code = code_for(secret)
    assert verify(client, start_login(client, user.email), code).status_code == 200
    replay = verify(client, start_login(client, user.email), code)
    assert replay.status_code == 401
    assert replay.json()["detail"].startswith("That code is not right")


def test_the_code_that_turned_mfa_on_cannot_sign_in(client):
    user = make_user()
    headers = login(client, user.email)
    secret = client.post("/api/v1/auth/mfa/setup", headers=headers).json()["secret"]
    freeze_clock()
    code = pyotp.TOTP(secret).at(clock.now().timestamp())
    assert client.post("/api/v1/auth/mfa/enable", json={"code": code}, headers=headers).status_code == 200
    assert verify(client, start_login(client, user.email), code).status_code == 401
