"""Admin pages: users, roles and permissions, audit log, outbox, my account."""

import pyotp
from sqlalchemy import select

from coachway.auth import service
from coachway.core import outbox
from coachway.core.db import transaction
from coachway.core.models import OutboxMessage
from coachway.core.permissions import SYSTEM
from coachway.web.testing import csrf_from, form_post, sign_in
from tests.factories import PASSWORD, make_user, next_totp


def _as(client, role: str = "admin", **kw):
    user = make_user(role=role, **kw)
    sign_in(client, user.email, PASSWORD)
    return user


def _role_permissions(name: str) -> list[str]:
    with transaction() as session:
        return service.get_role(session, SYSTEM, name)["permissions"]


def test_admin_creates_a_user_through_the_form(client):
    _as(client)
    r = form_post(client, "/admin/users", {"full_name": "Dana Driver", "email": "Dana@Example.com",
                                           "role": "dispatcher", "password": "long-enough-pw", "phone": ""},
                  page="/admin/users/new")
    assert r.status_code == 303
    detail = client.get(r.headers["location"])
    assert "Dana Driver (dana@example.com) can now sign in." in detail.text
    with transaction() as session:
        users, total = service.list_users(session, SYSTEM, q="dana")
        assert total == 1 and users[0].role == "dispatcher" and users[0].phone is None


def test_new_user_form_with_bad_fields_re_renders_with_errors(client):
    _as(client)
    r = form_post(client, "/admin/users", {"full_name": "", "email": "nope", "role": "dispatcher",
                                           "password": "short"}, page="/admin/users/new")
    assert r.status_code == 422
    assert r.text.count('class="field-error"') == 3  # full name, email, password
    assert 'value="nope"' in r.text and 'value="short"' not in r.text  # passwords are never echoed


def test_new_user_with_taken_email_shows_the_conflict(client):
    admin = _as(client)
    r = form_post(client, "/admin/users", {"full_name": "Copy", "email": admin.email, "role": "admin",
                                           "password": "long-enough-pw"}, page="/admin/users/new")
    assert r.status_code == 409 and "already exists" in r.text


def test_users_list_searches_and_filters(client):
    _as(client, full_name="Avery Admin")
    make_user(role="dispatcher", full_name="Dana Dispatch")
    make_user(role="sales_agent", full_name="Sam Sales")
    html = client.get("/admin/users?q=dana").text
    assert "Dana Dispatch" in html and "Sam Sales" not in html
    html = client.get("/admin/users?role=sales_agent").text
    assert "Sam Sales" in html and "Dana Dispatch" not in html


def test_users_search_from_htmx_returns_only_the_results_block(client):
    _as(client)
    make_user(role="dispatcher", full_name="Dana Dispatch")
    r = client.get("/admin/users?q=dana", headers={"HX-Request": "true", "HX-Target": "user-results"})
    assert r.status_code == 200
    assert "<html" not in r.text and "Dana Dispatch" in r.text and "<table" in r.text


def test_users_list_paginates(client):
    _as(client)
    for n in range(30):
        make_user(role="driver", full_name=f"Driver {n:02d}")
    first = client.get("/admin/users?role=driver").text
    assert "1–25 of 30 users" in first and 'href="/admin/users?role=driver&amp;offset=25"' in first
    second = client.get("/admin/users?role=driver&offset=25").text
    assert "26–30 of 30 users" in second


def test_admin_edits_a_user(client):
    _as(client)
    other = make_user(role="dispatcher")
    r = form_post(client, f"/admin/users/{other.id}", {"full_name": "New Name", "role": "manager",
                                                       "phone": "+1 555 0100"})
    assert r.status_code == 303
    with transaction() as session:
        user = service.get_user(session, SYSTEM, other.id)
        assert (user.full_name, user.role, user.phone, user.is_active) == ("New Name", "manager",
                                                                            "+1 555 0100", False)


def test_admin_cannot_deactivate_themself_and_nothing_changes(client):
    admin = _as(client)
    r = form_post(client, f"/admin/users/{admin.id}", {"full_name": "Renamed", "role": "admin"})
    assert r.status_code == 409 and "cannot deactivate yourself" in r.text
    with transaction() as session:
        assert service.get_user(session, SYSTEM, admin.id).full_name == admin.full_name


def test_dispatcher_sees_users_but_no_edit_form(client):
    _as(client, role="dispatcher")
    other = make_user(role="driver")
    html = client.get(f"/admin/users/{other.id}").text
    assert other.email in html and f'action="/admin/users/{other.id}"' not in html
    assert client.get("/admin/users/new").status_code == 403


def test_role_permission_edit_through_the_form_changes_the_role(client):
    _as(client)
    before = _role_permissions("sales_agent")
    assert "users:read" not in before
    r = form_post(client, "/admin/settings/rbac/roles/sales_agent",
                  {"permissions": [*before, "users:read"], "description": "Sales agents"})
    assert r.status_code == 303
    assert _role_permissions("sales_agent") == sorted([*before, "users:read"])
    page = client.get("/admin/settings/rbac/roles/sales_agent").text
    assert "Saved the permissions of sales_agent." in page
    assert 'value="users:read" checked' in page


