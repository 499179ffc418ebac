"""Sign-in, MFA, password reset, users, roles, audit log and outbox over HTTP (/api/v1)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from coachway.auth import service
from coachway.auth.schemas import (
    AuditRead,
    LoginRequest,
    MeRead,
    Message,
    MfaCode,
    MfaRequired,
    MfaSetupRead,
    MfaVerifyRequest,
    OutboxRead,
    PasswordChange,
    PasswordResetConfirm,
    PasswordResetRequest,
    PermissionRead,
    RecoveryCodes,
    RefreshRequest,
    RoleCreate,
    RolePermissionsUpdate,
    RoleRead,
    TokenPair,
    UserCreate,
    UserRead,
    UserUpdate,
)
from coachway.core.deps import CurrentActor, PageDep, SessionDep, client_ip
from coachway.core.fields import MAX_ID, NO_CONTROL
from coachway.core.pagination import Page

router = APIRouter(prefix="/api/v1")
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
RoleName = Annotated[str, Path(min_length=1, max_length=50, pattern=NO_CONTROL)]


def _tokens(t: service.Tokens) -> TokenPair:
    return TokenPair(access_token=t.access_token, refresh_token=t.refresh_token, expires_in=t.expires_in)


@router.post("/auth/login", response_model=TokenPair | MfaRequired, tags=["auth"])
def login(body: LoginRequest, request: Request, session: SessionDep):
    """Sign in with email and password."""
    result = service.login(session, email=body.email, password=body.password, ip=client_ip(request),
                           user_agent=request.headers.get("user-agent"))
    if isinstance(result, service.MfaPending):
        return MfaRequired(mfa_token=result.mfa_token)
    return _tokens(result)


@router.post("/auth/mfa/verify", response_model=TokenPair, tags=["auth"])
def mfa_verify(body: MfaVerifyRequest, request: Request, session: SessionDep):
    """Finish signing in with a code from the authenticator app or a recovery code."""
    return _tokens(service.verify_mfa(session, mfa_token=body.mfa_token, code=body.code,
                                      ip=client_ip(request), user_agent=request.headers.get("user-agent")))


@router.post("/auth/refresh", response_model=TokenPair, tags=["auth"])
def refresh(body: RefreshRequest, session: SessionDep):
    """Get a new access token with the refresh token."""
    return _tokens(service.refresh(session, refresh_token=body.refresh_token))


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, tags=["auth"])
def logout(actor: CurrentActor, session: SessionDep):
    """End this session."""
    service.logout(session, actor)
    return Response(status_code=204)


@router.get("/auth/me", response_model=MeRead, tags=["auth"])
def me(actor: CurrentActor, session: SessionDep):
    """Who am I, and what may I do."""
    user = service.me(session, actor)
    return MeRead(**UserRead.model_validate(user).model_dump(), permissions=sorted(actor.permissions))


@router.post("/auth/password-reset/request", response_model=Message, status_code=202, tags=["auth"])
def password_reset_request(body: PasswordResetRequest, request: Request, session: SessionDep):
    """Mail a reset link (the answer is the same whether or not the email has an account)."""
    service.request_password_reset(session, email=body.email, ip=client_ip(request))
    return Message(detail="If that email has an account, a reset link is on its way.")


@router.post("/auth/password-reset/confirm", response_model=Message, tags=["auth"])
def password_reset_confirm(body: PasswordResetConfirm, request: Request, session: SessionDep):
    """Set a new password with the mailed token."""
    service.reset_password(session, token=body.token, new_password=body.new_password, ip=client_ip(request))
    return Message(detail="Your password is changed. Sign in with the new one.")


@router.post("/auth/password", response_model=Message, tags=["auth"])
def password_change(body: PasswordChange, actor: CurrentActor, session: SessionDep):
    """Change my password."""
    service.change_password(session, actor, current_password=body.current_password,
                            new_password=body.new_password)
    return Message(detail="Your password is changed.")


@router.post("/auth/mfa/setup", response_model=MfaSetupRead, tags=["auth"])
def mfa_setup(actor: CurrentActor, session: SessionDep):
    """Start two-step sign-in: a secret and QR provisioning URI for the authenticator app."""
    secret, uri = service.start_mfa_setup(session, actor)
    return MfaSetupRead(secret=secret, provisioning_uri=uri)


@router.post("/auth/mfa/enable", response_model=RecoveryCodes, tags=["auth"])
def mfa_enable(body: MfaCode, actor: CurrentActor, session: SessionDep):
    """Confirm the first code; MFA is then on. Returns one-time recovery codes."""
    return RecoveryCodes(recovery_codes=service.enable_mfa(session, actor, code=body.code))


@router.post("/auth/mfa/disable", response_model=Message, tags=["auth"])
def mfa_disable(body: MfaCode, actor: CurrentActor, session: SessionDep):
    """Turn two-step sign-in off."""
    service.disable_mfa(session, actor, code=body.code)
    return Message(detail="Two-step sign-in is off.")


@router.post("/auth/mfa/recovery-codes", response_model=RecoveryCodes, tags=["auth"])
def mfa_recovery_codes(body: MfaCode, actor: CurrentActor, session: SessionDep):
    """Replace my recovery codes."""
    return RecoveryCodes(recovery_codes=service.regenerate_recovery_codes(session, actor, code=body.code))


@router.get("/users", response_model=Page[UserRead], tags=["users"])
def list_users(actor: CurrentActor, session: SessionDep, page: PageDep,
               q: Annotated[str | None, Query(max_length=100, pattern=NO_CONTROL)] = None,
               role: Annotated[str | None, Query(max_length=50, pattern=NO_CONTROL)] = None,
               is_active: bool | None = None):
    """Users, filtered by text, role and activity."""
    items, total = service.list_users(session, actor, q=q, role=role, is_active=is_active,
                                      limit=page.limit, offset=page.offset)
    return Page(items=[UserRead.model_validate(u) for u in items], total=total, limit=page.limit,
                offset=page.offset)


@router.post("/users", response_model=UserRead, status_code=201, tags=["users"])
def create_user(body: UserCreate, actor: CurrentActor, session: SessionDep):
    """Create a user."""
    return service.create_user(session, actor, **body.model_dump())


@router.get("/users/{user_id}", response_model=UserRead, tags=["users"])
def get_user(user_id: Id, actor: CurrentActor, session: SessionDep):
    """One user."""
    return service.get_user(session, actor, user_id)


@router.patch("/users/{user_id}", response_model=UserRead, tags=["users"])
def update_user(user_id: Id, body: UserUpdate, actor: CurrentActor, session: SessionDep):
    """Change a user."""
    return service.update_user(session, actor, user_id, **body.model_dump(exclude_unset=True))


@router.get("/roles", response_model=list[RoleRead], tags=["roles"])
def list_roles(actor: CurrentActor, session: SessionDep):
    """Roles with their permissions."""
    return service.list_roles(session, actor)


@router.post("/roles", response_model=RoleRead, status_code=201, tags=["roles"])
def create_role(body: RoleCreate, actor: CurrentActor, session: SessionDep):
    """Create a role."""
    return service.create_role(session, actor, **body.model_dump())


@router.get("/roles/{name}", response_model=RoleRead, tags=["roles"])
def get_role(name: RoleName, actor: CurrentActor, session: SessionDep):
    """One role."""
    return service.get_role(session, actor, name)


@router.put("/roles/{name}/permissions", response_model=RoleRead, tags=["roles"])
def set_role_permissions(name: RoleName, body: RolePermissionsUpdate, actor: CurrentActor,
                         session: SessionDep):
    """Replace a role's permissions."""
    return service.set_role_permissions(session, actor, name, permissions=body.permissions,
                                        description=body.description)


