"""Signed quote links: what a link says comes back exactly; anything not signed by us, or past its time by
the application clock, is refused with the right error and never anything else."""

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from coachway.charters import securelink
from coachway.config import get_settings
from coachway.core import clock

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock():
    clock.set_clock(lambda: NOW)
    yield
    clock.set_clock(None)


def token(**kw) -> str:
    fields = {"charter_id": 42, "revision": 3, "nonce": "n0nce", "expires_at": NOW + timedelta(days=14)} | kw
    return securelink.sign(**fields)


def test_a_link_reads_back_what_it_was_signed_with():
    link = securelink.verify(token())
    assert link == securelink.QuoteLink(charter_id=42, revision=3, nonce="n0nce",
                                        expires_at=NOW + timedelta(days=14))


def test_a_link_is_an_hs256_jwt_with_the_charter_as_subject():
    assert jwt.get_unverified_header(token())["alg"] == "HS256"
    claims = jwt.decode(token(), options={"verify_signature": False})
    assert claims["sub"] == "42" and claims["rev"] == 3 and claims["nonce"] == "n0nce"


def test_a_link_past_its_time_by_the_application_clock_is_expired():
    signed = token(expires_at=NOW + timedelta(hours=1))
    clock.set_clock(lambda: NOW + timedelta(hours=1))
    with pytest.raises(securelink.LinkExpired) as caught:
        securelink.verify(signed)
    assert caught.value.link.charter_id == 42
    assert securelink.read(signed).expired is True


def test_the_key_is_not_the_secret_itself():
    """A token signed with the raw secret key (another part of the app might) is no quote link."""
    claims = {"sub": "42", "rev": 3, "nonce": "n0nce", "exp": int((NOW + timedelta(days=1)).timestamp())}
    raw = jwt.encode(claims, get_settings().secret_key, algorithm="HS256")
    with pytest.raises(securelink.LinkInvalid):
        securelink.read(raw)


def test_a_link_signed_with_another_secret_is_invalid():
    with pytest.raises(securelink.LinkInvalid):
        securelink.read(token(secret="another-installation"))


def test_an_unsigned_link_is_invalid():
    claims = jwt.decode(token(), options={"verify_signature": False})
    with pytest.raises(securelink.LinkInvalid):
        securelink.read(jwt.encode(claims, key=None, algorithm="none"))


def test_a_link_signed_with_another_algorithm_is_invalid():
    claims = jwt.decode(token(), options={"verify_signature": False})
    key = securelink._key()
    with pytest.raises(securelink.LinkInvalid):
        securelink.read(jwt.encode(claims, key, algorithm="HS512"))


def _with_claims(signed: str, **changes) -> str:
    header, payload, signature = signed.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))) | changes
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{body}.{signature}"


@pytest.mark.parametrize("changes", [{"sub": "43"}, {"rev": 4}, {"nonce": "other"},
                                     {"exp": int((NOW + timedelta(days=999)).timestamp())}])
def test_a_changed_claim_breaks_the_signature(changes):
    with pytest.raises(securelink.LinkInvalid):
        securelink.read(_with_claims(token(), **changes))


@pytest.mark.parametrize("claims", [
    {"rev": 1, "nonce": "n", "exp": 2_000_000_000},  # no subject
    {"sub": "42", "nonce": "n", "exp": 2_000_000_000},  # no revision
    {"sub": "42", "rev": 1, "exp": 2_000_000_000},  # no nonce
    {"sub": "42", "rev": 1, "nonce": "n"},  # no expiry
    {"sub": "forty-two", "rev": 1, "nonce": "n", "exp": 2_000_000_000},
    {"sub": "\u00b2", "rev": 1, "nonce": "n", "exp": 2_000_000_000},
    {"sub": "99999999999999999999", "rev": 1, "nonce": "n", "exp": 2_000_000_000},
    {"sub": "42", "rev": "1", "nonce": "n", "exp": 2_000_000_000},
    {"sub": "42", "rev": True, "nonce": "n", "exp": 2_000_000_000},
    {"sub": "42", "rev": 1, "nonce": "", "exp": 2_000_000_000},
    {"sub": "42", "rev": 1, "nonce": ["n"], "exp": 2_000_000_000},
    {"sub": "42", "rev": 1, "nonce": "n", "exp": 10**20},
])
def test_a_well_signed_token_without_the_right_claims_is_invalid(claims):
    signed = jwt.encode(claims, securelink._key(), algorithm="HS256")
    with pytest.raises(securelink.LinkInvalid):
        securelink.read(signed)


@pytest.mark.parametrize("garbage", ["", "garbage", "a.b.c", "...", "x" * 3000, "é😀.x.y", "\x00", None, 42,
                                     b"bytes"])
def test_garbage_is_invalid(garbage):
    with pytest.raises(securelink.LinkInvalid):
        securelink.read(garbage)


def test_a_truncated_link_is_invalid():
    signed = token()
    for cut in range(1, len(signed), 7):
        with pytest.raises(securelink.LinkInvalid):
            securelink.read(signed[:cut])
