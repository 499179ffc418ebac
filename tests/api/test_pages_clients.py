"""Client pages: the list and its live search, the client form, a client's page, contacts and history."""

from coachway.clients import service
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from coachway.web.testing import form_post, sign_in
from tests.factories import PASSWORD, make_user
from tests.factories_domain import make_client

ACME = {"name": "Acme Tours", "client_type": "corporate", "email": "Events@Acme.example",
        "phone": "(404) 555-0134", "billing_address_line1": "100 Peachtree St NW", "billing_city": "Atlanta",
        "billing_state": "GA", "billing_postal_code": "30303", "billing_country": "US",
        "email_notifications_enabled": "on", "notes": "Pays by PO"}


def _as(client, role: str = "sales_agent", **kw):
    user = make_user(role=role, **kw)
    sign_in(client, user.email, PASSWORD)
    return user


def _client(client_id: int):
    with transaction() as session:
        found = service.get_client(session, SYSTEM, client_id)
        found.contacts  # noqa: B018 - load them before the session closes
        return found


def _count() -> int:
    with transaction() as session:
        return service.list_clients(session, SYSTEM)[1]


# ---------------------------------------------------------------- the list

def test_sales_agent_sees_the_list_with_a_new_client_button(client):
    _as(client)
    make_client(name="Peachtree Rotary Club", phone="404-555-0100", billing_city="Atlanta",
                billing_state="GA")
    r = client.get("/admin/clients")
    assert r.status_code == 200
    assert "Peachtree Rotary Club" in r.text and "Atlanta, GA" in r.text
    assert 'href="/admin/clients/new"' in r.text
    assert 'aria-current="page"' in r.text and 'data-label="Email"' in r.text


def test_empty_list_invites_to_add_the_first_client(client):
    _as(client)
    assert "Add the first client" in client.get("/admin/clients").text


def test_dispatcher_reads_clients_but_gets_no_new_client_button(client):
    _as(client, "dispatcher")
    make_client(name="Peachtree Rotary Club")
    r = client.get("/admin/clients")
    assert r.status_code == 200 and "Peachtree Rotary Club" in r.text
    assert 'href="/admin/clients/new"' not in r.text
    assert client.get("/admin/clients/new").status_code == 403


def test_list_searches_name_email_and_phone(client):
    _as(client)
    make_client(name="Peachtree Rotary Club", email="rotary@example.com", phone="(404) 555-0100")
    make_client(name="Savannah Choir", email="choir@example.org", phone="912-555-0200")
    assert "Savannah Choir" not in client.get("/admin/clients?q=peach").text
    html = client.get("/admin/clients?q=choir%40example").text
    assert "Savannah Choir" in html and "Peachtree Rotary Club" not in html
    html = client.get("/admin/clients?q=9125550200").text
    assert "Savannah Choir" in html and "Peachtree Rotary Club" not in html


def test_search_without_a_match_offers_to_clear_it(client):
    _as(client)
    make_client(name="Peachtree Rotary Club")
    html = client.get("/admin/clients?q=zzz").text
    assert "No clients match." in html and 'href="/admin/clients">Clear' in html


def test_htmx_search_returns_only_the_results_block(client):
    _as(client)
    make_client(name="Peachtree Rotary Club")
    make_client(name="Savannah Choir")
    r = client.get("/admin/clients?q=savannah", headers={"HX-Request": "true", "HX-Target": "client-results"})
    assert r.status_code == 200
    assert "<html" not in r.text and "<table" in r.text
    assert "Savannah Choir" in r.text and "Peachtree Rotary Club" not in r.text