@router.get("/permissions", response_model=list[PermissionRead], tags=["roles"])
def list_permissions(actor: CurrentActor, session: SessionDep):
    """Every permission."""
    return [PermissionRead(name=p.name, description=p.description)
            for p in service.list_permissions(session, actor)]


@router.get("/audit-log", response_model=Page[AuditRead], tags=["audit"])
def list_audit(actor: CurrentActor, session: SessionDep, page: PageDep,
               entity_type: Annotated[str | None, Query(max_length=50, pattern=NO_CONTROL)] = None,
               entity_id: Annotated[str | None, Query(max_length=64, pattern=NO_CONTROL)] = None,
               actor_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None):
    """The audit log, newest first."""
    items, total = service.list_audit(session, actor, entity_type=entity_type, entity_id=entity_id,
                                      actor_id=actor_id, limit=page.limit, offset=page.offset)
    return Page(items=[AuditRead.model_validate(a) for a in items], total=total, limit=page.limit,
                offset=page.offset)


@router.get("/outbox", response_model=Page[OutboxRead], tags=["outbox"])
def list_outbox(actor: CurrentActor, session: SessionDep, page: PageDep,
                status: Annotated[str | None, Query(pattern="^(pending|sent|failed)$")] = None,
                topic: Annotated[str | None, Query(max_length=80, pattern=NO_CONTROL)] = None):
    """Queued, sent and failed messages."""
    items, total = service.list_outbox(session, actor, status=status, topic=topic, limit=page.limit,
                                       offset=page.offset)
    return Page(items=[OutboxRead.model_validate(m) for m in items], total=total, limit=page.limit,
                offset=page.offset)


@router.get("/outbox/{message_id}", response_model=OutboxRead, tags=["outbox"])
def get_outbox(message_id: Id, actor: CurrentActor, session: SessionDep):
    """One outbox message (a password reset link is hidden from who may not manage users)."""
    return service.get_outbox(session, actor, message_id)


@router.post("/outbox/{message_id}/resend", response_model=OutboxRead, tags=["outbox"])
def resend_outbox(message_id: Id, actor: CurrentActor, session: SessionDep):
    """Deliver a message again."""
    return service.resend_outbox(session, actor, message_id)
