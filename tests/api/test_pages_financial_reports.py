"""The financial report pages: AR aging with links down to charters, AP aging down to bills, the dashboard,
the other reports, downloads, and who may see them."""

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from coachway.core import clock
from coachway.web.testing import sign_in
from tests.api.test_financial_reports import REPORTS, _world
from tests.factories import PASSWORD, make_user

D = date(2025, 3, 31)


@pytest.fixture
def client(app):
    clock.set_clock(lambda: datetime(2025, 6, 30, 16, 0, tzinfo=UTC))
    with TestClient(app) as c:
        yield c


@pytest.fixture
def signed_in(client):
    user = make_user(role="accounting")
    sign_in(client, user.email, PASSWORD)
    return client


def test_ar_aging_amounts_lead_to_their_charters(signed_in):
    w = _world()
    page = signed_in.get(f"/admin/reports/ar-aging?as_of={D.isoformat()}")
    assert page.status_code == 200
    assert "Acme Tours" in page.text and "$1,340.00" in page.text
    link = re.search(r'href="(/admin/reports/ar-aging/charters\?[^"]*bucket=d1_30[^"]*)"', page.text).group(1)
    detail = signed_in.get(link.replace("&amp;", "&"))
    assert detail.status_code == 200
    assert f'href="/admin/charters/{w["partly"].id}"' in detail.text
    assert f'href="/admin/charters/{w["departed"].id}"' in detail.text
    assert f'href="/admin/charters/{w["paid"].id}"' not in detail.text


def test_ap_aging_amounts_lead_to_their_bills(signed_in):
    _world()
    page = signed_in.get(f"/admin/reports/ap-aging?as_of={D.isoformat()}")
    assert page.status_code == 200 and "Blue Line Coaches" in page.text
    link = re.search(r'href="(/admin/reports/ap-aging/bills\?[^"]*bucket=d1_30[^"]*)"', page.text).group(1)
    bills = signed_in.get(link.replace("&amp;", "&"))
    assert bills.status_code == 200 and "$300.00" in bills.text


def test_the_dashboard_shows_its_figures_and_charts(signed_in):
    _world()
    page = signed_in.get(f"/admin/reports/financial-dashboard?as_of={D.isoformat()}")
    assert page.status_code == 200
    assert 'data-metric="open_ar"' in page.text and "$1,340.00" in page.text
    assert page.text.count("<svg") >= 3


@pytest.mark.parametrize("name", [n for n in REPORTS if n not in ("ar-aging", "ap-aging")])
def test_every_other_report_has_a_page(signed_in, name):
    _world()
    page = signed_in.get(f"/admin/reports/financial/{name}?as_of={D.isoformat()}")
    assert page.status_code == 200, page.text
    assert "<tfoot>" in page.text


def test_the_page_downloads_as_excel(signed_in):
    _world()
    r = signed_in.get(f"/admin/reports/ar-aging?as_of={D.isoformat()}&format=xlsx")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == "Acme Tours" and rows[-1][0] == "Total"


def test_a_bad_day_on_a_page_is_explained(signed_in):
    r = signed_in.get("/admin/reports/ar-aging?as_of=yesterday")
    assert r.status_code == 422


def test_an_unknown_report_is_not_found(signed_in):
    assert signed_in.get("/admin/reports/financial/nothing").status_code == 404


def test_a_dispatcher_is_refused(client):
    user = make_user(role="dispatcher")
    sign_in(client, user.email, PASSWORD)
    assert client.get("/admin/reports/ar-aging").status_code == 403
    assert client.get("/admin/reports/financial-dashboard").status_code == 403


def test_today_is_the_default_and_the_future_is_refused(signed_in):
    assert "As of June 30, 2025" in signed_in.get("/admin/reports/ar-aging").text
    assert signed_in.get(f"/admin/reports/ar-aging?as_of={(D + timedelta(days=100)).isoformat()}"
                         ).status_code == 422
