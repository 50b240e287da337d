"""Yuan ↔ fen at the provider boundary: exact, integer, never a float."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.payments.money import from_fen, to_fen

yuan = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999999.99"), places=2,
                   allow_nan=False, allow_infinity=False)


@given(yuan)
def test_to_fen_and_back_is_exact(amount):
    fen = to_fen(amount)

    assert type(fen) is int
    assert from_fen(fen) == amount


@pytest.mark.parametrize(("amount", "fen"), [
    (Decimal("0.00"), 0), (Decimal("0.01"), 1), (Decimal("39.90"), 3990),
    (Decimal("0.10"), 10), (Decimal("1234567.89"), 123456789), (Decimal("12"), 1200),
])
def test_known_amounts(amount, fen):
    assert to_fen(amount) == fen


@pytest.mark.parametrize("bad", [Decimal("0.001"), Decimal("19.995")])
def test_fractions_of_a_fen_are_refused(bad):
    with pytest.raises(ValueError, match="whole number of fen"):
        to_fen(bad)


@pytest.mark.parametrize("bad", [39.9, 3990, "39.90"])
def test_only_decimals_go_in(bad):
    with pytest.raises(TypeError):
        to_fen(bad)


@pytest.mark.parametrize("bad", [39.9, "3990", True])
def test_only_ints_come_back(bad):
    with pytest.raises(TypeError):
        from_fen(bad)
