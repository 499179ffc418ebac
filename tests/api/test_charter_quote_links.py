"""Putting a quote before the client: its signed link (open and accept without signing in), the quote PDF and
the quote email. Every bad link is refused with the right reason and never a server error."""

import base64
import io
import json
from datetime import timedelta

import jwt
import pypdf
import pytest
from sqlalchemy import func, select

from coachway.charters import securelink
from coachway.charters.models import Charter
from coachway.core import clock
from coachway.core.db import transaction
from coachway.core.models import OutboxMessage
from coachway.notifications.models import EmailTracking, Notification
from tests.api.test_charter_quotes import ATLANTA, MACON, SAVANNAH, calculate, make_quote, read
from tests.factories import make_user, user_headers
from tests.factories_domain import audit_rows, client_user_headers, make_client


@pytest.fixture
def manager(client):
    return user_headers(client, "manager")


@pytest.fixture
def priced(client, manager):
    """A priced quote: (charter, its calculation)."""
    charter, _, _ = make_quote(stops=(ATLANTA, MACON, SAVANNAH))
    return charter, calculate(client, manager, charter.id)


def link_of(client, headers, charter_id: int) -> dict:
    r = client.get(f"/api/v1/charters/{charter_id}/secure-link", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def open_link(client, token: str):
    return client.get(f"/api/v1/quotes/{token}")


def later(days: float) -> None:
    moment = clock.now() + timedelta(days=days)
    clock.set_clock(lambda: moment)


def charter_count() -> int:
    with transaction() as session:
        return session.scalar(select(func.count()).select_from(Charter))


def emails() -> list[OutboxMessage]:
    with transaction() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "email.send")
                                    .order_by(OutboxMessage.id)))


# ---------------------------------------------------------------- the link

