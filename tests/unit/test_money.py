"""Money is Decimal, rounded half-up to the cent in one place."""

from decimal import Decimal

import pytest

from coachway.core.money import to_money


@pytest.mark.parametrize(("given", "expected"), [
    ("10.005", "10.01"), ("10.004", "10.00"), ("-2.345", "-2.35"), (7, "7.00"), (Decimal("0.1") * 3, "0.30"),
])
def test_amounts_round_half_up_to_cents(given, expected):
    assert to_money(given) == Decimal(expected)
    assert to_money(given).as_tuple().exponent == -2


def test_a_float_is_refused():
    with pytest.raises(TypeError):
        to_money(0.1)
