"""Template tags of traceability for other pages: the codes bound to an order's lines."""

from __future__ import annotations

from django import template

from marketplace.traceability.models import TraceCode

register = template.Library()


@register.filter
def order_trace_codes(order) -> list[dict]:
    """[{"line": line, "codes": [TraceCode, …]}, …] for the order's lines that carry codes,
    in the order's line order; one query for the whole order (its lines as already loaded)."""
    codes: dict[int, list[TraceCode]] = {}
    for code in (TraceCode.objects.filter(order_line__order_id=order.pk)
                 .only("code", "order_line_id", "batch_id", "serial")
                 .order_by("order_line_id", "batch_id", "serial")):
        codes.setdefault(code.order_line_id, []).append(code)
    if not codes:
        return []
    return [{"line": line, "codes": codes[line.pk]} for line in order.lines.all()
            if line.pk in codes]