def test_the_link_opens_the_quote_without_signing_in(client, manager, priced):
    charter, calc = priced
    link = link_of(client, manager, charter.id)
    assert link["url"] == f"http://127.0.0.1:8000/q/{link['token']}"
    r = open_link(client, link["token"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["quote_number"] == f"Q-{charter.id}-R1" and body["client"]["name"] == "Peachtree Rotary Club"
    assert body["breakdown"]["lines"] == calc["quote"]["lines"]
    assert body["quoted_price"] == calc["quote"]["total"]
    assert [s["location_name"] for s in body["stops"]] == [ATLANTA["location_name"], MACON["location_name"],
                                                          SAVANNAH["location_name"]]
    assert body["stops"][0]["departure"].endswith(("-04:00", "-05:00"))  # hub time, not UTC
    assert body["can_accept"] is True and body["valid_until"] is not None


def test_the_link_shows_no_vendor_cost_margin_or_internal_notes(client, manager):
    charter, _, _ = make_quote(internal_notes="Client haggles; floor is $2,000")
    calculate(client, manager, charter.id)
    body = open_link(client, link_of(client, manager, charter.id)["token"]).json()
    text = json.dumps(body)
    assert "margin" not in body["breakdown"] and "estimated_vendor_cost" not in text
    assert "haggles" not in text and "internal_notes" not in body and "inputs" not in body


def test_a_link_needs_a_priced_quote(client, manager):
    charter, _, _ = make_quote()
    r = client.get(f"/api/v1/charters/{charter.id}/secure-link", headers=manager)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "quoted_price"


def test_the_link_expires_after_the_configured_days(client, manager, priced):
    charter, _ = priced
    token = link_of(client, manager, charter.id)["token"]
    later(13.9)
    assert open_link(client, token).status_code == 200
    later(0.2)
    r = open_link(client, token)
    assert r.status_code == 410 and r.json()["reason"] == "expired"
    assert r.headers["content-type"].startswith("application/problem+json")
    assert client.post(f"/api/v1/quotes/{token}/accept").json()["reason"] == "expired"
    # (the manager's sign-in has ended too, two weeks later)
    assert read(client, user_headers(client, "manager"), charter.id)["status"] == "quote"


def test_a_tampered_link_is_refused(client, manager, priced):
    charter, _ = priced
    other, _, _ = make_quote()
    calculate(client, manager, other.id)
    header, payload, signature = link_of(client, manager, charter.id)["token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = str(other.id)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    r = open_link(client, f"{header}.{forged}.{signature}")
    assert r.status_code == 404 and r.json()["reason"] == "invalid"


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "...", "x" * 5000, "%00", "eyJhbGciOi",
                                   "null", "0", "-1", "é😀", "' OR 1=1 --"])
def test_garbage_links_are_404_never_a_server_error(client, token):
    r = open_link(client, token)
    assert r.status_code == 404 and r.json()["reason"] == "invalid"
    assert client.post(f"/api/v1/quotes/{token}/accept").status_code == 404


def test_a_truncated_link_is_refused(client, manager, priced):
    token = link_of(client, manager, priced[0].id)["token"]
    for cut in (token[:-1], token[:-10], token[: len(token) // 2], token.rsplit(".", 1)[0]):
        assert open_link(client, cut).status_code == 404


def test_an_unsigned_alg_none_link_is_refused(client, manager, priced):
    charter, _ = priced
    real = jwt.decode(link_of(client, manager, charter.id)["token"], options={"verify_signature": False})
    unsigned = jwt.encode(real, key=None, algorithm="none")
    assert open_link(client, unsigned).status_code == 404
    assert client.post(f"/api/v1/quotes/{unsigned}/accept").status_code == 404
    assert read(client, manager, charter.id)["status"] == "quote"


def test_a_link_signed_with_another_key_is_refused(client, manager, priced):
    charter, _ = priced
    real = jwt.decode(link_of(client, manager, charter.id)["token"], options={"verify_signature": False})
    other = securelink.sign(charter_id=charter.id, revision=1, nonce=real["nonce"],
                            expires_at=clock.now() + timedelta(days=1), secret="someone-elses-secret")
    assert open_link(client, other).status_code == 404


def test_a_link_with_the_wrong_nonce_is_refused(client, manager, priced):
    charter, _ = priced
    link_of(client, manager, charter.id)
    forged = securelink.sign(charter_id=charter.id, revision=1, nonce="guessed",
                             expires_at=clock.now() + timedelta(days=1))
    assert open_link(client, forged).status_code == 404


def test_a_link_to_an_unknown_charter_is_refused(client):
    forged = securelink.sign(charter_id=999_999, revision=1, nonce="n",
                             expires_at=clock.now() + timedelta(days=1))
    assert open_link(client, forged).status_code == 404


def test_a_revised_quotes_link_says_which_revision_replaced_it(client, manager, priced):
    charter, _ = priced
    token = link_of(client, manager, charter.id)["token"]
    assert client.post(f"/api/v1/charters/{charter.id}/revise", headers=manager).status_code == 201
    r = open_link(client, token)
    assert r.status_code == 410 and r.json()["reason"] == "superseded" and r.json()["newer_revision"] == 2
    assert "revision 2" in r.json()["detail"]
    assert client.post(f"/api/v1/quotes/{token}/accept").json()["reason"] == "superseded"


def test_a_cancelled_quotes_link_says_so(client, manager, priced):
    charter, _ = priced
    token = link_of(client, manager, charter.id)["token"]
    client.post(f"/api/v1/charters/{charter.id}/cancel", json={"cancellation_reason": "Trip called off"},
                headers=manager)
    r = open_link(client, token)
    assert r.status_code == 410 and r.json()["reason"] == "cancelled"


def test_new_links_keep_working_side_by_side(client, manager, priced):
    charter, _ = priced
    first, second = link_of(client, manager, charter.id), link_of(client, manager, charter.id)
    assert open_link(client, first["token"]).status_code == 200
    assert open_link(client, second["token"]).status_code == 200


def test_a_booked_quote_refuses_a_new_link(client, manager, priced):
    charter, _ = priced
    client.post(f"/api/v1/charters/{charter.id}/book", headers=manager)
    assert client.get(f"/api/v1/charters/{charter.id}/secure-link", headers=manager).status_code == 409


def test_roles_without_send_quote_may_not_make_links(client, manager, priced):
    charter, _ = priced
    for role in ("dispatcher", "accounting"):
        r = client.get(f"/api/v1/charters/{charter.id}/secure-link", headers=user_headers(client, role))
        assert r.status_code == 403
    headers = client_user_headers(client, charter.client_id)
    assert client.get(f"/api/v1/charters/{charter.id}/secure-link", headers=headers).status_code == 403


# ---------------------------------------------------------------- accepting

def test_accepting_records_time_address_and_browser_and_books_the_quote(client, manager, priced):
    charter, _ = priced
    token = link_of(client, manager, charter.id)["token"]
    r = client.post(f"/api/v1/quotes/{token}/accept", json={"name": "Dana Whitfield"},
                    headers={"User-Agent": "Mozilla/5.0 (Quote test)"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "booked" and body["quote_accepted_at"] and body["booked_at"]
    saved = read(client, manager, charter.id)
    assert saved["status"] == "booked" and saved["booked_at"] and saved["quote_accepted_at"]
    view = client.get(f"/api/v1/charters/{charter.id}/quote", headers=manager).json()
    assert view["accepted"]["ip"] == "testclient"
    assert view["accepted"]["user_agent"] == "Mozilla/5.0 (Quote test)"
    rows = audit_rows(client, user_headers(client, "admin"), entity_type="charter", entity_id=str(charter.id))
    [accept] = [row for row in rows if row["action"] == "accept_quote"]
    assert accept["actor_id"] is None and accept["ip_address"] == "testclient"
    assert accept["new_values"]["accepted_by_name"] == "Dana Whitfield"
    assert [row["action"] for row in rows if row["action"] == "book"] == ["book"]


def test_accepting_twice_returns_the_same_acceptance_and_books_once(client, manager, priced):
    charter, _ = priced
    token = link_of(client, manager, charter.id)["token"]
    first = client.post(f"/api/v1/quotes/{token}/accept").json()
    second = client.post(f"/api/v1/quotes/{token}/accept", headers={"User-Agent": "Other"})
    assert second.status_code == 200 and second.json() == first
    rows = audit_rows(client, user_headers(client, "admin"), entity_type="charter", entity_id=str(charter.id))
    assert [row["action"] for row in rows].count("book") == 1
    assert [row["action"] for row in rows].count("accept_quote") == 1


def test_an_accepted_quote_stays_readable_through_its_link(client, manager, priced):
    charter, _ = priced
    token = link_of(client, manager, charter.id)["token"]
    client.post(f"/api/v1/quotes/{token}/accept")
    body = open_link(client, token).json()
    assert body["status"] == "booked" and body["accepted"]["at"] and body["can_accept"] is False
    assert "ip" not in body["accepted"]


def test_a_very_long_user_agent_is_cut_to_500_characters(client, manager, priced):
    charter, _ = priced
    token = link_of(client, manager, charter.id)["token"]
    client.post(f"/api/v1/quotes/{token}/accept", headers={"User-Agent": "A" * 5000})
    view = client.get(f"/api/v1/charters/{charter.id}/quote", headers=manager).json()
    assert view["accepted"]["user_agent"] == "A" * 500


@pytest.mark.parametrize("body", [{"name": 5}, {"name": "x" * 201}, {"nom": "Dana"}, [1, 2]])
def test_a_malformed_acceptance_is_422_and_nothing_is_booked(client, manager, priced, body):
    charter, _ = priced
    token = link_of(client, manager, charter.id)["token"]
    assert client.post(f"/api/v1/quotes/{token}/accept", json=body).status_code == 422
    assert read(client, manager, charter.id)["status"] == "quote"


# ---------------------------------------------------------------- the PDF

def pdf_text(client, headers, document_id: int) -> str:
    r = client.get(f"/api/v1/documents/{document_id}/download", headers=headers)
    assert r.status_code == 200
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(r.content)).pages)


def test_the_quote_pdf_shows_number_client_total_and_every_stop(client, manager, priced):
    charter, calc = priced
    r = client.post(f"/api/v1/charters/{charter.id}/quote-pdf", headers=manager)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["document_category"] == "quote" and doc["file_name"] == f"quote-Q-{charter.id}-R1.pdf"
    assert doc["charter_id"] == charter.id and doc["client_id"] == charter.client_id
    text = pdf_text(client, manager, doc["id"])
    total = f"${float(calc['quote']['total']):,.2f}"
    assert f"Q-{charter.id}-R1" in text and "Peachtree Rotary Club" in text and total in text
    for stop in (ATLANTA, MACON, SAVANNAH):
        assert stop["location_name"] in text
    assert "margin" not in text.lower()


def test_the_client_can_download_its_quote_pdf(client, manager, priced):
    charter, _ = priced
    doc = client.post(f"/api/v1/charters/{charter.id}/quote-pdf", headers=manager).json()
    headers = client_user_headers(client, charter.client_id)
    assert f"Q-{charter.id}-R1" in pdf_text(client, headers, doc["id"])
    other = client_user_headers(client, make_client().id)
    assert client.get(f"/api/v1/documents/{doc['id']}/download", headers=other).status_code == 404


def test_an_unpriced_quote_has_no_pdf(client, manager):
    charter, _, _ = make_quote()
    assert client.post(f"/api/v1/charters/{charter.id}/quote-pdf", headers=manager).status_code == 422


# ---------------------------------------------------------------- sending

def test_sending_emails_the_link_tracked_and_files_the_pdf(client, manager, priced):
    charter, calc = priced
    r = client.post(f"/api/v1/charters/{charter.id}/send-quote", headers=manager)
    assert r.status_code == 200, r.text
    sent = r.json()
    assert sent["status"] == "queued" and sent["suppressed"] is False and sent["quote_sent_at"]
    [msg] = emails()
    assert msg.payload["to"] == sent["recipient"] and sent["url"] in msg.payload["text"]
    assert f"Q-{charter.id}-R1" in msg.payload["subject"]
    with transaction() as session:
        tracking = session.get(EmailTracking, msg.payload["email_tracking_id"])
        assert tracking.charter_id == charter.id and tracking.links == [sent["url"]]
    assert f"/t/c/{tracking.tracking_token}" in msg.payload["html"]
    assert open_link(client, sent["url"].rsplit("/q/", 1)[1]).status_code == 200
    assert read(client, manager, charter.id)["quote_sent_at"] == sent["quote_sent_at"]
    docs = client.get("/api/v1/documents", params={"charter_id": charter.id}, headers=manager).json()
    assert [d["document_category"] for d in docs["items"]] == ["quote"]


def test_sending_twice_sends_two_emails_and_keeps_one_charter(client, manager, priced):
    charter, _ = priced
    count = charter_count()
    for _ in range(2):
        assert client.post(f"/api/v1/charters/{charter.id}/send-quote", headers=manager).status_code == 200
    assert len(emails()) == 2 and charter_count() == count
    assert read(client, manager, charter.id)["revision_number"] == 1


def test_sending_to_another_address(client, manager, priced):
    charter, _ = priced
    r = client.post(f"/api/v1/charters/{charter.id}/send-quote", json={"to": "Planner@Example.com"},
                    headers=manager)
    assert r.status_code == 200 and r.json()["recipient"] == "planner@example.com"


@pytest.mark.parametrize("body", [{"to": "not-an-email"}, {"to": 5}, {"cc": "a@b.co"}])
def test_a_bad_recipient_is_422_and_nothing_is_sent(client, manager, priced, body):
    charter, _ = priced
    r = client.post(f"/api/v1/charters/{charter.id}/send-quote", json=body, headers=manager)
    assert r.status_code == 422 and emails() == []
    assert read(client, manager, charter.id)["quote_sent_at"] is None


def test_a_client_who_turned_quote_emails_off_is_not_sent_one(client, manager, priced):
    charter, _ = priced
    admin = user_headers(client, "admin")
    r = client.put(f"/api/v1/email-preferences/{charter.client_id}", json={"automated_quotes_enabled": False},
                   headers=admin)
    assert r.status_code == 200, r.text
    sent = client.post(f"/api/v1/charters/{charter.id}/send-quote", headers=manager).json()
    assert sent["suppressed"] is True and sent["status"] == "suppressed" and sent["suppressed_reason"]
    assert emails() == [] and sent["quote_sent_at"] is None
    with transaction() as session:
        assert session.scalar(select(Notification.status).where(Notification.charter_id == charter.id)) \
            == "suppressed"


def test_an_unpriced_quote_cannot_be_sent(client, manager):
    charter, _, _ = make_quote()
    r = client.post(f"/api/v1/charters/{charter.id}/send-quote", headers=manager)
    assert r.status_code == 422 and emails() == []


def test_an_agent_sends_its_own_quote_with_its_name_and_not_anothers(client, priced):
    from tests.factories import login

    agent = make_user(role="sales_agent", full_name="Sam Rivera")
    charter, _, _ = make_quote(assigned_sales_agent_id=agent.id)
    headers = login(client, agent.email)
    calculate(client, headers, charter.id)
    assert client.post(f"/api/v1/charters/{charter.id}/send-quote", headers=headers).status_code == 200
    assert "Sam Rivera" in emails()[0].payload["text"]
    other = login(client, make_user(role="sales_agent").email)
    assert client.post(f"/api/v1/charters/{priced[0].id}/send-quote", headers=other).status_code == 404
