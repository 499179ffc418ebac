"""The quote builder panel on a charter's page (amenities, promo code, breakdown, link, PDF, email, revisions)
and the client's own quote page at /q/{token} (open, accept; expired, wrong, replaced and cancelled links)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from coachway.charters import service
from coachway.core import clock
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from coachway.web.testing import csrf_from, sign_in
from tests.factories import PASSWORD, make_user
from tests.factories_domain import make_charter, make_client, make_stop, seed_dot_regulations
from tests.factories_pricing import make_amenity, make_promo, priced_setup

PANEL = {"HX-Request": "true", "HX-Target": "quote"}
TRIP = ["Atlanta, GA", "Chattanooga, TN", "Atlanta, GA"]


def _as(client, role: str = "sales_agent", **kw):
    user = make_user(role=role, **kw)
    sign_in(client, user.email, PASSWORD)
    return user


def _total(html: str) -> Decimal:
    match = re.search(r'data-total="([-\d.]+)"', html)
    assert match, "the page shows no total"
    return Decimal(match.group(1))


def _lines(html: str) -> list[Decimal]:
    return [Decimal(a) for a in re.findall(r'data-amount="([-\d.]+)"', html)]


def _act(client, charter_id: int, action: str, data: dict | None = None, *, htmx: bool = True):
    """Post one of the panel's forms (/admin/charters/{id}/quote/{action}) as the charter page would."""
    token = csrf_from(client.get(f"/admin/charters/{charter_id}").text)
    headers = {**PANEL, "X-CSRF-Token": token} if htmx else {}
    return client.post(f"/admin/charters/{charter_id}/quote/{action}", headers=headers,
                       data={**(data or {}), "csrf_token": token}, follow_redirects=False)


def _add_vehicle(charter_id: int, vehicle_type_id: int, quantity: int = 1) -> None:
    with transaction() as session:
        service.add_charter_vehicle(session, SYSTEM, charter_id, vehicle_type_id=vehicle_type_id,
                                    quantity=quantity)


def _price(charter_id: int) -> None:
    with transaction() as session:
        service.calculate_charter(session, SYSTEM, charter_id, save=True)


def _link(charter_id: int) -> dict:
    with transaction() as session:
        return service.secure_link(session, SYSTEM, charter_id)


def _charter(charter_id: int):
    with transaction() as session:
        return service.get_charter(session, SYSTEM, charter_id)


@pytest.fixture
def setup():
    seed_dot_regulations()
    hub, coach = priced_setup(hourly_rate="150.00", per_mile_rate="4.00", vendor_hourly_cost="100.00",
                              vendor_per_mile_cost="2.50")
    amenities = [make_amenity(name="Onboard Wi-Fi", base_price="75.00", pricing_type="flat_fee",
                              category="entertainment"),
                 make_amenity(name="Bottled water", base_price="2.00", pricing_type="per_passenger"),
                 make_amenity(name="Tour guide", base_price="40.00", pricing_type="per_hour",
                              category="comfort")]
    return hub, coach, amenities


@pytest.fixture
def quote(setup):
    """A routed quote with a motorcoach, assigned to a sales agent (not signed in yet)."""
    hub, coach, _ = setup
    agent = make_user(role="sales_agent", full_name="Sam Sales")
    client_row = make_client(name="Peachtree Rotary Club", email="trips@peachtree.example")
    charter = make_charter(hub_id=hub.id, client_id=client_row.id, assigned_sales_agent_id=agent.id,
                           passenger_count=40, trip_type="round_trip")
    for address in TRIP:
        make_stop(charter.id, address=address, geocode=True)
    _add_vehicle(charter.id, coach.id)
    return charter, agent


def _sign_in_agent(client, agent) -> None:
    sign_in(client, agent.email, PASSWORD)


# ---------------------------------------------------------------- the panel

