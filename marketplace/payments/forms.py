"""Validation of what staff type into the dashboard refund form (退款)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.payments.money import from_fen, to_fen
from marketplace.payments.services import LineRefund

# Generous but bounded: a bigger number is refused by the field, never reaches Decimal maths.
AMOUNT_MAX_DIGITS = 12
_LINE_FIELD = re.compile(r"^(?:qty|amount)_(.+)$")


@dataclass(frozen=True)
class RefundableLine:
    """One order line as the refund page shows it: what was paid and what is left."""

    line: object
    paid_fen: int
    refunded_qty: int
    refunded_fen: int

    @property
    def left_qty(self) -> int:
        return max(self.line.quantity - self.refunded_qty, 0)

    @property
    def left_fen(self) -> int:
        return max(self.paid_fen - self.refunded_fen, 0)

    @property
    def paid(self) -> Decimal:
        return from_fen(self.paid_fen)

    @property
    def refunded(self) -> Decimal:
        return from_fen(self.refunded_fen)

    @property
    def left(self) -> Decimal:
        return from_fen(self.left_fen)

    @property
    def refundable(self) -> bool:
        return self.left_fen > 0

    def default_fen(self, quantity: int) -> int:
        """The amount of ``quantity`` units when staff leave the amount blank.

        The line's share of what was paid (so a discounted line refunds what the buyer paid,
        not the list price); the last units take everything left, so rounding never
        strands a fen.
        """
        if quantity >= self.left_qty:
            return self.left_fen
        share = (self.paid_fen * quantity + self.line.quantity // 2) // self.line.quantity
        return min(share, self.left_fen)


def refundable_lines(lines, refunded: dict[int, tuple[int, int]]) -> list[RefundableLine]:
    """``refunded`` is services.line_refunded() of the same lines."""
    rows = []
    for line in lines:
        qty, fen = refunded.get(line.pk, (0, 0))
        rows.append(RefundableLine(line=line, paid_fen=to_fen(line.line_price_incl_tax),
                                   refunded_qty=qty, refunded_fen=fen))
    return rows


class RefundForm(forms.Form):
    """One quantity and one amount per line the user may refund, and a reason.

    A line is chosen by a quantity above zero or an amount; a blank amount means the paid
    share of the quantity. The limits here come from a read before the lock: the service
    checks them again under the order's lock, so a refund made meanwhile still caps this one.
    """

    reason = forms.CharField(label=_("退款原因"), max_length=200, strip=True,
                             widget=forms.TextInput(attrs={"maxlength": 200,
                                                           "class": "form-control"}))

    def __init__(self, *args, rows: list[RefundableLine], **kwargs):
        super().__init__(*args, **kwargs)
        self.all_rows = list(rows)
        self.rows = [row for row in rows if row.refundable]
        for row in self.rows:
            pk = row.line.pk
            self.fields[f"qty_{pk}"] = forms.IntegerField(
                label=_("数量"), required=False, min_value=0, max_value=row.left_qty,
                widget=forms.NumberInput(attrs={"min": 0, "max": row.left_qty, "step": 1,
                                                "class": "form-control"}),
            )
            self.fields[f"amount_{pk}"] = forms.DecimalField(
                label=_("金额（元）"), required=False, max_digits=AMOUNT_MAX_DIGITS,
                decimal_places=2, min_value=Decimal("0.01"), max_value=row.left,
                widget=forms.NumberInput(attrs={"min": "0.01", "max": row.left, "step": "0.01",
                                                "class": "form-control"}),
            )
        # Move the reason after the line fields, where the page shows it.
        self.fields["reason"] = self.fields.pop("reason")

    def table(self):
        """(row, quantity field, amount field) per line, the fields None once nothing is left."""
        return [
            (row, self[f"qty_{row.line.pk}"], self[f"amount_{row.line.pk}"]) if row.refundable
            else (row, None, None)
            for row in self.all_rows
        ]

    def clean(self):
        cleaned = super().clean()
        if self.data:
            allowed = {str(row.line.pk) for row in self.rows}
            for key in self.data:
                match = _LINE_FIELD.match(key)
                if match and match.group(1) not in allowed:
                    # A line of another order or cooperative, or one with nothing left.
                    raise forms.ValidationError(
                        _("只能退本订单中自己合作社、且尚未退完的订单行。"), code="foreign_line")
        if self.errors:
            return cleaned
        items = []
        for row in self.rows:
            pk = row.line.pk
            quantity = cleaned.get(f"qty_{pk}") or 0
            amount = cleaned.get(f"amount_{pk}")
            if amount is None:
                if quantity == 0:
                    continue
                fen = row.default_fen(quantity)
                if fen <= 0:
                    self.add_error(f"amount_{pk}", _("这一行已没有可退金额。"))
                    continue
            else:
                fen = to_fen(amount)
            items.append(LineRefund(line_id=pk, quantity=quantity, amount_fen=fen))
        if not items and not self.errors:
            raise forms.ValidationError(_("请至少为一行填写退款数量或金额。"), code="empty")
        cleaned["lines"] = items
        return cleaned
