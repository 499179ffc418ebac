"""Promo codes under concurrent bookings on PostgreSQL: the guarded UPDATE never lets uses pass max_uses."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from coachway.core.db import transaction
from coachway.core.errors import Conflict
from coachway.core.permissions import SYSTEM
from coachway.pricing import service
from coachway.pricing.models import PromoCodeUsage
from tests.factories_domain import make_charter, make_client, make_hub
from tests.factories_pricing import make_promo

pytestmark = pytest.mark.postgres

BOOKINGS = 50
MAX_USES = 10


@pytest.fixture(autouse=True)
def postgres_only(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL concurrency; set COACHWAY_TEST_DATABASE_URL")


def in_parallel(calls) -> list:
    """Run the calls at once (released together); each returns its outcome, errors included."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what is counted
            return exc

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _redeem(code: str, charter_id: int, client_id: int):
    """One booking applying the code, in its own transaction."""
    with transaction() as session:
        usage = service.redeem_promo(session, SYSTEM, code, charter_id=charter_id, client_id=client_id,
                                     discount_amount=Decimal("25.00"))
        return usage.id


def test_fifty_bookings_at_once_use_a_ten_use_code_exactly_ten_times():
    promo = make_promo(code="RUSH10", max_uses=MAX_USES)
    client, hub = make_client(), make_hub()
    charters = [make_charter(client_id=client.id, hub_id=hub.id) for _ in range(BOOKINGS)]
    outcomes = in_parallel([lambda c=c: _redeem("rush10", c.id, client.id) for c in charters])

    kinds = Counter("ok" if isinstance(o, int) else type(o).__name__ for o in outcomes)
    assert kinds == Counter({"ok": MAX_USES, "Conflict": BOOKINGS - MAX_USES})
    assert all(o.detail == "Promo code RUSH10 has been used up." for o in outcomes if isinstance(o, Conflict))
    with transaction() as session:
        assert service.get_promo_code(session, SYSTEM, promo.id).uses_count == MAX_USES
        rows = session.scalar(select(func.count()).select_from(PromoCodeUsage)
                              .where(PromoCodeUsage.promo_code_id == promo.id))
        assert rows == MAX_USES
        used_by = set(session.scalars(select(PromoCodeUsage.charter_id)
                                      .where(PromoCodeUsage.promo_code_id == promo.id)))
    winners = {c.id for c, o in zip(charters, outcomes, strict=True) if isinstance(o, int)}
    assert used_by == winners


def test_one_charter_redeeming_at_once_counts_one_use():
    promo = make_promo(code="TWICE", max_uses=MAX_USES)
    charter = make_charter()
    outcomes = in_parallel([lambda: _redeem("TWICE", charter.id, charter.client_id) for _ in range(8)])
    assert all(isinstance(o, int) for o in outcomes) and len(set(outcomes)) == 1
    with transaction() as session:
        assert service.get_promo_code(session, SYSTEM, promo.id).uses_count == 1