def test_the_panel_shows_the_breakdown_whose_lines_add_up_to_the_total(client, quote):
    charter, agent = quote
    _price(charter.id)
    _sign_in_agent(client, agent)
    html = client.get(f"/admin/charters/{charter.id}").text
    assert 'id="quote"' in html and f"Q-{charter.id}-R1" in html
    assert "Motorcoach" in html and "Deposit" in html and "Balance" in html
    assert sum(_lines(html)) == _total(html) > 0
    assert "Onboard Wi-Fi" in html and "$75.00 flat fee" in html and "$2.00 per passenger" in html
    assert "Internal: never shown to the client" in html and "Estimated vendor cost" in html
    assert re.search(r"\(\d+\.\d%\)", html)


def test_ticking_an_amenity_returns_the_panel_with_the_new_total(client, quote, setup):
    charter, agent = quote
    _, _, (wifi, water, guide) = setup
    _price(charter.id)
    _sign_in_agent(client, agent)
    page = f"/admin/charters/{charter.id}"
    before = _total(client.get(page).text)
    r = _act(client, charter.id, f"amenities/{water.id}", {"selected": "on"})
    assert r.status_code == 200
    assert r.text.lstrip().startswith("<section") and "<html" not in r.text  # the panel alone
    assert _total(r.text) == before + Decimal("80.00")  # 40 passengers x $2.00
    assert sum(_lines(r.text)) == _total(r.text)
    assert "Added Bottled water. The total is now $" in r.text
    assert f'id="q-amenity-{water.id}" name="selected" value="on" checked' in r.text
    r = _act(client, charter.id, f"amenities/{wifi.id}", {"selected": "on", "quantity": "2"})
    assert _total(r.text) == before + Decimal("80.00") + Decimal("150.00")
    r = _act(client, charter.id, f"amenities/{water.id}", {})
    assert "Removed Bottled water." in r.text
    assert _total(r.text) == before + Decimal("150.00")
    assert _charter(charter.id).quoted_price == before + Decimal("150.00")


def test_an_amenity_quantity_out_of_range_is_shown_next_to_it(client, quote, setup):
    charter, agent = quote
    wifi = setup[2][0]
    _sign_in_agent(client, agent)
    r = _act(client, charter.id, f"amenities/{wifi.id}", {"selected": "on", "quantity": "500"})
    assert r.status_code == 422
    assert f'id="q-amenity-{wifi.id}-error"' in r.text and "from 1 to 100" in r.text
    with transaction() as session:
        assert service.list_charter_amenities(session, SYSTEM, charter.id) == []


def test_ticking_without_javascript_goes_back_to_the_page_with_a_message(client, quote, setup):
    charter, agent = quote
    guide = setup[2][2]
    _sign_in_agent(client, agent)
    page = f"/admin/charters/{charter.id}"
    r = _act(client, charter.id, f"amenities/{guide.id}", {"selected": "on"}, htmx=False)
    assert r.status_code == 303 and r.headers["location"] == f"{page}#quote"
    assert "Added Tour guide." in client.get(page).text


def test_an_invalid_promo_code_shows_its_reason_next_to_the_field(client, quote):
    charter, agent = quote
    make_promo(code="BIGTRIP", discount_value="10", min_purchase_amount="50000")
    _price(charter.id)
    _sign_in_agent(client, agent)
    r = _act(client, charter.id, "promo", {"promo_code": "BIGTRIP"})
    assert r.status_code == 422
    assert 'id="q-promo-error"' in r.text and "$50,000.00" in r.text
    assert 'aria-invalid="true"' in r.text and 'value="BIGTRIP"' in r.text
    r = _act(client, charter.id, "promo", {"promo_code": "NOSUCHCODE"})
    assert r.status_code == 422 and 'id="q-promo-error"' in r.text
    assert _charter(charter.id).promo_code_id is None


def test_an_empty_promo_code_asks_for_one(client, quote):
    charter, agent = quote
    _sign_in_agent(client, agent)
    r = _act(client, charter.id, "promo", {"promo_code": "  "})
    assert r.status_code == 422 and "Type the promo code first." in r.text


