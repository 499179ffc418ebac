"""Password hashing, stored token hashes and TOTP codes."""

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from coachway.core import clock, security


@pytest.fixture(autouse=True)
def real_clock():
    yield
    clock.set_clock(None)


def test_password_hash_is_argon2id_and_verifies():
    hashed = security.hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert security.verify_password(hashed, "correct horse battery")
    assert not security.verify_password(hashed, "correct horse battery!")


def test_same_password_hashes_differently_each_time():
    assert security.hash_password("same-password-1") != security.hash_password("same-password-1")


def test_missing_hash_never_verifies():
    assert security.verify_password(None, "not-a-real-password") is False


def test_garbage_hash_does_not_raise():
    assert security.verify_password("not-a-hash", "whatever") is False


def test_token_hash_is_stable_keyed_and_not_the_token():
    token = security.new_token()
    assert security.hash_token(token) == security.hash_token(token)
    assert token not in security.hash_token(token)
    assert security.hash_token(token) != security.hash_token(token + "x")


def test_new_tokens_are_long_and_unique():
    tokens = {security.new_token() for _ in range(100)}
    assert len(tokens) == 100 and min(len(t) for t in tokens) >= 40


def test_totp_follows_the_service_clock():
    secret = security.new_totp_secret()
    moment = datetime(2030, 5, 17, 12, 0, tzinfo=UTC)
    clock.set_clock(lambda: moment)
    assert security.verify_totp(secret, pyotp.TOTP(secret).at(moment.timestamp()))
    assert security.verify_totp(secret, pyotp.TOTP(secret).at((moment - timedelta(seconds=30)).timestamp()))
    stale = pyotp.TOTP(secret).at((moment - timedelta(minutes=5)).timestamp())
    assert not security.verify_totp(secret, stale)


def test_totp_tolerates_spaces():
    secret = security.new_totp_secret()
    code = pyotp.TOTP(secret).at(clock.now().timestamp())
    assert security.verify_totp(secret, f" {code[:3]} {code[3:]} ")


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "12 34 5"])
def test_malformed_totp_codes_are_refused(code):
    assert security.verify_totp(security.new_totp_secret(), code) is False


def test_provisioning_uri_names_the_account_and_issuer():
    secret = security.new_totp_secret()
    uri = security.totp_uri(secret, "ann@example.com")
    assert uri.startswith("otpauth://totp/CoachWay:ann%40example.com?")
    assert "issuer=CoachWay" in uri and f"secret={secret}" in uri
