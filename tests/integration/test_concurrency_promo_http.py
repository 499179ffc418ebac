"""A promo code under parallel requests on PostgreSQL: fifty quotes race for a code with ten uses; exactly
ten get it, the other forty are refused with 409, and the code counts ten uses, never more."""

from collections import Counter

import pytest
from sqlalchemy import select

from coachway.core.db import transaction
from coachway.pricing.models import PromoCode, PromoCodeUsage
from tests.api.test_charter_quotes import make_quote
from tests.factories import user_headers
from tests.factories_pricing import make_promo, priced_setup
from tests.integration.parallel import allow_threads, in_parallel

pytestmark = pytest.mark.postgres

QUOTES = 50
USES = 10


@pytest.fixture(autouse=True)
def postgres_only(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL row locks; set COACHWAY_TEST_DATABASE_URL")


@pytest.fixture
def server_threads(client):
    """Threads enough for every request at once."""
    allow_threads(client, 2 * QUOTES)


def test_fifty_quotes_racing_for_a_ten_use_code_get_exactly_ten_uses(client, server_threads):
    manager = user_headers(client, "manager")
    setup = priced_setup()
    quotes = [make_quote(setup=setup)[0] for _ in range(QUOTES)]
    make_promo(code="TENONLY", max_uses=USES)
    calls = [lambda q=q: client.put(f"/api/v1/charters/{q.id}/promo-code", json={"code": "TENONLY"},
                                    headers=manager) for q in quotes]
    responses = in_parallel(calls)
    assert Counter(r.status_code for r in responses) == Counter({200: USES, 409: QUOTES - USES}), \
        [r.text for r in responses if r.status_code not in (200, 409)]
    with transaction() as session:
        promo = session.scalar(select(PromoCode).where(PromoCode.code == "TENONLY"))
        users = set(session.scalars(select(PromoCodeUsage.charter_id)
                                    .where(PromoCodeUsage.promo_code_id == promo.id)))
    assert promo.uses_count == USES
    winners = {q.id for q, r in zip(quotes, responses, strict=True) if r.status_code == 200}
    assert users == winners
    for q, r in zip(quotes, responses, strict=True):
        charter = client.get(f"/api/v1/charters/{q.id}", headers=manager).json()
        assert (charter["promo_code_id"] == promo.id) == (r.status_code == 200)