def test_list_filters_by_type_and_status(client):
    _as(client, "manager")
    make_client(name="Peachtree Rotary Club", client_type="nonprofit")
    school = make_client(name="Grady High School", client_type="school")
    with transaction() as session:
        service.deactivate_client(session, SYSTEM, school.id)
    html = client.get("/admin/clients?client_type=school").text
    assert "Grady High School" in html and "Peachtree Rotary Club" not in html
    html = client.get("/admin/clients?status=active").text
    assert "Peachtree Rotary Club" in html and "Grady High School" not in html
    html = client.get("/admin/clients?status=inactive").text
    assert "Grady High School" in html and "Peachtree Rotary Club" not in html


def test_unknown_filter_values_are_ignored(client):
    _as(client)
    make_client(name="Peachtree Rotary Club")
    r = client.get("/admin/clients?client_type=spaceship&status=maybe")
    assert r.status_code == 200 and "Peachtree Rotary Club" in r.text


def test_list_paginates_keeping_the_search(client):
    _as(client)
    for n in range(30):
        make_client(name=f"Club {n:02d}")
    first = client.get("/admin/clients?q=club").text
    assert "1–25 of 30 clients" in first and 'href="/admin/clients?q=club&amp;offset=25"' in first
    second = client.get("/admin/clients?q=club&offset=25").text
    assert "26–30 of 30 clients" in second and "Club 29" in second and "Club 00" not in second


def test_vendor_gets_the_403_page_on_clients(client):
    _as(client, "vendor")
    r = client.get("/admin/clients")
    assert r.status_code == 403 and "You don&#39;t have access" in r.text


def test_driver_gets_the_403_page_on_a_client(client):
    acme = make_client(name="Acme Tours")
    _as(client, "driver")
    assert client.get(f"/admin/clients/{acme.id}").status_code == 403


def test_client_user_sees_its_own_account_but_gets_404_for_another(client):
    own = make_client(name="Own Club", notes="Secret margin talk")
    other = make_client(name="Other Club")
    _as(client, "client", client_id=own.id)
    r = client.get(f"/admin/clients/{own.id}")
    assert r.status_code == 200 and "Own Club" in r.text
    assert "Secret margin talk" not in r.text
    assert "Edit client" not in r.text and "Add a contact" not in r.text
    r = client.get(f"/admin/clients/{other.id}")
    assert r.status_code == 404 and "Page not found" in r.text and "Other Club" not in r.text


def test_unknown_client_is_the_404_page(client):
    _as(client)
    assert client.get("/admin/clients/999999").status_code == 404
    assert client.get("/admin/clients/0").status_code == 400


# ---------------------------------------------------------------- creating

def test_sales_agent_adds_a_client_through_the_form(client):
    me = _as(client)
    r = form_post(client, "/admin/clients", {**ACME, "assigned_sales_agent_id": str(me.id)},
                  page="/admin/clients/new")
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert "Acme Tours is added." in page.text
    assert "events@acme.example" in page.text and "100 Peachtree St NW" in page.text
    assert "Pays by PO" in page.text and me.full_name in page.text
    created = _client(int(r.headers["location"].rsplit("/", 1)[1]))
    assert created.client_type == "corporate" and created.billing_postal_code == "30303"
    assert created.email_notifications_enabled is True and created.sms_notifications_enabled is False
    assert created.assigned_sales_agent_id == me.id and created.billing_address_line2 is None


def test_new_client_form_shows_internal_fields_to_sales(client):
    _as(client)
    html = client.get("/admin/clients/new").text
    assert 'name="notes"' in html and 'name="assigned_sales_agent_id"' in html


def test_new_client_without_a_name_re_renders_with_the_error_and_adds_nothing(client):
    _as(client)
    r = form_post(client, "/admin/clients", {**ACME, "name": "  "}, page="/admin/clients/new")
    assert r.status_code == 422
    assert 'id="f-name-error"' in r.text and "This field is required." in r.text
    assert 'value="Events@Acme.example"' in r.text  # what was typed stays
    assert _count() == 0


