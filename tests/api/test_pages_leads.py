"""Lead pages: the list and its filters, entering a lead, a lead's page (status, timeline, follow-up email,
reassigning, editing), converting to a quote, the pipeline's move endpoint and the round-robin queue; who
may see what, and forms that fail."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from coachway.core import clock
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from coachway.sales import service
from coachway.sales.models import Lead, LeadActivity
from coachway.web.testing import csrf_from, form_post, sign_in
from tests.factories import PASSWORD, make_user
from tests.factories_domain import make_client, seed_templates
from tests.factories_pricing import priced_setup
from tests.factories_sales import in_days, make_agent, make_lead

JSON = {"Accept": "application/json"}


@pytest.fixture(autouse=True)
def fixed_now():
    clock.set_clock(lambda: datetime(2026, 3, 2, 15, 0, tzinfo=UTC))


def _as(client, role: str = "manager", user=None, **kw):
    if user is None:
        if role == "client":
            kw.setdefault("client_id", make_client().id)
        user = make_user(role=role, **kw)
    sign_in(client, user.email, PASSWORD)
    return user


def _lead(lead_id: int) -> Lead:
    with transaction() as session:
        lead = session.get(Lead, lead_id)
        session.expunge(lead)
    return lead


def _count_leads() -> int:
    with transaction() as session:
        return session.query(Lead).count()


def _token(client) -> str:
    return csrf_from(client.get("/admin/leads/new").text)


def _move(client, lead_id: int, status: str, *, json: bool = True, **data):
    token = csrf_from(client.get(f"/admin/leads/{lead_id}").text)
    return client.post(f"/admin/leads/{lead_id}/move", data={"status": status, "csrf_token": token, **data},
                       headers=JSON if json else {}, follow_redirects=False)


# ---------------------------------------------------------------- who may see what

def test_every_lead_page_renders_for_a_manager(client):
    agent, _ = make_agent()
    lead = make_lead(company="Northside Choir", origin="Atlanta, GA", destination="Savannah, GA",
                     passenger_count=40, trip_date=in_days(20), estimated_value=Decimal("8000"))
    _as(client)
    html = client.get("/admin/leads").text
    for text in ("Leads", "Dana", "Northside Choir", "Atlanta, GA → Savannah, GA", "40 pax", agent.full_name,
                 "New lead", 'name="agent"', "Hot only", "Received from"):
        assert text in html, text
    for path, texts in ((f"/admin/leads/{lead.id}", ("Contact", "Trip", "Score", "Recency", "Engagement",
                                                     "Reassign", "Convert to quote", "Log activity",
                                                     "Send follow-up email", "Mark contacted",
                                                     "Mark as lost")),
                        ("/admin/leads/new", ("New lead", "Enter the lead", "Automatic (existing client")),
                        ("/admin/leads/pipeline", ("Pipeline", "New", "Contacted", "Qualified", "Quoted",
                                                   "Converted", "Lost", "Move to…", "Sortable.min.js")),
                        ("/admin/leads/assignment", ("Lead assignment", agent.full_name, "Next up",
                                                     "Save the queue", "Add to the queue")),
                        (f"/admin/leads/{lead.id}/convert", ("Convert", "A new client will be created"))):
        r = client.get(path)
        assert r.status_code == 200, path
        for text in texts:
            assert text in r.text, (path, text)
    assert 'href="/admin/leads"' in client.get("/admin").text


def test_every_lead_page_renders_for_an_agent_on_their_own_lead(client):
    agent, _ = make_agent()
    lead = make_lead(trip_date=in_days(10), passenger_count=12)
    assert lead.assigned_to == agent.id
    _as(client, user=agent)
    assert "Dana" in client.get("/admin/leads").text
    detail = client.get(f"/admin/leads/{lead.id}")
    assert detail.status_code == 200 and "(you)" in detail.text and "Reassign" not in detail.text
    assert client.get("/admin/leads/new").status_code == 200
    assert client.get("/admin/leads/pipeline").status_code == 200
    queue = client.get("/admin/leads/assignment")
    assert queue.status_code == 200 and "Save the queue" not in queue.text
    assert "Only managers change the queue" in queue.text
    assert client.get(f"/admin/leads/{lead.id}/convert").status_code == 200


def test_an_agent_does_not_see_another_agents_lead(client):
    make_agent()
    theirs = make_lead()
    other = make_user(role="sales_agent")
    _as(client, user=other)
    assert "Dana" not in client.get("/admin/leads").text
    assert client.get(f"/admin/leads/{theirs.id}").status_code == 404
    assert client.get(f"/admin/leads/{theirs.id}/convert").status_code == 404
    token = csrf_from(client.get("/admin/leads/new").text)
    r = client.post(f"/admin/leads/{theirs.id}/move", data={"status": "contacted", "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 404 and _lead(theirs.id).status == "new"


def test_an_agent_cannot_edit_the_queue(client):
    agent, _ = make_agent()
    _as(client, user=agent)
    token = csrf_from(client.get("/admin/leads/new").text)
    r = client.post("/admin/leads/assignment", data={"csrf_token": token, "user_id": str(agent.id)},
                    follow_redirects=False)
    assert r.status_code == 403


@pytest.mark.parametrize("role", ["dispatcher", "client", "accounting"])
def test_roles_without_leads_get_the_403_page(client, role):
    _as(client, role)
    for path in ("/admin/leads", "/admin/leads/new", "/admin/leads/pipeline", "/admin/leads/assignment"):
        r = client.get(path)
        assert r.status_code == 403, path
    assert 'href="/admin/leads"' not in client.get("/account").text


def test_signed_out_visitors_are_sent_to_sign_in(client):
    r = client.get("/admin/leads", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


# ---------------------------------------------------------------- the list

def test_list_filters_search_and_hot(client):
    make_agent()
    hot = make_lead(first_name="Hattie", trip_date=in_days(5), estimated_value=Decimal("10000"),
                    company="Big Band")
    cold = make_lead(first_name="Colin", source="online")
    _as(client)
    assert "Hattie" in client.get("/admin/leads?hot=1").text
    assert "Colin" not in client.get("/admin/leads?hot=1").text
    page = client.get("/admin/leads?q=big+band").text
    assert "Hattie" in page and "Colin" not in page
    page = client.get("/admin/leads?source=online").text
    assert "Colin" in page and "Hattie" not in page
    page = client.get("/admin/leads?sort=score&status=open&recent=1").text
    assert page.index("Hattie") < page.index("Colin")
    assert 'class="hot-badge"' in page
    partial = client.get("/admin/leads?q=colin", headers={"HX-Request": "true", "HX-Target": "lead-results"})
    assert "Colin" in partial.text and "<html" not in partial.text
    bad = client.get("/admin/leads?date_from=2026-03-10&date_to=2026-03-01")
    assert bad.status_code == 200 and "The end date is before the start date." in bad.text
    assert cold and hot


def test_an_overdue_follow_up_is_marked(client):
    make_agent()
    lead = make_lead()
    with transaction() as session:
        session.get(Lead, lead.id).next_follow_up = clock.now() - timedelta(days=2)
    _as(client)
    row = re.search(rf'<tr id="lead-{lead.id}".*?</tr>', client.get("/admin/leads").text, re.S).group(0)
    assert "overdue" in row
    assert f'id="lead-{lead.id}"' in client.get("/admin/leads?follow_up=overdue").text


# ---------------------------------------------------------------- entering a lead

def test_a_manager_enters_a_lead_and_it_goes_round_robin(client):
    agent, _ = make_agent()
    _as(client)
    r = form_post(client, "/admin/leads", {
        "source": "phone", "first_name": "Avery", "last_name": "Stone", "email": "Avery@Example.org",
        "phone": "404-555-0100", "company": "Northside Choir", "origin": "Atlanta, GA",
        "destination": "Savannah, GA", "passenger_count": "40", "trip_date": str(in_days(30)),
        "follow_up_date": str(in_days(1)), "follow_up_time": "10:30"}, page="/admin/leads/new")
    assert r.status_code == 303
    lead_id = int(re.search(r"/admin/leads/(\d+)$", r.headers["location"]).group(1))
    page = client.get(r.headers["location"]).text
    assert f"Lead entered and assigned to {agent.full_name} (round robin)." in page
    lead = _lead(lead_id)
    assert lead.assigned_to == agent.id and lead.email == "avery@example.org"
    # 10:30 in New York (EST on March 3rd) is 15:30 UTC.
    assert lead.next_follow_up.astimezone(UTC).replace(tzinfo=None) == datetime.combine(
        in_days(1), datetime.min.time()).replace(hour=15, minute=30)


def test_an_agent_whose_lead_goes_to_someone_else_lands_on_the_list(client):
    make_agent()
    entering = make_user(role="sales_agent")
    _as(client, user=entering)
    r = form_post(client, "/admin/leads", {"source": "email", "first_name": "Bo", "last_name": "Lin",
                                           "email": "bo@example.org"}, page="/admin/leads/new")
    assert r.status_code == 303 and r.headers["location"] == "/admin/leads"
    assert "Lead entered and assigned to" in client.get("/admin/leads").text


def test_with_nobody_in_the_queue_the_flash_says_it_waits(client):
    _as(client)
    r = form_post(client, "/admin/leads", {"source": "email", "first_name": "Bo", "last_name": "Lin",
                                           "email": "bo@example.org"}, page="/admin/leads/new")
    assert "waits for a manager" in client.get(r.headers["location"]).text


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"first_name": ""}, "first_name", "This field is required."),
    ({"email": "not-an-email"}, "email", "email"),
    ({"passenger_count": "lots"}, "passenger_count", "Enter a whole number."),
    ({"trip_date": "2020-01-01"}, "trip_date", "The trip date has passed."),
    ({"follow_up_time": "10:00"}, "follow_up_date", "Give the date of the follow-up too."),
    ({"follow_up_date": "2020-01-01"}, "follow_up_date", "Choose a follow-up time from now on."),
])
def test_a_bad_lead_form_is_shown_again_with_its_errors_and_nothing_is_created(client, change, field,
                                                                               message):
    make_agent()
    _as(client)
    data = {"source": "phone", "first_name": "Avery", "last_name": "Stone", "email": "avery@example.org",
            "company": "Kept Co", **change}
    r = form_post(client, "/admin/leads", data, page="/admin/leads/new")
    assert r.status_code == 422
    assert f'id="f-{field}"' in r.text and 'aria-invalid="true"' in r.text
    assert message in r.text and 'value="Kept Co"' in r.text
    assert _count_leads() == 0


# ---------------------------------------------------------------- moving through the pipeline

def test_move_along_the_pipeline_and_refuse_an_illegal_move_with_409(client):
    make_agent()
    lead = make_lead()
    _as(client)
    r = _move(client, lead.id, "qualified")
    assert r.status_code == 200 and r.json()["ok"] and r.json()["status"] == "qualified"
    assert ["contacted", "Contacted"] in r.json()["allowed"]
    assert _move(client, lead.id, "quoted").json()["status"] == "quoted"
    r = _move(client, lead.id, "contacted")
    assert r.status_code == 409 and r.json()["ok"] is False
    assert "A quoted lead cannot become contacted" in r.json()["message"]
    assert _lead(lead.id).status == "quoted"
    r = _move(client, lead.id, "converted")
    assert r.status_code == 409 and "Convert to quote" in r.json()["message"]


def test_a_refused_move_from_the_pipeline_form_shows_the_board_with_the_reason(client):
    make_agent()
    lead = make_lead()
    _as(client)
    _move(client, lead.id, "quoted")
    r = _move(client, lead.id, "new", json=False, next="pipeline")
    assert r.status_code == 409 and "That move could not be made" in r.text and "Pipeline" in r.text
    assert "A quoted lead cannot become new" in r.text


def test_lost_needs_a_reason(client):
    make_agent()
    lead = make_lead()
    _as(client)
    r = _move(client, lead.id, "lost")
    assert r.status_code == 422 and "Say why" in r.json()["message"]
    r = _move(client, lead.id, "lost", json=False)
    assert r.status_code == 422 and "Say why the lead was lost." in r.text and "Mark lost" in r.text
    r = _move(client, lead.id, "lost", json=False, next="pipeline")
    assert r.status_code == 303 and r.headers["location"] == f"/admin/leads/{lead.id}?lose=1#status"
    assert _lead(lead.id).status == "new"
    r = _move(client, lead.id, "lost", json=False, lost_reason="Went with a rival")
    assert r.status_code == 303
    page = client.get(f"/admin/leads/{lead.id}").text
    assert "Lost: Went with a rival" in page and "Reopen as new" in page


def test_the_pipeline_shows_counts_values_and_cards_by_agent(client):
    first, _ = make_agent()
    second, _ = make_agent()
    a = make_lead(first_name="Ann", estimated_value=Decimal("1500"))
    b = make_lead(first_name="Ben", estimated_value=Decimal("2500"))
    assert (a.assigned_to, b.assigned_to) == (first.id, second.id)
    _as(client)
    html = client.get("/admin/leads/pipeline").text
    new_column = re.search(r'<section class="stage stage-new".*?</section>', html, re.S).group(0)
    assert 'data-count="2"' in new_column and "$4,000" in new_column
    assert "Ann" in new_column and "Ben" in new_column
    html = client.get(f"/admin/leads/pipeline?agent={first.id}").text
    assert "Ann" in html and "Ben" not in html


# ---------------------------------------------------------------- a lead's page

def test_logging_a_call_with_a_follow_up_shows_on_the_timeline(client):
    make_agent()
    lead = make_lead()
    _as(client)
    r = form_post(client, f"/admin/leads/{lead.id}/activities",
                  {"activity_type": "call", "description": "Talked about dates",
                   "follow_up_date": str(in_days(2)), "follow_up_time": "09:15"},
                  page=f"/admin/leads/{lead.id}")
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert "Logged the call." in page and "Talked about dates" in page and "New → Contacted." in page
    assert "09:15" in page
    got = _lead(lead.id)
    assert got.status == "contacted" and got.contact_count == 1
    system = re.search(r'<li class="timeline-item system type-created.*?</li>', page, re.S)
    assert system and "system" in system.group(0)


def test_a_note_without_words_is_refused_and_nothing_is_logged(client):
    make_agent()
    lead = make_lead()
    _as(client)
    r = form_post(client, f"/admin/leads/{lead.id}/activities", {"activity_type": "note"},
                  page=f"/admin/leads/{lead.id}")
    assert r.status_code == 422 and "Write the note." in r.text
    with transaction() as session:
        assert session.query(LeadActivity).filter_by(lead_id=lead.id, activity_type="note").count() == 0


def test_a_follow_up_email_that_is_suppressed_says_why(client):
    seed_templates()
    make_agent()
    quiet = make_client(email="quiet@example.org")
    manager = _as(client)
    with transaction() as session:
        from coachway.notifications.service.preferences import update_preferences

        update_preferences(session, SYSTEM, quiet.id, automated_followups_enabled=False)
    lead = make_lead(email="quiet@example.org")
    r = form_post(client, f"/admin/leads/{lead.id}/follow-up-email", {"subject": "Hi", "message": "Hello"},
                  page=f"/admin/leads/{lead.id}")
    assert r.status_code == 303
    assert "The email was not sent:" in client.get(r.headers["location"]).text
    sent = make_lead()
    r = form_post(client, f"/admin/leads/{sent.id}/follow-up-email", {"subject": "Hi", "message": "Hello"},
                  page=f"/admin/leads/{sent.id}")
    assert f"Emailed {sent.email}." in client.get(r.headers["location"]).text
    assert manager


def test_a_follow_up_email_without_a_message_is_refused(client):
    make_agent()
    lead = make_lead()
    _as(client)
    r = form_post(client, f"/admin/leads/{lead.id}/follow-up-email", {"subject": "Hi"},
                  page=f"/admin/leads/{lead.id}")
    assert r.status_code == 422 and 'id="f-mail-message"' in r.text and 'aria-invalid="true"' in r.text


def test_a_manager_reassigns_a_lead(client):
    make_agent()
    other, _ = make_agent(in_queue=False)
    lead = make_lead()
    _as(client)
    r = form_post(client, f"/admin/leads/{lead.id}/assign", {"assigned_to": str(other.id), "note": "Holiday"},
                  page=f"/admin/leads/{lead.id}")
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert f"The lead is now {other.full_name}&#39;s." in page and "by hand" in page
    assert _lead(lead.id).assigned_to == other.id


def test_editing_keeps_an_overdue_follow_up_and_clears_blank_fields(client):
    make_agent()
    lead = make_lead(company="Old Co", origin="Macon, GA")
    overdue = clock.now() - timedelta(days=1, seconds=17)
    with transaction() as session:
        session.get(Lead, lead.id).next_follow_up = overdue
    _as(client)
    page = client.get(f"/admin/leads/{lead.id}").text
    data = {name: value for name, value in re.findall(
        r'<input id="f-edit-(\w+)" name="\w+" type="\w+" value="([^"]*)"', page)}
    data |= {"source": "phone", "company": "New Co", "origin": ""}
    r = form_post(client, f"/admin/leads/{lead.id}", data, page=f"/admin/leads/{lead.id}")
    assert r.status_code == 303, r.text
    got = _lead(lead.id)
    assert got.company == "New Co" and got.origin is None
    assert got.next_follow_up.replace(tzinfo=UTC) == overdue


def test_a_bad_edit_changes_nothing(client):
    make_agent()
    lead = make_lead(company="Old Co")
    _as(client)
    r = form_post(client, f"/admin/leads/{lead.id}", {"source": "phone", "first_name": "", "last_name": "X",
                                                      "email": lead.email, "company": "New Co"},
                  page=f"/admin/leads/{lead.id}")
    assert r.status_code == 422 and 'id="f-edit-first_name"' in r.text
    assert _lead(lead.id).company == "Old Co"


# ---------------------------------------------------------------- converting to a quote

def test_converting_creates_a_priced_charter_and_opens_it(client):
    hub, vtype = priced_setup()
    make_agent()
    lead = make_lead(company="Northside Choir", origin="Atlanta, GA", destination="Savannah, GA",
                     passenger_count=40, trip_date=in_days(30), hub_id=hub.id, vehicle_type="Motorcoach")
    _as(client)
    form = client.get(f"/admin/leads/{lead.id}/convert").text
    assert f'<option value="{hub.id}" selected>' in form and f'<option value="{vtype.id}" selected>' in form
    assert "A new client will be created from this lead: Northside Choir" in form
    r = form_post(client, f"/admin/leads/{lead.id}/convert",
                  {"hub_id": str(hub.id), "trip_type": "round_trip", "trip_date": str(in_days(30)),
                   "pickup_time": "08:00", "passenger_count": "40", "vehicle_type_id": str(vtype.id)},
                  page=f"/admin/leads/{lead.id}/convert")
    assert r.status_code == 303
    charter_id = int(re.search(r"^/admin/charters/(\d+)$", r.headers["location"]).group(1))
    page = client.get(r.headers["location"]).text
    assert f"Converted to quote {charter_id} for a new client." in page
    got = _lead(lead.id)
    assert got.status == "converted" and got.converted_to_charter_id == charter_id
    detail = client.get(f"/admin/leads/{lead.id}").text
    assert f'href="/admin/charters/{charter_id}"' in detail and "Convert to quote" not in detail
    assert client.get(f"/admin/leads/{lead.id}/convert").status_code == 409


def test_converting_without_a_trip_date_is_refused_and_changes_nothing(client):
    hub, _ = priced_setup()
    make_agent()
    lead = make_lead(passenger_count=20)
    _as(client)
    r = form_post(client, f"/admin/leads/{lead.id}/convert", {"hub_id": str(hub.id), "trip_type": "one_way"},
                  page=f"/admin/leads/{lead.id}/convert")
    assert r.status_code == 422 and "Give the trip date" in r.text
    assert _lead(lead.id).status == "new"


# ---------------------------------------------------------------- the queue

def _queue_ids() -> list[int]:
    with transaction() as session:
        return [e.user_id for e in service.get_queue(session, SYSTEM)]


def test_saving_the_queue_reorders_pauses_and_caps(client):
    a, _ = make_agent()
    b, _ = make_agent()
    c, _ = make_agent()
    _as(client)
    page = client.get("/admin/leads/assignment").text
    token = csrf_from(page)
    # Rows sent in the dragged order, and the turn boxes renumbered to match.
    r = client.post("/admin/leads/assignment", follow_redirects=False, data={
        "csrf_token": token, "user_id": [str(c.id), str(a.id), str(b.id)],
        f"position_{c.id}": "1", f"position_{a.id}": "2", f"position_{b.id}": "3",
        f"active_{c.id}": "on", f"active_{a.id}": "on", f"cap_{a.id}": "5", "action": "save"})
    assert r.status_code == 303
    assert "Saved the round-robin queue." in client.get(r.headers["location"]).text
    assert _queue_ids() == [c.id, a.id, b.id]
    with transaction() as session:
        entries = {e.user_id: e for e in service.get_queue(session, SYSTEM)}
    assert entries[a.id].max_daily_leads == 5 and entries[b.id].is_active is False


def test_queue_buttons_move_remove_and_add_without_javascript(client):
    a, _ = make_agent()
    b, _ = make_agent()
    newcomer, _ = make_agent(in_queue=False)
    _as(client)
    base = {"user_id": [str(a.id), str(b.id)], f"active_{a.id}": "on", f"active_{b.id}": "on"}
    r = form_post(client, "/admin/leads/assignment", {**base, "action": f"down:{a.id}"})
    assert r.status_code == 303 and _queue_ids() == [b.id, a.id]
    base["user_id"] = [str(b.id), str(a.id)]
    page = client.get("/admin/leads/assignment").text
    assert newcomer.full_name in page
    form_post(client, "/admin/leads/assignment", {**base, "action": "add", "add_user_id": str(newcomer.id)})
    assert _queue_ids() == [b.id, a.id, newcomer.id]
    form_post(client, "/admin/leads/assignment", {**base, "action": f"remove:{b.id}"})
    assert _queue_ids() == [a.id]


def test_a_bad_cap_is_refused_and_the_queue_is_unchanged(client):
    a, _ = make_agent()
    b, _ = make_agent()
    _as(client)
    r = form_post(client, "/admin/leads/assignment", {
        "user_id": [str(b.id), str(a.id)], f"cap_{a.id}": "-3", "action": "save"})
    assert r.status_code == 422
    assert f"Daily cap of {a.full_name}" in r.text and "Enter a number of at least 0." in r.text
    assert _queue_ids() == [a.id, b.id]
