"""Money at the provider boundary: our Decimal yuan to and from integer fen, never floats."""

from __future__ import annotations

from decimal import Decimal

CENT = Decimal("0.01")


def to_fen(amount: Decimal) -> int:
    """¥12.34 → 1234; refuses anything that is not a whole number of fen."""
    if not isinstance(amount, Decimal):
        raise TypeError("money must be a Decimal")
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of fen")
    return int(fen)


def from_fen(fen: int) -> Decimal:
    """1234 → Decimal('12.34')."""
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise TypeError("fen must be an int")
    return (Decimal(fen) / 100).quantize(CENT)