def test_a_valid_promo_code_adds_a_discount_line_and_can_be_removed(client, quote):
    charter, agent = quote
    make_promo(code="SPRING10", discount_type="percentage", discount_value="10")
    _price(charter.id)
    _sign_in_agent(client, agent)
    page = f"/admin/charters/{charter.id}"
    before = _total(client.get(page).text)
    r = _act(client, charter.id, "promo", {"promo_code": "spring10"})
    assert r.status_code == 200
    assert "Promo code SPRING10" in r.text and "discount" in r.text and "Subtotal" in r.text
    assert _total(r.text) == before - (before / 10).quantize(Decimal("0.01"))
    assert sum(_lines(r.text)) == _total(r.text)
    assert "Remove the promo code" in r.text
    r = _act(client, charter.id, "promo/remove", {})
    assert "Removed the promo code." in r.text and _total(r.text) == before
    assert "Promo code SPRING10" not in r.text


def test_recalculate_prices_a_quote_that_has_no_price_yet(client, quote):
    charter, agent = quote
    _sign_in_agent(client, agent)
    page = f"/admin/charters/{charter.id}"
    assert "Not priced yet." in client.get(page).text
    r = _act(client, charter.id, "calculate", {})
    assert r.status_code == 200 and "Priced again with the current rates" in r.text
    assert _total(r.text) == _charter(charter.id).quoted_price > 0


def test_a_quote_without_vehicles_or_stops_says_what_to_do_first(client, setup):
    hub = setup[0]
    agent = _as(client)
    charter = make_charter(hub_id=hub.id, assigned_sales_agent_id=agent.id)
    html = client.get(f"/admin/charters/{charter.id}").text
    assert "Before this quote can be priced" in html
    assert "Choose the vehicles" in html and "Add the itinerary" in html
    assert "Calculate the price" not in html and "q-promo" not in html
    make_stop(charter.id, address="Atlantis, ZZ")
    html = client.get(f"/admin/charters/{charter.id}").text
    assert "Finish the itinerary" in html


def test_calculating_without_vehicles_is_refused_in_the_panel_not_with_a_crash(client, setup):
    hub = setup[0]
    agent = _as(client)
    charter = make_charter(hub_id=hub.id, assigned_sales_agent_id=agent.id)
    r = _act(client, charter.id, "calculate", {})
    assert r.status_code == 422 and "Add at least one vehicle" in r.text and 'id="quote"' in r.text


def test_changing_the_vehicles_tells_the_panel_to_refresh(client, quote, setup):
    charter, agent = quote
    coach = setup[1]
    _sign_in_agent(client, agent)
    page = f"/admin/charters/{charter.id}"
    token = csrf_from(client.get(page).text)
    line = {"vehicle_type_id": coach.id, "quantity": "1", "csrf_token": token}
    r = client.post(f"/admin/charters/{charter.id}/vehicles", data=line,
                    headers={"HX-Request": "true", "HX-Target": "vehicles"})
    assert r.status_code == 200 and r.headers["HX-Trigger"] == "quote-changed"
    r = client.get(f"/admin/charters/{charter.id}/quote/panel", headers=PANEL)
    assert r.status_code == 200 and 'id="quote"' in r.text and "<html" not in r.text