def test_admin_cannot_remove_role_management_from_own_role(client):
    _as(client)
    r = form_post(client, "/admin/settings/rbac/roles/admin", {"permissions": ["users:read"]})
    assert r.status_code == 409 and "lock yourself out" in r.text
    assert "roles:update" in _role_permissions("admin")


def test_admin_creates_a_role(client):
    _as(client)
    r = form_post(client, "/admin/settings/rbac/roles", {"name": "night_dispatch", "description": "Nights"})
    assert r.status_code == 303 and r.headers["location"] == "/admin/settings/rbac/roles/night_dispatch"
    bad = form_post(client, "/admin/settings/rbac/roles", {"name": "Bad Name!"})
    assert bad.status_code == 422 and "field-error" in bad.text


def test_roles_list_shows_user_counts(client):
    _as(client)
    make_user(role="dispatcher")
    make_user(role="dispatcher")
    html = client.get("/admin/settings/rbac/roles").text
    assert 'aria-label="2 users with role dispatcher"' in html


def test_manager_sees_roles_read_only(client):
    _as(client, role="manager")
    html = client.get("/admin/settings/rbac/roles/dispatcher").text
    assert "disabled" in html and "Save permissions" not in html
    r = client.get("/admin/settings/rbac/permissions")
    assert r.status_code == 200 and "users:read" in r.text


def test_audit_log_shows_old_and_new_values(client):
    _as(client)
    other = make_user(role="dispatcher", full_name="Before Name")
    form_post(client, f"/admin/users/{other.id}", {"full_name": "After Name", "role": "dispatcher",
                                                   "is_active": "on"})
    html = client.get(f"/admin/audit?entity_type=user&entity_id={other.id}").text
    assert "<del>Before Name</del> → <ins>After Name</ins>" in html


def test_audit_log_shows_permission_changes_as_added_and_removed(client):
    _as(client)
    before = _role_permissions("dispatcher")
    form_post(client, "/admin/settings/rbac/roles/dispatcher", {"permissions": [*before, "audit:read"]})
    html = client.get("/admin/audit?entity_type=role").text
    assert "<ins>+ audit:read</ins>" in html


def test_audit_actor_filter_rejects_text(client):
    _as(client)
    r = client.get("/admin/audit?actor=bob")
    assert r.status_code == 200 and "Actor is a user number" in r.text