def test_new_client_with_a_bad_phone_and_email_shows_both_errors(client):
    _as(client)
    r = form_post(client, "/admin/clients", {**ACME, "phone": "call me", "email": "nope"},
                  page="/admin/clients/new")
    assert r.status_code == 422
    assert 'id="f-phone-error"' in r.text and "Enter a phone number like" in r.text
    assert 'id="f-email-error"' in r.text
    assert _count() == 0


def test_new_client_with_a_taken_email_shows_the_conflict_on_the_email_field(client):
    make_client(name="First", email="events@acme.example")
    _as(client)
    r = form_post(client, "/admin/clients", ACME, page="/admin/clients/new")
    assert r.status_code == 409
    assert 'id="f-email-error">A client with email events@acme.example already exists.' in r.text
    assert _count() == 1


def test_new_client_with_an_unknown_sales_agent_is_refused(client):
    _as(client)
    r = form_post(client, "/admin/clients", {**ACME, "assigned_sales_agent_id": "999999"},
                  page="/admin/clients/new")
    assert r.status_code == 422 and 'id="f-assigned_sales_agent_id-error"' in r.text
    assert _count() == 0


def test_new_client_post_without_csrf_is_refused(client):
    _as(client)
    r = client.post("/admin/clients", data=ACME, follow_redirects=False)
    assert r.status_code == 403 and _count() == 0


def test_vendor_cannot_post_a_client(client):
    _as(client, "vendor")
    r = form_post(client, "/admin/clients", ACME, page="/account")
    assert r.status_code == 403 and _count() == 0


# ---------------------------------------------------------------- editing

def test_edit_form_is_filled_in_with_the_client(client):
    acme = make_client(name="Acme Tours", phone="(404) 555-0134", notes="Pays by PO")
    _as(client)
    html = client.get(f"/admin/clients/{acme.id}/edit").text
    assert 'value="Acme Tours"' in html and 'value="(404) 555-0134"' in html and "Pays by PO" in html
    assert '<option value="corporate" selected>' in html


def test_editing_a_client_saves_and_clears_fields(client):
    acme = make_client(name="Acme Tours", phone="(404) 555-0134", billing_city="Atlanta")
    _as(client)
    path = f"/admin/clients/{acme.id}/edit"
    r = form_post(client, path, {"name": "Acme Tours & Travel", "client_type": "tour_operator",
                                 "email": acme.email, "phone": "", "billing_city": "Decatur",
                                 "billing_country": "CA", "sms_notifications_enabled": "on"})
    assert r.status_code == 303 and r.headers["location"] == f"/admin/clients/{acme.id}"
    assert "Saved the changes to Acme Tours &amp; Travel." in client.get(r.headers["location"]).text
    saved = _client(acme.id)
    assert (saved.name, saved.client_type, saved.phone, saved.billing_city, saved.billing_country) == (
        "Acme Tours & Travel", "tour_operator", None, "Decatur", "CA")
    assert saved.sms_notifications_enabled is True and saved.email_notifications_enabled is False
    assert saved.is_active is True


def test_editing_with_a_blank_name_re_renders_and_changes_nothing(client):
    acme = make_client(name="Acme Tours", billing_city="Atlanta")
    _as(client)
    r = form_post(client, f"/admin/clients/{acme.id}/edit",
                  {"name": "", "client_type": "corporate", "billing_city": "Decatur",
                   "billing_country": "US"})
    assert r.status_code == 422 and 'id="f-name-error"' in r.text
    assert 'value="Decatur"' in r.text
    assert _client(acme.id).billing_city == "Atlanta"


def test_editing_to_another_clients_email_shows_the_conflict(client):
    make_client(name="First", email="taken@example.com")
    acme = make_client(name="Acme Tours", email="acme@example.com")
    _as(client)
    r = form_post(client, f"/admin/clients/{acme.id}/edit",
                  {"name": "Acme Tours", "client_type": "corporate", "email": "Taken@Example.com",
                   "billing_country": "US"})
    assert r.status_code == 409 and 'id="f-email-error"' in r.text
    assert _client(acme.id).email == "acme@example.com"