def test_the_panel_url_without_htmx_goes_to_the_charter_page(client, quote):
    charter, agent = quote
    _sign_in_agent(client, agent)
    r = client.get(f"/admin/charters/{charter.id}/quote/panel", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/admin/charters/{charter.id}#quote"


def test_accounting_sees_the_price_but_cannot_change_it(client, quote, setup):
    charter, _ = quote
    wifi = setup[2][0]
    _price(charter.id)
    _as(client, "accounting")
    page = f"/admin/charters/{charter.id}"
    html = client.get(page).text
    assert 'id="quote"' in html and "Estimated vendor cost" in html
    assert "quote/amenities" not in html and "Recalculate" not in html and "Create revision" not in html
    r = _act(client, charter.id, f"amenities/{wifi.id}", {"selected": "on"})
    assert r.status_code == 403
    r = _act(client, charter.id, "revise", {})
    assert r.status_code == 403


def test_a_dispatcher_sees_no_margin(client, quote):
    charter, _ = quote
    _price(charter.id)
    _as(client, "dispatcher")
    html = client.get(f"/admin/charters/{charter.id}").text
    assert 'data-total="' in html
    assert "Estimated vendor cost" not in html and "Margin" not in html


def test_another_agents_quote_is_not_found_in_the_panel(client, quote, setup):
    charter, _ = quote
    wifi = setup[2][0]
    _as(client)
    r = client.get(f"/admin/charters/{charter.id}/quote/panel", headers=PANEL)
    assert r.status_code == 404
    token = csrf_from(client.get("/admin/charters").text)
    r = client.post(f"/admin/charters/{charter.id}/quote/amenities/{wifi.id}",
                    data={"selected": "on", "csrf_token": token}, headers=PANEL)
    assert r.status_code == 404


@pytest.mark.parametrize("path", ["amenities/1", "promo", "promo/remove", "calculate", "revise", "send",
                                  "pdf", "link"])
def test_client_users_cannot_post_to_the_panel(client, quote, path):
    charter, _ = quote
    _as(client, "client", client_id=charter.client_id)
    token = csrf_from(client.get("/admin").text)
    r = client.post(f"/admin/charters/{charter.id}/quote/{path}", data={"csrf_token": token, "selected": "on",
                                                                       "promo_code": "X"}, headers=PANEL)
    assert r.status_code in (403, 404)
    assert _charter(charter.id).priced_at is None and _charter(charter.id).revision_number == 1


def test_client_users_get_no_panel(client, quote):
    charter, _ = quote
    _as(client, "client", client_id=charter.client_id)
    r = client.get(f"/admin/charters/{charter.id}/quote/panel", headers=PANEL)
    assert r.status_code in (403, 404)


def test_posting_without_the_csrf_token_is_refused(client, quote, setup):
    charter, agent = quote
    wifi = setup[2][0]
    _sign_in_agent(client, agent)
    r = client.post(f"/admin/charters/{charter.id}/quote/amenities/{wifi.id}", data={"selected": "on"},
                    headers={"HX-Request": "true"})
    assert r.status_code == 403


def test_copy_client_link_shows_the_signed_address(client, quote):
    charter, agent = quote
    _price(charter.id)
    _sign_in_agent(client, agent)
    r = _act(client, charter.id, "link", {})
    assert r.status_code == 200
    url = re.search(r'id="q-client-url" type="text" readonly value="([^"]+)"', r.text).group(1)
    assert "/q/" in url and "data-copy-target" in r.text
    token = url.split("/q/", 1)[1]
    public = client.get(f"/q/{token}")
    assert public.status_code == 200 and f"Q-{charter.id}-R1" in public.text


def test_copy_client_link_before_pricing_says_to_price_first(client, quote):
    charter, agent = quote
    _sign_in_agent(client, agent)
    r = _act(client, charter.id, "link", {})
    assert r.status_code == 422 and "price before sending it." in r.text


def test_quote_pdf_is_filed_and_linked(client, quote):
    charter, agent = quote
    _price(charter.id)
    _sign_in_agent(client, agent)
    r = _act(client, charter.id, "pdf", {})
    assert r.status_code == 200
    href = re.search(r'href="(/admin/documents/\d+/download)"', r.text).group(1)
    download = client.get(href)
    assert download.status_code == 200 and download.content.startswith(b"%PDF")


def test_emailing_the_quote_says_who_it_went_to(client, quote):
    from tests.factories_domain import seed_templates

    seed_templates()
    charter, agent = quote
    _price(charter.id)
    _sign_in_agent(client, agent)
    page = f"/admin/charters/{charter.id}"
    r = _act(client, charter.id, "send", {})
    assert r.status_code == 200 and "Emailed the quote to trips@peachtree.example." in r.text
    assert "Emailed " in client.get(page).text  # the panel remembers it was sent


def test_emailing_a_client_who_turned_email_off_says_why(client, setup):
    from tests.factories_domain import seed_templates

    seed_templates()
    hub, coach, _ = setup
    agent = _as(client)
    quiet = make_client(name="Quiet Club", email="quiet@example.com", email_notifications_enabled=False)
    charter = make_charter(hub_id=hub.id, client_id=quiet.id, assigned_sales_agent_id=agent.id)
    for address in TRIP:
        make_stop(charter.id, address=address, geocode=True)
    _add_vehicle(charter.id, coach.id)
    _price(charter.id)
    r = _act(client, charter.id, "send", {})
    assert r.status_code == 200 and "Not emailed to quiet@example.com" in r.text
    assert "turned off email notifications" in r.text


def test_create_revision_goes_to_the_new_revision_and_the_old_one_says_superseded(client, quote):
    charter, agent = quote
    _price(charter.id)
    _sign_in_agent(client, agent)
    page = f"/admin/charters/{charter.id}"
    r = _act(client, charter.id, "revise", {})
    new_url = r.headers["HX-Redirect"]
    new_id = int(re.search(r"/admin/charters/(\d+)", new_url).group(1))
    assert new_id != charter.id
    html = client.get(f"/admin/charters/{new_id}").text
    assert f"Q-{new_id}-R2" in html and "Revision 2 is open" in html
    assert f'href="/admin/charters/{charter.id}#quote">Revision 1</a>' in html
    old = client.get(page).text
    assert "Superseded by" in old and f'href="/admin/charters/{new_id}#quote">revision 2</a>' in old
    assert "quote/amenities" not in old and "Recalculate" not in old and "Create revision" not in old
    assert "Copy client link" not in old


def test_the_panel_shows_the_clients_acceptance(client, quote):
    charter, agent = quote
    _price(charter.id)
    token = _link(charter.id)["token"]
    with transaction() as session:
        service.accept_quote(session, token, ip="203.0.113.9", user_agent="Firefox", name="Pat Client")
    _sign_in_agent(client, agent)
    html = client.get(f"/admin/charters/{charter.id}").text
    assert "The client accepted this quote" in html and "203.0.113.9" in html


# ---------------------------------------------------------------- the client's page

@pytest.fixture
def link(quote):
    charter, _ = quote
    _price(charter.id)
    return charter, _link(charter.id)


def test_the_client_opens_the_quote_without_signing_in(client, link):
    charter, found = link
    r = client.get(f"/q/{found['token']}")
    assert r.status_code == 200
    html = r.text
    assert f"Q-{charter.id}-R1" in html and "Peachtree Rotary Club" in html
    assert "Chattanooga, TN" in html and "Motorcoach" in html
    assert sum(_lines(html)) == _total(html) > 0
    assert "Deposit to book" in html and "Balance" in html and "Valid until" in html
    assert "I accept this quote and its terms" in html and 'name="csrf_token"' in html
    assert "vendor" not in html.lower() and "margin" not in html.lower()
    assert 'class="site-nav"' not in html and "/admin" not in html
    assert "noindex" in r.headers.get("X-Robots-Tag", "")


def test_a_signed_in_staff_member_sees_the_clients_page_without_navigation(client, link):
    _, found = link
    _as(client, "manager")
    html = client.get(f"/q/{found['token']}").text
    assert 'class="site-nav"' not in html and "Estimated vendor cost" not in html


def test_an_expired_link_is_gone(client, link):
    _, found = link
    later = found["expires_at"] + timedelta(minutes=1)
    clock.set_clock(lambda: later)
    r = client.get(f"/q/{found['token']}")
    assert r.status_code == 410 and "This quote has expired" in r.text


def test_a_tampered_link_is_not_found(client, link):
    _, found = link
    token = found["token"]
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    r = client.get(f"/q/{tampered}")
    assert r.status_code == 404 and "This quote link does not work" in r.text


GARBAGE = ["garbage", "a.b.c", "x" * 5000, "%E2%9C%93-%F0%9F%9A%8C", "abc%2Fdef", "abc/def",
           "..%2F..%2Fetc%2Fpasswd", "%00", "%20", "eyJhbGciOiJub25lIn0.e30."]


@pytest.mark.parametrize("token", GARBAGE)
def test_garbage_links_are_not_found_never_a_crash(client, token):
    r = client.get(f"/q/{token}")
    assert r.status_code == 404
    assert "This quote link does not work" in r.text


def test_the_bare_link_address_is_not_found(client):
    r = client.get("/q/")
    assert r.status_code == 404 and "This quote link does not work" in r.text


def test_a_superseded_link_names_the_new_revision_but_not_its_link(client, link):
    charter, found = link
    with transaction() as session:
        new = service.revise_quote(session, SYSTEM, charter.id)
        new_id = new.id
    r = client.get(f"/q/{found['token']}")
    assert r.status_code == 410
    assert "replaced by a newer version, revision 2; ask your agent for the new link" in r.text
    assert f"/admin/charters/{new_id}" not in r.text and "/q/" not in r.text


def test_a_cancelled_quotes_link_is_gone(client, link):
    charter, found = link
    with transaction() as session:
        service.cancel_charter(session, SYSTEM, charter.id, cancellation_reason="Trip called off")
    r = client.get(f"/q/{found['token']}")
    assert r.status_code == 410 and "This quote was cancelled" in r.text


def _accept(client, token: str, data: dict):
    csrf = csrf_from(client.get(f"/q/{token}").text)
    return client.post(f"/q/{token}/accept", data={**data, "csrf_token": csrf}, follow_redirects=False,
                       headers={"User-Agent": "QuoteTest/1.0"})


def test_the_client_accepts_once_and_sees_the_acceptance_again(client, link):
    charter, found = link
    token = found["token"]
    r = _accept(client, token, {"signer_name": "Pat Client", "agree": "on"})
    assert r.status_code == 303 and r.headers["location"] == f"/q/{token}#accepted"
    html = client.get(r.headers["location"]).text
    assert "Accepted on " in html and "your agent will be in touch about the deposit" in html
    assert "I accept this quote and its terms" not in html
    first = _charter(charter.id)
    assert first.quote_accepted_at is not None and first.quote_accepted_user_agent == "QuoteTest/1.0"
    assert first.quote_accepted_ip and first.status == "booked"
    csrf = csrf_from(client.get("/login").text)
    again = {"signer_name": "Pat Again", "agree": "on", "csrf_token": csrf}
    r = client.post(f"/q/{token}/accept", data=again, follow_redirects=False)
    assert r.status_code == 303
    assert _charter(charter.id).quote_accepted_at == first.quote_accepted_at
    assert "Accepted on " in client.get(f"/q/{token}").text


def test_accepting_needs_a_name_and_the_box_ticked(client, link):
    charter, found = link
    r = _accept(client, found["token"], {"signer_name": " "})
    assert r.status_code == 422
    assert "Type your full name to sign." in r.text and "Tick the box to accept" in r.text
    assert _charter(charter.id).quote_accepted_at is None


def test_accepting_without_the_pages_csrf_token_is_refused(client, link):
    charter, found = link
    r = client.post(f"/q/{found['token']}/accept", data={"signer_name": "Pat", "agree": "on"})
    assert r.status_code == 403
    assert _charter(charter.id).quote_accepted_at is None


def test_accepting_through_a_superseded_link_is_refused(client, link):
    charter, found = link
    csrf = csrf_from(client.get(f"/q/{found['token']}").text)
    with transaction() as session:
        service.revise_quote(session, SYSTEM, charter.id)
    sent = {"signer_name": "Pat", "agree": "on", "csrf_token": csrf}
    r = client.post(f"/q/{found['token']}/accept", data=sent)
    assert r.status_code == 410 and "revision 2" in r.text
    assert _charter(charter.id).quote_accepted_at is None


def test_accepting_through_a_garbage_link_is_not_found(client):
    csrf = csrf_from(client.get("/login").text)
    r = client.post("/q/garbage/accept", data={"signer_name": "Pat", "agree": "on", "csrf_token": csrf})
    assert r.status_code == 404 and "This quote link does not work" in r.text


def test_a_refused_promo_code_without_javascript_shows_the_whole_page_with_the_reason(client, quote):
    charter, agent = quote
    _sign_in_agent(client, agent)
    r = _act(client, charter.id, "promo", {"promo_code": "NOSUCHCODE"}, htmx=False)
    assert r.status_code == 422
    assert "<html" in r.text and 'id="route"' in r.text and 'id="q-promo-error"' in r.text


def test_a_client_user_unticking_an_amenity_is_refused(client, quote, setup):
    charter, _ = quote
    wifi = setup[2][0]
    _as(client, "client", client_id=charter.client_id)
    token = csrf_from(client.get("/admin").text)
    r = client.post(f"/admin/charters/{charter.id}/quote/amenities/{wifi.id}", data={"csrf_token": token},
                    headers=PANEL)
    assert r.status_code == 403
