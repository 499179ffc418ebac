"""Sign-in, password reset, my account, and the admin pages for users, roles, audit log and outbox.

Every rule lives in auth/service/; these handlers parse the form, call the service and pick a page.
"""

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from coachway.auth import service
from coachway.auth.schemas import (
    LoginRequest,
    MfaCode,
    MfaVerifyRequest,
    PasswordChange,
    PasswordResetConfirm,
    PasswordResetRequest,
    RoleCreate,
    RolePermissionsUpdate,
    UserCreate,
    UserUpdate,
)
from coachway.config import get_settings
from coachway.core.deps import client_ip, undo_refused
from coachway.core.errors import Conflict, Invalid, NotFound, TooManyRequests, Unauthorized
from coachway.core.fields import MAX_ID
from coachway.core.permissions import ROLES, Actor, require
from coachway.core.security import totp_uri
from coachway.web import audit_view
from coachway.web.deps import FormDep, OptionalActor, PageActor, PageSession
from coachway.web.forms import FormErrors, validate, values
from coachway.web.qr import qr_svg
from coachway.web.sandboxed import sandboxed_html
from coachway.web.session import end_web_session, safe_next, start_web_session
from coachway.web.templating import is_htmx, pager, redirect, render, role_label

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
NextParam = Annotated[str | None, Query(alias="next", max_length=2000)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
RoleName = Annotated[str, Path(min_length=1, max_length=50)]
SECRET_PATTERN = re.compile(r"[A-Z2-7]{16,64}")


def _user_agent(request: Request) -> str | None:
    return request.headers.get("user-agent")


def _signed_in(request: Request, tokens: service.Tokens, next_path: str):
    response = redirect(request, next_path)
    start_web_session(response, tokens.access_token, tokens.expires_in)
    return response


# ---------------------------------------------------------------- sign-in and sign-out

def _login_page(request: Request, *, next_path: str, email: str = "", errors: FormErrors | None = None,
                status_code: int = 200, headers: dict | None = None):
    return render(request, "auth/login.html", {"title": "Sign in", "next": next_path, "email": email,
                                               "form_errors": errors}, status_code=status_code,
                  headers=headers)


@router.get("/login")
def login_form(request: Request, actor: OptionalActor, next_: NextParam = None):
    """The sign-in form (signed-in users go straight on)."""
    if actor is not None:
        return RedirectResponse(safe_next(next_), status_code=303)
    return _login_page(request, next_path=safe_next(next_))


@router.post("/login")
def login_submit(request: Request, session: PageSession, form: FormDep):
    """Check email and password: sign in, or ask for the two-step code."""
    next_path = safe_next(form.get("next"))
    data = values(form, "email", raw=("password",))
    try:
        body = validate(LoginRequest, data)
        result = service.login(session, email=body.email, password=body.password, ip=client_ip(request),
                               user_agent=_user_agent(request), kind="web")
    except (Invalid, Unauthorized, TooManyRequests) as exc:
        # Failed attempts stay recorded (the session commits): they feed the sign-in throttle.
        throttled = isinstance(exc, TooManyRequests)
        return _login_page(request, next_path=next_path, email=data.get("email", ""),
                           errors=FormErrors.of(exc), status_code=429 if throttled else 400,
                           headers={k: v for k, v in exc.headers.items() if k == "Retry-After"})
    if isinstance(result, service.MfaPending):
        return render(request, "auth/login_mfa.html", {"title": "Enter your code", "next": next_path,
                                                       "mfa_token": result.mfa_token})
    return _signed_in(request, result, next_path)


@router.get("/login/mfa")
def login_mfa_form():
    """The code step only follows a password; start at the beginning."""
    return RedirectResponse("/login", status_code=303)


@router.post("/login/mfa")
def login_mfa_submit(request: Request, session: PageSession, form: FormDep):
    """Finish signing in with an authenticator or recovery code."""
    next_path = safe_next(form.get("next"))
    data = values(form, "mfa_token", "code")
    try:
        body = validate(MfaVerifyRequest, data)
        tokens = service.verify_mfa(session, mfa_token=body.mfa_token, code=body.code, ip=client_ip(request),
                                    user_agent=_user_agent(request), kind="web")
    except (Invalid, Unauthorized, TooManyRequests) as exc:
        # Wrong codes stay recorded (the session commits): they count against the challenge and the lock.
        throttled = isinstance(exc, TooManyRequests)
        return render(request, "auth/login_mfa.html",
                      {"title": "Enter your code", "next": next_path, "mfa_token": data.get("mfa_token", ""),
                       "form_errors": FormErrors.of(exc)}, status_code=429 if throttled else 400,
                      headers={k: v for k, v in exc.headers.items() if k == "Retry-After"})
    return _signed_in(request, tokens, next_path)


@router.post("/logout")
def logout(request: Request, session: PageSession, form: FormDep, actor: OptionalActor):
    """End this browser's session."""
    if actor is not None:
        service.logout(session, actor)
    response = redirect(request, "/login", flash="You are signed out.", kind="info")
    end_web_session(response)
    return response


# ---------------------------------------------------------------- forgotten password

@router.get("/forgot-password")
def forgot_password_form(request: Request):
    """Ask for a reset link."""
    return render(request, "auth/forgot_password.html", {"title": "Forgot your password?"})


@router.post("/forgot-password")
def forgot_password_submit(request: Request, session: PageSession, form: FormDep):
    """Mail a reset link; the answer never tells whether the email has an account."""
    data = values(form, "email")
    try:
        body = validate(PasswordResetRequest, data)
    except Invalid as exc:
        return render(request, "auth/forgot_password.html",
                      {"title": "Forgot your password?", "email": data.get("email", ""),
                       "form_errors": FormErrors.of(exc)}, status_code=422)
    service.request_password_reset(session, email=body.email, ip=client_ip(request))
    minutes = get_settings().password_reset_minutes
    return redirect(request, "/login", kind="info",
                    flash=f"If that email has an account, a reset link is on its way. It works for {minutes} "
                          "minutes.")


@router.get("/reset-password")
def reset_password_form(request: Request, token: Annotated[str, Query(max_length=200)] = ""):
    """Choose a new password (the token comes from the mailed link)."""
    return render(request, "auth/reset_password.html", {"title": "Choose a new password", "token": token})


@router.post("/reset-password")
def reset_password_submit(request: Request, session: PageSession, form: FormDep):
    """Set the new password with the mailed token."""
    data = values(form, "token", raw=("new_password",))
    try:
        body = validate(PasswordResetConfirm, data)
        if form.get("confirm_password") != body.new_password:
            raise Invalid.field("confirm_password", "The two passwords do not match.")
        service.reset_password(session, token=body.token, new_password=body.new_password,
                               ip=client_ip(request))
    except Invalid as exc:
        undo_refused(session, exc)
        return render(request, "auth/reset_password.html",
                      {"title": "Choose a new password", "token": data.get("token", ""),
                       "form_errors": FormErrors.of(exc)}, status_code=422)
    return redirect(request, "/login", flash="Your password is changed. Sign in with the new one.")


# ---------------------------------------------------------------- my account

def _account_page(request: Request, session: Session, actor: Actor, *, section: str | None = None,
                  errors: FormErrors | None = None, status_code: int = 200):
    user = service.me(session, actor)
    return render(request, "auth/account.html", {"title": "My account", "user": user, "section": section,
                                                 "form_errors": errors}, status_code=status_code)


def _mfa_setup_page(request: Request, actor: Actor, secret: str, *, errors: FormErrors | None = None,
                    status_code: int = 200):
    uri = totp_uri(secret, actor.email)
    return render(request, "auth/mfa_setup.html",
                  {"title": "Set up two-step sign-in", "secret": secret, "uri": uri,
                   "qr": qr_svg(uri, label="QR code for your authenticator app"), "form_errors": errors},
                  status_code=status_code)


def _recovery_codes_page(request: Request, codes: list[str], message: str):
    return render(request, "auth/recovery_codes.html",
                  {"title": "Your recovery codes", "codes": codes,
                   "flashes": [{"kind": "success", "text": message}]})


@router.get("/account")
def account(request: Request, actor: PageActor, session: PageSession):
    """My details, my password and two-step sign-in."""
    return _account_page(request, session, actor)


@router.post("/account/password")
def account_password(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Change my password; my other sessions are signed out."""
    data = values(form, raw=("current_password", "new_password"))
    try:
        body = validate(PasswordChange, data)
        if form.get("confirm_password") != body.new_password:
            raise Invalid.field("confirm_password", "The two passwords do not match.")
        service.change_password(session, actor, current_password=body.current_password,
                                new_password=body.new_password)
    except Invalid as exc:
        undo_refused(session, exc)
        return _account_page(request, session, actor, section="password", errors=FormErrors.of(exc),
                             status_code=422)
    return redirect(request, "/account", flash="Your password is changed. Other sessions are signed out.")


@router.post("/account/mfa/setup")
def account_mfa_setup(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Start two-step sign-in: show the QR code and secret for the authenticator app."""
    try:
        secret, _uri = service.start_mfa_setup(session, actor)
    except Conflict as exc:
        undo_refused(session, exc)
        return redirect(request, "/account", flash=exc.detail, kind="error")
    return _mfa_setup_page(request, actor, secret)


@router.post("/account/mfa/enable")
def account_mfa_enable(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Confirm the first code; then show the recovery codes, once."""
    secret = str(form.get("secret") or "")
    try:
        body = validate(MfaCode, values(form, "code"))
        codes = service.enable_mfa(session, actor, code=body.code)
    except Conflict as exc:
        undo_refused(session, exc)
        return redirect(request, "/account", flash=exc.detail, kind="error")
    except Invalid as exc:
        undo_refused(session, exc)
        if not SECRET_PATTERN.fullmatch(secret):
            return redirect(request, "/account", flash="Start the set-up again.", kind="error")
        return _mfa_setup_page(request, actor, secret, errors=FormErrors.of(exc), status_code=422)
    return _recovery_codes_page(request, codes, "Two-step sign-in is on.")


@router.post("/account/mfa/disable")
def account_mfa_disable(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Turn two-step sign-in off, confirmed with a code."""
    try:
        body = validate(MfaCode, values(form, "code"))
        service.disable_mfa(session, actor, code=body.code)
    except Conflict as exc:
        undo_refused(session, exc)
        return redirect(request, "/account", flash=exc.detail, kind="error")
    except Invalid as exc:
        undo_refused(session, exc)
        return _account_page(request, session, actor, section="mfa_disable", errors=FormErrors.of(exc),
                             status_code=422)
    return redirect(request, "/account", flash="Two-step sign-in is off.")


@router.post("/account/mfa/recovery-codes")
def account_recovery_codes(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Replace my recovery codes; the old ones stop working."""
    try:
        body = validate(MfaCode, values(form, "code"))
        codes = service.regenerate_recovery_codes(session, actor, code=body.code)
    except Conflict as exc:
        undo_refused(session, exc)
        return redirect(request, "/account", flash=exc.detail, kind="error")
    except Invalid as exc:
        undo_refused(session, exc)
        return _account_page(request, session, actor, section="mfa_codes", errors=FormErrors.of(exc),
                             status_code=422)
    return _recovery_codes_page(request, codes, "New recovery codes are ready; the old ones no longer work.")


# ---------------------------------------------------------------- users

def _role_options(session: Session, actor: Actor) -> list[tuple[str, str]]:
    names = ([r["name"] for r in service.list_roles(session, actor)] if actor.can("roles:read")
             else list(ROLES))
    return [(name, role_label(name)) for name in names]


@router.get("/admin/users")
def users_list(request: Request, actor: PageActor, session: PageSession,
               q: Annotated[str, Query(max_length=100)] = "", role: Annotated[str, Query(max_length=50)] = "",
               status: Annotated[str, Query(max_length=10)] = "",
               offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0):
    """Users, searchable by name or email and filterable by role and activity."""
    is_active = {"active": True, "inactive": False}.get(status)
    users, total = service.list_users(session, actor, q=q.strip() or None, role=role or None,
                                      is_active=is_active, limit=PAGE_SIZE, offset=offset)
    context = {"title": "Users", "users": users, "q": q, "role": role, "status": status,
               "roles": _role_options(session, actor), "can_create": actor.can("users:create"),
               "pager": pager(request, total=total, limit=PAGE_SIZE, offset=offset)}
    if is_htmx(request, "user-results"):
        return render(request, "auth/users_list.html", context, block="results")
    return render(request, "auth/users_list.html", context)


def _new_user_page(request: Request, session: Session, actor: Actor, *, data: dict | None = None,
                   errors: FormErrors | None = None, status_code: int = 200):
    return render(request, "auth/user_new.html",
                  {"title": "New user", "values": data or {"role": "sales_agent"},
                   "roles": _role_options(session, actor), "form_errors": errors}, status_code=status_code)


@router.get("/admin/users/new")
def user_new(request: Request, actor: PageActor, session: PageSession):
    """The form for a new user."""
    require(actor, "users:create")
    return _new_user_page(request, session, actor)


@router.post("/admin/users")
def user_create(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Create a user from the form."""
    data = values(form, "email", "full_name", "role", "phone", "client_id", raw=("password",))
    try:
        user = service.create_user(session, actor, **validate(UserCreate, data).model_dump())
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        data.pop("password", None)
        return _new_user_page(request, session, actor, data=data, errors=FormErrors.of(exc),
                              status_code=exc.status)
    return redirect(request, f"/admin/users/{user.id}",
                    flash=f"{user.full_name} ({user.email}) can now sign in.")


def _user_page(request: Request, session: Session, actor: Actor, user_id: int, *, data: dict | None = None,
               errors: FormErrors | None = None, status_code: int = 200):
    user = service.get_user(session, actor, user_id)
    shown = data or {"full_name": user.full_name, "role": user.role, "phone": user.phone or "",
                     "is_active": user.is_active}
    can_edit = actor.can("users:update")
    return render(request, "auth/user_detail.html",
                  {"title": user.full_name or user.email, "user": user, "values": shown, "can_edit": can_edit,
                   "roles": _role_options(session, actor) if can_edit else [],
                   "can_audit": actor.can("audit:read"), "form_errors": errors}, status_code=status_code)


@router.get("/admin/users/{user_id}")
def user_detail(request: Request, user_id: Id, actor: PageActor, session: PageSession):
    """One user, with the form to change them."""
    return _user_page(request, session, actor, user_id)


@router.post("/admin/users/{user_id}")
def user_update(request: Request, user_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Save a user's name, phone, role and activity."""
    data: dict[str, Any] = {"full_name": str(form.get("full_name") or "").strip(),
                            "role": str(form.get("role") or "").strip() or None,
                            "phone": str(form.get("phone") or "").strip() or None,
                            "is_active": form.get("is_active") == "on"}
    try:
        changes = validate(UserUpdate, data).model_dump(exclude_unset=True)
        user = service.update_user(session, actor, user_id, **changes)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _user_page(request, session, actor, user_id, data={**data, "phone": data["phone"] or ""},
                          errors=FormErrors.of(exc), status_code=exc.status)
    return redirect(request, f"/admin/users/{user.id}", flash=f"Saved the changes to {user.full_name}.")


# ---------------------------------------------------------------- roles and permissions

ROLES_URL = "/admin/settings/rbac/roles"


def _roles_page(request: Request, session: Session, actor: Actor, *, data: dict | None = None,
                errors: FormErrors | None = None, status_code: int = 200):
    return render(request, "auth/roles_list.html",
                  {"title": "Roles & permissions", "roles": service.list_roles(session, actor),
                   "can_edit": actor.can("roles:update"), "values": data or {}, "form_errors": errors},
                  status_code=status_code)


@router.get(ROLES_URL)
def roles_list(request: Request, actor: PageActor, session: PageSession):
    """Every role, how many users hold it, and a form for a new one."""
    return _roles_page(request, session, actor)


@router.post(ROLES_URL)
def role_create(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Create a role (its permissions are chosen on the next page)."""
    data = values(form, "name", "description")
    try:
        role = service.create_role(session, actor, **validate(RoleCreate, data).model_dump())
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _roles_page(request, session, actor, data=data, errors=FormErrors.of(exc),
                           status_code=exc.status)
    return redirect(request, f"{ROLES_URL}/{role['name']}",
                    flash=f"Role {role['name']} is created. Now choose what it may do.")


def _permission_groups(permissions, chosen: set[str]) -> list[tuple[str, list[dict]]]:
    groups: dict[str, list[dict]] = {}
    for p in permissions:
        resource = p.name.split(":", 1)[0]
        groups.setdefault(resource, []).append({"name": p.name, "action": p.name.split(":", 1)[-1],
                                                "description": p.description, "checked": p.name in chosen})
    return [(resource.replace("_", " ").capitalize(), items) for resource, items in sorted(groups.items())]


def _role_page(request: Request, session: Session, actor: Actor, name: str, *, chosen: set[str] | None = None,
               description: str | None = None, errors: FormErrors | None = None, status_code: int = 200):
    role = service.get_role(session, actor, name)
    chosen = set(role["permissions"]) if chosen is None else chosen
    groups = _permission_groups(service.list_permissions(session, actor), chosen)
    return render(request, "auth/role_detail.html",
                  {"title": f"Role {role['name']}", "role": role, "groups": groups,
                   "description": role["description"] if description is None else description,
                   "can_edit": actor.can("roles:update"), "form_errors": errors}, status_code=status_code)


@router.get(ROLES_URL + "/{name}")
def role_detail(request: Request, name: RoleName, actor: PageActor, session: PageSession):
    """One role's permissions as checkboxes grouped by resource."""
    return _role_page(request, session, actor, name)


@router.post(ROLES_URL + "/{name}")
def role_update(request: Request, name: RoleName, actor: PageActor, session: PageSession, form: FormDep):
    """Save the ticked permissions (and description) of a role."""
    chosen = [p for p in form.getlist("permissions") if isinstance(p, str)]
    description = str(form.get("description") or "").strip()
    try:
        body = validate(RolePermissionsUpdate, {"permissions": chosen, "description": description})
        service.set_role_permissions(session, actor, name, permissions=body.permissions,
                                     description=body.description)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _role_page(request, session, actor, name, chosen=set(chosen), description=description,
                          errors=FormErrors.of(exc), status_code=exc.status)
    return redirect(request, f"{ROLES_URL}/{name}", flash=f"Saved the permissions of {name}.")


@router.get("/admin/settings/rbac/permissions")
def permissions_list(request: Request, actor: PageActor, session: PageSession):
    """Every permission, and which roles hold it."""
    permissions = service.list_permissions(session, actor)
    holders: dict[str, list[str]] = {}
    for role in service.list_roles(session, actor):
        for name in role["permissions"]:
            holders.setdefault(name, []).append(role["name"])
    return render(request, "auth/permissions_list.html",
                  {"title": "Permissions", "permissions": permissions, "holders": holders})


# ---------------------------------------------------------------- audit log

@router.get("/admin/audit")
def audit_list(request: Request, actor: PageActor, session: PageSession,
               entity_type: Annotated[str, Query(max_length=50)] = "",
               entity_id: Annotated[str, Query(max_length=64)] = "",
               actor_filter: Annotated[str, Query(alias="actor", max_length=20)] = "",
               offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0):
    """The audit log, newest first, with what changed from what to what."""
    actor_filter = actor_filter.strip()
    actor_id = int(actor_filter) if actor_filter.isdigit() and 0 < int(actor_filter) <= MAX_ID else None
    filter_error = ("Actor is a user number, as in the address of the user's page."
                    if actor_filter and actor_id is None else None)
    entries, total = service.list_audit(session, actor, entity_type=entity_type.strip() or None,
                                        entity_id=entity_id.strip() or None, actor_id=actor_id,
                                        limit=PAGE_SIZE, offset=offset)
    rows = audit_view.describe(session, actor, entries)
    return render(request, "auth/audit_list.html",
                  {"title": "Audit log", "rows": rows, "entity_type": entity_type, "entity_id": entity_id,
                   "actor_filter": actor_filter, "filter_error": filter_error,
                   "can_see_users": actor.can("users:read"),
                   "pager": pager(request, total=total, limit=PAGE_SIZE, offset=offset)})


# ---------------------------------------------------------------- outbox

OUTBOX_STATUSES = ("pending", "sent", "failed")


def _outbox_row(message: dict) -> dict:
    payload = message["payload"] or {}
    return {"m": message, "to": payload.get("to"), "subject": payload.get("subject"),
            "payload_json": json.dumps(payload, indent=2, sort_keys=True, default=str)}


@router.get("/admin/outbox")
def outbox_list(request: Request, actor: PageActor, session: PageSession,
                status: Annotated[str, Query(max_length=10)] = "",
                topic: Annotated[str, Query(max_length=80)] = "",
                offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0):
    """Messages waiting, sent or failed, with the last delivery error."""
    chosen = status if status in OUTBOX_STATUSES else ""
    messages, total = service.list_outbox(session, actor, status=chosen or None, topic=topic.strip() or None,
                                          limit=PAGE_SIZE, offset=offset)
    return render(request, "auth/outbox_list.html",
                  {"title": "Outbox", "rows": [_outbox_row(m) for m in messages], "status": chosen,
                   "topic": topic, "statuses": OUTBOX_STATUSES, "can_resend": actor.can("outbox:manage"),
                   "pager": pager(request, total=total, limit=PAGE_SIZE, offset=offset)})


@router.get("/admin/outbox/{message_id}")
def outbox_message(request: Request, message_id: Id, actor: PageActor, session: PageSession):
    """One message as its recipient would read it: for email, subject, plain text and the HTML body."""
    message = service.get_outbox(session, actor, message_id)
    return render(request, "auth/outbox_message.html",
                  {"title": f"Outbox message {message_id}", **_outbox_row(message),
                   "payload": message["payload"] or {}, "can_resend": actor.can("outbox:manage")})


@router.get("/admin/outbox/{message_id}/body.html")
def outbox_message_html(message_id: Id, actor: PageActor, session: PageSession):
    """The HTML body of an email, for the sandboxed frame of the message page."""
    message = service.get_outbox(session, actor, message_id)
    html = (message["payload"] or {}).get("html")
    if not html:
        raise NotFound(f"Outbox message {message_id} has no HTML body.")
    return sandboxed_html(html)


@router.post("/admin/outbox/{message_id}/resend")
def outbox_resend(request: Request, message_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Queue a message for delivery again (HTMX swaps its table row in place)."""
    message = service.resend_outbox(session, actor, message_id)
    if is_htmx(request):
        return render(request, "auth/outbox_list.html",
                      {"row": {**_outbox_row(message), "resent": True}, "can_resend": True},
                      block="outbox_row")
    return redirect(request, "/admin/outbox", flash=f"Message {message_id} is queued to be sent again.")