def test_dispatcher_cannot_open_the_edit_form(client):
    acme = make_client(name="Acme Tours")
    _as(client, "dispatcher")
    assert client.get(f"/admin/clients/{acme.id}/edit").status_code == 403
    r = client.get(f"/admin/clients/{acme.id}")
    assert r.status_code == 200 and "Edit client" not in r.text and "Pays by PO" not in r.text


def test_dispatcher_does_not_see_internal_fields(client):
    acme = make_client(name="Acme Tours", notes="Pays by PO")
    _as(client, "dispatcher")
    r = client.get(f"/admin/clients/{acme.id}")
    assert r.status_code == 200 and "Pays by PO" not in r.text and "Assigned sales agent" not in r.text


# ---------------------------------------------------------------- deactivating

def test_manager_deactivates_and_reactivates_a_client(client):
    acme = make_client(name="Acme Tours")
    _as(client, "manager")
    page = client.get(f"/admin/clients/{acme.id}").text
    assert "Deactivate Acme Tours" in page
    r = form_post(client, f"/admin/clients/{acme.id}/deactivate", page=f"/admin/clients/{acme.id}")
    assert r.status_code == 303
    assert "Acme Tours is deactivated" in client.get(r.headers["location"]).text
    assert _client(acme.id).is_active is False
    r = form_post(client, f"/admin/clients/{acme.id}/reactivate", page=f"/admin/clients/{acme.id}")
    assert r.status_code == 303 and _client(acme.id).is_active is True


def test_sales_agent_cannot_deactivate(client):
    acme = make_client(name="Acme Tours")
    _as(client)
    assert "Deactivate" not in client.get(f"/admin/clients/{acme.id}").text
    r = form_post(client, f"/admin/clients/{acme.id}/deactivate", page=f"/admin/clients/{acme.id}")
    assert r.status_code == 403 and _client(acme.id).is_active is True


# ---------------------------------------------------------------- contacts

def test_adding_a_contact_shows_it_on_the_client_page(client):
    acme = make_client(name="Acme Tours")
    _as(client)
    r = form_post(client, f"/admin/clients/{acme.id}/contacts",
                  {"name": "Jordan Lee", "title": "Office Manager", "email": "Jordan@Acme.example",
                   "phone": ""},
                  page=f"/admin/clients/{acme.id}")
    assert r.status_code == 303 and r.headers["location"] == f"/admin/clients/{acme.id}"
    html = client.get(r.headers["location"]).text
    assert "Jordan Lee is added as a contact." in html and "jordan@acme.example" in html
    [contact] = _client(acme.id).contacts
    assert contact.is_primary is True and contact.phone is None


def test_adding_a_contact_without_a_name_re_renders_with_the_form_open(client):
    acme = make_client(name="Acme Tours")
    _as(client)
    r = form_post(client, f"/admin/clients/{acme.id}/contacts", {"name": "", "email": "jordan@acme.example"},
                  page=f"/admin/clients/{acme.id}")
    assert r.status_code == 422
    assert "<details open>" in r.text and 'id="f-name-error"' in r.text
    assert 'value="jordan@acme.example"' in r.text
    assert _client(acme.id).contacts == []


def test_editing_a_contact_and_making_it_primary(client):
    acme = make_client(name="Acme Tours", contacts=[{"name": "Jordan Lee"}, {"name": "Casey Park"}])
    casey = acme.contacts[1]
    _as(client)
    path = f"/admin/clients/{acme.id}/contacts/{casey.id}/edit"
    assert 'value="Casey Park"' in client.get(path).text
    r = form_post(client, path, {"name": "Casey Park-Lee", "title": "Treasurer", "phone": "404-555-0199",
                                 "is_primary": "on"})
    assert r.status_code == 303
    assert "Saved the contact Casey Park-Lee." in client.get(r.headers["location"]).text
    contacts = {c.name: c for c in _client(acme.id).contacts}
    assert contacts["Casey Park-Lee"].is_primary and not contacts["Jordan Lee"].is_primary
    assert contacts["Casey Park-Lee"].title == "Treasurer"


