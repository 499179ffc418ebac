"""Signed quote links: a JWT (HS256) naming the charter, its revision and the quote's nonce, with an expiry.

The key is derived from the installation's secret_key (the one sessions and CSRF tokens use) with a label
of its own, so a quote link can never pass for any other token the application signs, and changing the
secret revokes every link. Expiry is checked against core.clock (tests move time), not the system clock.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt

from coachway.config import get_settings
from coachway.core import clock

ALGORITHM = "HS256"
PURPOSE = b"coachway quote link v1"
# A real link is a few hundred characters; anything far longer is not worth parsing.
MAX_TOKEN_LENGTH = 2048
CLAIMS = ("sub", "rev", "nonce", "exp")


class LinkInvalid(Exception):
    """The token is not a quote link we signed (malformed, tampered, wrong key or algorithm)."""


class LinkExpired(Exception):
    """The token is a genuine quote link whose time has passed."""

    def __init__(self, link: "QuoteLink"):
        super().__init__("the quote link has expired")
        self.link = link


@dataclass(frozen=True)
class QuoteLink:
    """What a verified quote link says."""

    charter_id: int
    revision: int
    nonce: str
    expires_at: datetime

    @property
    def expired(self) -> bool:
        """True once the link's expiry has passed (by the application clock)."""
        return clock.now() >= self.expires_at


def _key(secret: str | None = None) -> bytes:
    secret = get_settings().secret_key if secret is None else secret
    return hmac.new(secret.encode(), PURPOSE, hashlib.sha256).digest()


def sign(*, charter_id: int, revision: int, nonce: str, expires_at: datetime,
         secret: str | None = None) -> str:
    """A link token for a quote revision, valid until expires_at (secret: the installation's by default)."""
    claims = {"sub": str(charter_id), "rev": revision, "nonce": nonce,
              "iat": int(clock.now().timestamp()), "exp": int(expires_at.timestamp())}
    return jwt.encode(claims, _key(secret), algorithm=ALGORITHM)


def _claims(token: str) -> dict:
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise LinkInvalid("not a quote link")
    try:
        # Only HS256 is accepted (never "none"); expiry is checked below against the application clock.
        return jwt.decode(token, _key(), algorithms=[ALGORITHM],
                          options={"verify_exp": False, "verify_iat": False, "require": list(CLAIMS)})
    except (jwt.InvalidTokenError, ValueError, TypeError, UnicodeError) as exc:
        raise LinkInvalid("not a quote link") from exc


def read(token: str) -> QuoteLink:
    """What a link says once its signature is verified, expired or not (LinkInvalid when it is not ours)."""
    claims = _claims(token)
    sub, rev, nonce, exp = (claims.get(name) for name in CLAIMS)
    well_formed = (isinstance(sub, str) and sub.isascii() and sub.isdigit() and len(sub) <= 10
                   and type(rev) is int and isinstance(nonce, str) and bool(nonce) and type(exp) is int)
    if not well_formed:
        raise LinkInvalid("not a quote link")
    try:
        expires_at = datetime.fromtimestamp(exp, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise LinkInvalid("not a quote link") from exc
    return QuoteLink(charter_id=int(sub), revision=rev, nonce=nonce, expires_at=expires_at)


def verify(token: str) -> QuoteLink:
    """A link that is ours and still valid: LinkInvalid or LinkExpired otherwise."""
    link = read(token)
    if link.expired:
        raise LinkExpired(link)
    return link
