"""Orders for dashboard tests, built directly: one order, lines at the given stock records.

Going through basket and checkout would test checkout; these tests are about who may see
and change an order once it exists, so a paid order with lines (partner set) is enough.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.utils import timezone
from oscar.core.loading import get_model

Order = get_model("order", "Order")
Line = get_model("order", "Line")
ShippingAddress = get_model("order", "ShippingAddress")
Country = get_model("address", "Country")

_numbers = itertools.count(100001)


def order_with_lines(*, user, stockrecords, quantity: int = 1, status: str = "paid") -> Order:
    address = ShippingAddress.objects.create(
        first_name="李四",
        line1="新路湾镇 12 号",
        region_id="331123102209",
        phone_number="+8613812345678",
        country=Country.objects.get(iso_3166_1_a2="CN"),
    )
    total = sum((sr.price * quantity for sr in stockrecords), Decimal("0.00"))
    order = Order.objects.create(
        number=str(next(_numbers)),
        site_id=1,
        user=user,
        currency="CNY",
        total_incl_tax=total,
        total_excl_tax=total,
        shipping_incl_tax=Decimal("0.00"),
        shipping_excl_tax=Decimal("0.00"),
        shipping_method="快递",
        shipping_code="express",
        shipping_address=address,
        status=status,
        date_placed=timezone.now(),
    )
    for sr in stockrecords:
        price = sr.price * quantity
        Line.objects.create(
            order=order,
            partner=sr.partner,
            partner_name=sr.partner.name,
            partner_sku=sr.partner_sku,
            stockrecord=sr,
            product=sr.product,
            title=sr.product.get_title(),
            quantity=quantity,
            line_price_incl_tax=price,
            line_price_excl_tax=price,
            line_price_before_discounts_incl_tax=price,
            line_price_before_discounts_excl_tax=price,
            unit_price_incl_tax=sr.price,
            unit_price_excl_tax=sr.price,
            status=status,
            num_allocated=quantity,
        )
    return order


def stockrecord(product):
    return product.stockrecords.get()