def test_outbox_lists_messages_and_resends_by_htmx(client):
    _as(client)
    with transaction() as session:
        msg = outbox.enqueue(session, "email.send", {"to": "a@example.com", "subject": "Hi"})
        msg.status, msg.last_error = "failed", "SMTPError: boom"
        message_id = msg.id
    html = client.get("/admin/outbox?status=failed").text
    assert "SMTPError: boom" in html and "To a@example.com" in html
    token = csrf_from(html)
    r = client.post(f"/admin/outbox/{message_id}/resend",
                    headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert r.status_code == 200 and r.text.lstrip().startswith(f'<tr id="outbox-{message_id}"')
    assert "Queued again" in r.text
    with transaction() as session:
        assert session.get(OutboxMessage, message_id).status == "pending"


def test_accounting_may_read_outbox_but_not_resend(client):
    _as(client, role="accounting")
    with transaction() as session:
        msg = outbox.enqueue(session, "email.send", {"to": "a@example.com"})
        msg.status = "failed"
        message_id = msg.id
    html = client.get("/admin/outbox").text
    assert "Resend" not in html
    r = client.post(f"/admin/outbox/{message_id}/resend", headers={"X-CSRF-Token": csrf_from(html)})
    assert r.status_code == 403 and "You don&#39;t have access" in r.text


def test_htmx_error_is_swapped_into_the_message_area(client):
    _as(client, role="accounting")
    html = client.get("/admin/outbox").text
    r = client.post("/admin/outbox/1/resend", headers={"HX-Request": "true", "X-CSRF-Token": csrf_from(html)})
    assert r.status_code == 403 and r.headers["hx-retarget"] == "#messages"
    assert r.text.startswith('<div class="alert error"')


def test_account_change_password(client):
    user = _as(client)
    r = form_post(client, "/account/password", {"current_password": "wrong", "new_password": "another-pass-1",
                                                "confirm_password": "another-pass-1"}, page="/account")
    assert r.status_code == 422 and "Your current password is not right." in r.text
    r = form_post(client, "/account/password", {"current_password": PASSWORD,
                                                "new_password": "another-pass-1",
                                                "confirm_password": "another-pass-1"}, page="/account")
    assert r.status_code == 303
    client.cookies.clear()
    sign_in(client, user.email, "another-pass-1")


def test_account_mfa_setup_enable_and_disable(client):
    _as(client)
    setup = form_post(client, "/account/mfa/setup", page="/account")
    assert setup.status_code == 200 and "<svg" in setup.text
    secret = setup.text.split('data-secret="')[1].split('"')[0]
    wrong = client.post("/account/mfa/enable", data={"code": "000000", "secret": secret,
                                                     "csrf_token": csrf_from(setup.text)})
    assert wrong.status_code == 422 and secret in wrong.text  # same secret shown again
    done = client.post("/account/mfa/enable", data={"code": pyotp.TOTP(secret).now(), "secret": secret,
                                                    "csrf_token": csrf_from(setup.text)})
    assert done.status_code == 200 and done.text.count('<li>') >= 10
    assert "Two-step sign-in is on." in done.text
    off = form_post(client, "/account/mfa/disable", {"code": next_totp(secret)}, page="/account")
    assert off.status_code == 303
    assert "Two-step sign-in is off." in client.get("/account").text


def test_reset_link_in_outbox_is_for_the_reset_page(client):
    user = make_user()
    form_post(client, "/forgot-password", {"email": user.email})
    with transaction() as session:
        text = session.scalars(select(OutboxMessage)).one().payload["text"]
    token = text.split("/reset-password?token=")[1].split()[0]
    r = form_post(client, "/reset-password", {"token": token, "new_password": "brand-new-pass",
                                              "confirm_password": "brand-new-pass"},
                  page=f"/reset-password?token={token}")
    assert r.status_code == 303
    sign_in(client, user.email, "brand-new-pass")


def test_out_of_range_numbers_in_addresses_are_friendly_errors(client):
    _as(client)
    assert client.get("/admin/users/99999999999").status_code == 400
    r = client.get("/admin/audit?actor=99999999999")
    assert r.status_code == 200 and "Actor is a user number" in r.text
    assert client.get("/admin/settings/rbac/roles/" + "x" * 60).status_code == 400


def _queued_email(**payload) -> int:
    with transaction() as session:
        return outbox.enqueue(session, "email.send", payload).id


def test_an_email_in_the_outbox_reads_as_its_recipient_would_see_it(client):
    _as(client)
    message_id = _queued_email(
        to="pat@example.com", subject="Your trip on May 4", template="booking_confirmation",
        text="Hello Pat,\nYour coach leaves at 8:00.",
        html='<p style="color:#123">Hello <b>Pat</b><img src="https://x.test/t/o/abc.gif"></p>')
    html = client.get("/admin/outbox").text
    assert f'href="/admin/outbox/{message_id}"' in html
    page = client.get(f"/admin/outbox/{message_id}")
    assert page.status_code == 200
    assert "pat@example.com" in page.text and "Your trip on May 4" in page.text
    assert "Hello Pat,\nYour coach leaves at 8:00." in page.text
    assert f'src="/admin/outbox/{message_id}/body.html"' in page.text and "sandbox" in page.text
    body = client.get(f"/admin/outbox/{message_id}/body.html")
    assert body.status_code == 200 and "<b>Pat</b>" in body.text
    csp = body.headers["content-security-policy"]
    # Remote images (the open pixel) never load in the viewer; scripts never run; only we may frame it.
    assert "img-src data:;" in csp and "default-src 'none'" in csp and "sandbox" in csp
    assert "frame-ancestors 'self'" in csp and body.headers["x-frame-options"] == "SAMEORIGIN"


def test_a_text_only_message_has_no_html_frame_and_unknown_messages_are_404(client):
    _as(client)
    message_id = _queued_email(to="pat@example.com", subject="Plain", text="Just text")
    page = client.get(f"/admin/outbox/{message_id}").text
    assert "Just text" in page and "<iframe" not in page
    assert client.get(f"/admin/outbox/{message_id}/body.html").status_code == 404
    assert client.get("/admin/outbox/999999").status_code == 404
    assert client.get("/admin/outbox/0").status_code == 400


def test_the_outbox_message_page_hides_a_reset_link_from_who_cannot_manage_users(client):
    message_id = _queued_email(to="pat@example.com", subject="Reset", text="secret-link",
                               html="<a>secret-link</a>", **{service.SENSITIVE: True})
    _as(client, role="accounting")
    page = client.get(f"/admin/outbox/{message_id}").text
    assert "secret-link" not in page and service.HIDDEN_BODY.replace("'", "&#39;") in page
    body = client.get(f"/admin/outbox/{message_id}/body.html")
    assert "secret-link" not in body.text


def test_roles_without_outbox_access_cannot_read_a_message(client):
    message_id = _queued_email(to="pat@example.com", subject="Hi", text="Hello")
    _as(client, role="driver")
    assert client.get(f"/admin/outbox/{message_id}").status_code == 403
    assert client.get(f"/admin/outbox/{message_id}/body.html").status_code == 403
