"""FastAPI dependencies shared by every domain's API: the request session and the signed-in actor."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from coachway.core.db import new_session
from coachway.core.errors import DomainError, Unauthorized
from coachway.core.pagination import MAX_LIMIT
from coachway.core.permissions import Actor

_bearer = HTTPBearer(auto_error=False, description="Access token from POST /api/v1/auth/login")


def get_session() -> Iterator[Session]:
    """One transaction per request: committed when the handler succeeds, rolled back when it fails.

    A DomainError raised with keep_changes (a counted failed sign-in) commits what was flushed before it.
    """
    session = new_session()
    try:
        yield session
        session.commit()
    except DomainError as exc:
        if exc.keep_changes:
            session.commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# scope="function": the transaction commits before the response is sent, so a client that gets a
# 2xx can rely on the change being stored (and a failed commit becomes an error response).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def undo_refused(session: Session, exc: DomainError) -> None:
    """After catching a refusal (a page re-rendering its form): undo its work, unless it must be kept."""
    if not exc.keep_changes:
        session.rollback()


def client_ip(request: Request) -> str | None:
    """The caller's address (the proxy is trusted to set X-Forwarded-For in deployment)."""
    return request.client.host if request.client else None


def get_actor(request: Request, session: SessionDep,
              creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Actor:
    """The signed-in user of an API request (Bearer token)."""
    from coachway.auth.service import authenticate

    if creds is None or not creds.credentials:
        raise Unauthorized("Sign in first: send Authorization: Bearer <access_token>.")
    return authenticate(session, creds.credentials, ip=client_ip(request))


CurrentActor = Annotated[Actor, Depends(get_actor)]


class PageParams:
    """limit and offset of a list request."""

    def __init__(self, limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
                 offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0):
        self.limit = limit
        self.offset = offset


PageDep = Annotated[PageParams, Depends()]
