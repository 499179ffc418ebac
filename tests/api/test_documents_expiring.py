"""Documents expiring soon (GET /api/v1/documents/expiring) and expired ones in the list."""

from datetime import UTC, date, datetime, timedelta

import pytest

from coachway.core import clock
from tests.factories import user_headers
from tests.factories_domain import client_user_headers, make_client, make_document

TODAY = date(2025, 6, 1)


@pytest.fixture(autouse=True)
def fixed_today():
    clock.set_clock(lambda: datetime(2025, 6, 1, 15, 30, tzinfo=UTC))


def _in(days: int) -> date:
    return TODAY + timedelta(days=days)


@pytest.fixture
def docs():
    acme = make_client(name="Acme Tours")
    made = {name: make_document(client_id=acme.id, file_name=f"{name}.pdf", document_category="coi",
                                expires_at=expires)
            for name, expires in [("lapsed", _in(-1)), ("today", _in(0)), ("in5", _in(5)), ("in30", _in(30)),
                                  ("in31", _in(31)), ("never", None)]}
    made["photo5"] = make_document(client_id=acme.id, file_name="photo5.pdf", document_category="photo",
                                   expires_at=_in(5))
    made["acme"] = acme
    return made


def _names(client, headers, path="/api/v1/documents/expiring", **params) -> list[str]:
    r = client.get(path, params=params, headers=headers)
    assert r.status_code == 200, r.text
    return [d["file_name"].removesuffix(".pdf") for d in r.json()["items"]]


def test_expiring_within_30_days_by_default_soonest_first(client, docs):
    assert _names(client, user_headers(client, "dispatcher")) == ["today", "in5", "photo5", "in30"]


def test_expiring_within_n_days_and_by_category(client, docs):
    headers = user_headers(client, "dispatcher")
    assert _names(client, headers, days=5, document_category="coi") == ["today", "in5"]
    assert _names(client, headers, days=31)[-1] == "in31"
    assert _names(client, headers, days=0) == ["today"]


def test_already_expired_are_listed_first_when_asked(client, docs):
    headers = user_headers(client, "dispatcher")
    assert _names(client, headers, days=5, include_expired=True) == ["lapsed", "today", "in5", "photo5"]


def test_deleted_documents_are_not_expiring(client, docs):
    headers = user_headers(client, "manager")
    client.delete(f"/api/v1/documents/{docs['in5'].id}", headers=headers)
    assert "in5" not in _names(client, headers)


def test_expiring_is_scoped_like_the_list(client, docs):
    other = make_client()
    make_document(client_id=other.id, file_name="theirs.pdf", expires_at=_in(3))
    assert "theirs" not in _names(client, client_user_headers(client, docs["acme"].id))
    assert _names(client, client_user_headers(client, other.id)) == ["theirs"]


@pytest.mark.parametrize("days", [-1, 366, "soon"])
def test_days_outside_0_to_365_is_422(client, days):
    r = client.get("/api/v1/documents/expiring", params={"days": days}, headers=user_headers(client))
    assert r.status_code == 422


def test_list_leaves_out_expired_documents_unless_asked(client, docs):
    headers = user_headers(client, "dispatcher")
    assert "lapsed" not in _names(client, headers, path="/api/v1/documents")
    assert "today" in _names(client, headers, path="/api/v1/documents")
    assert "lapsed" in _names(client, headers, path="/api/v1/documents", include_expired=True)