def test_editing_a_contact_with_a_bad_email_changes_nothing(client):
    acme = make_client(name="Acme Tours", contacts=[{"name": "Jordan Lee", "email": "jordan@acme.example"}])
    contact = acme.contacts[0]
    _as(client)
    path = f"/admin/clients/{acme.id}/contacts/{contact.id}/edit"
    r = form_post(client, path, {"name": "Jordan Lee", "email": "not-an-email", "is_primary": "on"})
    assert r.status_code == 422 and 'id="f-email-error"' in r.text
    assert _client(acme.id).contacts[0].email == "jordan@acme.example"


def test_contact_of_another_client_is_404(client):
    acme = make_client(name="Acme Tours", contacts=[{"name": "Jordan Lee"}])
    other = make_client(name="Other Club")
    _as(client)
    assert client.get(f"/admin/clients/{other.id}/contacts/{acme.contacts[0].id}/edit").status_code == 404


def test_removing_a_contact(client):
    acme = make_client(name="Acme Tours", contacts=[{"name": "Jordan Lee"}, {"name": "Casey Park"}])
    jordan = acme.contacts[0]
    _as(client)
    page = client.get(f"/admin/clients/{acme.id}").text
    assert "Yes, remove Jordan Lee" in page and "The next contact becomes the primary one." in page
    r = form_post(client, f"/admin/clients/{acme.id}/contacts/{jordan.id}/delete",
                  page=f"/admin/clients/{acme.id}")
    assert r.status_code == 303
    assert "Jordan Lee is removed." in client.get(r.headers["location"]).text
    [left] = _client(acme.id).contacts
    assert left.name == "Casey Park" and left.is_primary


# ---------------------------------------------------------------- history

def test_manager_sees_the_clients_recent_changes(client):
    acme = make_client(name="Acme Tours", billing_city="Atlanta")
    _as(client, "manager", full_name="Morgan Manager")
    form_post(client, f"/admin/clients/{acme.id}/edit", {"name": "Acme Tours", "client_type": "corporate",
                                                         "email": acme.email, "billing_city": "Decatur",
                                                         "billing_country": "US",
                                                         "email_notifications_enabled": "on"})
    html = client.get(f"/admin/clients/{acme.id}").text
    assert "Recent changes" in html and "Opened" in html and "Changed" in html
    assert "<del>Atlanta</del> → <ins>Decatur</ins>" in html and "Morgan Manager" in html
    assert f'href="/admin/audit?entity_type=client&amp;entity_id={acme.id}"' in html


def test_sales_agent_without_audit_read_sees_no_history(client):
    acme = make_client(name="Acme Tours")
    _as(client)
    assert "Recent changes" not in client.get(f"/admin/clients/{acme.id}").text


def test_a_clients_page_links_to_its_documents_and_email_preferences(client):
    _as(client, role="sales_agent")
    acme = make_client(name="Acme Tours")
    html = client.get(f"/admin/clients/{acme.id}").text
    assert f'href="/admin/documents?client_id={acme.id}"' in html
    assert f'href="/admin/clients/{acme.id}/email-preferences"' in html
    assert client.get(f"/admin/documents?client_id={acme.id}").status_code == 200
    assert client.get(f"/admin/clients/{acme.id}/email-preferences").status_code == 200


def test_the_links_are_not_offered_to_a_role_without_those_permissions(client):
    from coachway.auth import service as auth_service

    with transaction() as session:
        auth_service.set_role_permissions(session, SYSTEM, "dispatcher", permissions=["clients:read"])
    _as(client, role="dispatcher")
    acme = make_client(name="Acme Tours")
    html = client.get(f"/admin/clients/{acme.id}").text
    assert "/admin/documents?client_id=" not in html and "/email-preferences" not in html
