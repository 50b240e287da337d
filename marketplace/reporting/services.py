"""Building the daily sales facts from orders and refunds, in SQL.

Rules (the 数商兴农 figures depend on them; tests/reporting/test_facts.py checks each):
- A sale counts on the local date (settings.REPORTING_TIME_ZONE, Asia/Shanghai) its order was
  placed. Orders awaiting payment or cancelled are not sales; every other status is
  (paid, processing, shipped, delivered, completed, partially_refunded, refunded).
- GMV (成交额) is the lines' price after discounts (``line_price_incl_tax``); shipping fees are
  not agricultural sales and are left out. Refunds (退款) are the refund lines' amounts and are
  counted on the day of the sale they return, so a day's net (GMV − refunds) is what that day's
  sales finally brought; a refund made later rebuilds that day (tasks.facts_build_recent).
- The category of a line is its product's primary category: the lowest category id of the
  product (of its parent, for a variant), so a product in several categories is counted once.
- The channel is live when the line was bought in a live session (``Line.live_session``),
  else the storefront.
- Buyer region: county and town of the order's shipping address (12-digit codes; blank
  town when the address is above town level).
- Origin: the county and town of the selling cooperative's village; a county's figures
  (数商兴农, the analyst's scope) are the sales of its cooperatives, wherever the buyer lives.
  A poverty-area (脱贫地区) sale is a sale of a cooperative marked ``poverty_area``.
- ``orders``, ``units``, ``buyers``: distinct orders, units bought and distinct signed-in buyers
  within the row. Distinct counts do not add up across rows (a buyer of two cooperatives is one
  buyer): OrderFact keeps each day's orders and buyers by the filtered dimensions, and
  selectors count distinct orders and buyers of a period there.

SalesRollup is SalesFact of the same day summed without product and buyer region (built from
the fresh SalesFact rows in the same transaction), for every figure but top products.

The build is one ``INSERT … SELECT … GROUP BY`` per day and table: no order line is loaded into
Python, so memory does not grow with the number of lines.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.reporting.cache import facts_changed
from marketplace.reporting.models import FactDay, OrderFact, SalesFact, SalesRollup

SALE_STATUSES = ("paid", "processing", "shipped", "delivered", "completed",
                 "partially_refunded", "refunded")
MAX_RANGE_DAYS = 366 * 50


def local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(getattr(settings, "REPORTING_TIME_ZONE", "Asia/Shanghai"))


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants [start, end) of a local day."""
    zone = local_zone()
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start, end


def local_day(instant: dt.datetime) -> dt.date:
    return instant.astimezone(local_zone()).date()


def _tables() -> dict[str, str]:
    q = connection.ops.quote_name
    models = {
        "fact": SalesFact, "order_fact": OrderFact, "rollup": SalesRollup,
        "line": get_model("order", "Line"),
        "order": get_model("order", "Order"), "address": get_model("order", "ShippingAddress"),
        "product": get_model("catalogue", "Product"),
        "product_category": get_model("catalogue", "ProductCategory"),
        "cooperative": get_model("cooperatives", "Cooperative"),
        "refund_line": get_model("payments", "RefundLine"),
    }
    return {name: q(model._meta.db_table) for name, model in models.items()}


def _lines_sql(t: dict[str, str], statuses: str) -> str:
    """One row per sold order line of the day, with every dimension worked out."""
    return f"""
            SELECT l.order_id, o.user_id, l.product_id, c.id AS cooperative_id,
                   l.live_session_id,
                   (SELECT MIN(pc.category_id) FROM {t['product_category']} pc
                     WHERE pc.product_id = COALESCE(p.parent_id, p.id)) AS category_id,
                   CASE WHEN c.village_id IS NULL THEN ''
                        ELSE SUBSTR(c.village_id, 1, 6) || '000000' END AS origin_county,
                   CASE WHEN c.village_id IS NULL THEN ''
                        ELSE SUBSTR(c.village_id, 1, 9) || '000' END AS origin_town,
                   COALESCE(c.poverty_area, FALSE) AS poverty_area,
                   CASE WHEN a.region_id IS NULL THEN ''
                        ELSE SUBSTR(a.region_id, 1, 6) || '000000' END AS county,
                   CASE WHEN a.region_id IS NULL OR SUBSTR(a.region_id, 7, 3) = '000' THEN ''
                        ELSE SUBSTR(a.region_id, 1, 9) || '000' END AS town,
                   CAST(ROUND(l.line_price_incl_tax * 100) AS BIGINT) AS gmv,
                   COALESCE((SELECT SUM(rl.amount_fen) FROM {t['refund_line']} rl
                              WHERE rl.line_id = l.id), 0) AS refund,
                   l.quantity
            FROM {t['line']} l
            JOIN {t['order']} o ON o.id = l.order_id
            LEFT JOIN {t['address']} a ON a.id = o.shipping_address_id
            LEFT JOIN {t['cooperative']} c ON c.partner_id = l.partner_id
            LEFT JOIN {t['product']} p ON p.id = l.product_id
            WHERE o.date_placed >= %s AND o.date_placed < %s AND o.status IN ({statuses})
    """  # noqa: S608  # nosec B608


def _build_sql() -> str:
    t = _tables()
    statuses = ", ".join(["%s"] * len(SALE_STATUSES))
    # Only quoted table names from the models go into the text; values are parameters.
    return f"""
        INSERT INTO {t['fact']} (day, product_id, cooperative_id, category_id, live_session_id,
                                 origin_county, origin_town, poverty_area,
                                 buyer_county, buyer_town, gmv_fen, refund_fen, orders,
                                 units, buyers)
        SELECT %s, s.product_id, s.cooperative_id, s.category_id, s.live_session_id,
               s.origin_county, s.origin_town, s.poverty_area, s.county, s.town,
               SUM(s.gmv), SUM(s.refund), COUNT(DISTINCT s.order_id), SUM(s.quantity),
               COUNT(DISTINCT s.user_id)
        FROM ({_lines_sql(t, statuses)}) s
        GROUP BY s.product_id, s.cooperative_id, s.category_id, s.live_session_id,
                 s.origin_county, s.origin_town, s.poverty_area, s.county, s.town
    """  # noqa: S608  # nosec B608


def _orders_sql() -> str:
    t = _tables()
    statuses = ", ".join(["%s"] * len(SALE_STATUSES))
    return f"""
        INSERT INTO {t['order_fact']} (day, order_id, buyer_id, cooperative_id, category_id,
                                       live_session_id, origin_county, origin_town)
        SELECT DISTINCT %s, s.order_id, s.user_id, s.cooperative_id, s.category_id,
               s.live_session_id, s.origin_county, s.origin_town
        FROM ({_lines_sql(t, statuses)}) s
    """  # noqa: S608  # nosec B608


ORDER_FLAGS = {  # SalesRollup column: the OrderFact columns that, with the order, make it one
    "orders_all": (),
    "orders_county": ("origin_county",),
    "orders_coop": ("cooperative_id",),
    "orders_town": ("origin_town",),
    "orders_category": ("category_id",),
    "orders_category_county": ("category_id", "origin_county"),
    "orders_session": ("live_session_id",),
    "orders_session_county": ("live_session_id", "origin_county"),
}
_ROLLUP_KEYS = ("day", "cooperative_id", "category_id", "live_session_id", "origin_county",
                "origin_town")


def rollup_sql(*, one_day: bool = True) -> str:
    """SalesFact of the day summed without product and buyer region, with OrderFact's
    first-row flags (ORDER_FLAGS) summed into the same rows: one GROUP BY over both (NULL
    keys group together, which a join would not match). ``one_day=False``: every day (the
    migration's backfill)."""
    t = _tables()
    keys = ", ".join(_ROLLUP_KEYS)
    where = "WHERE day = %s" if one_day else ""
    flags = list(ORDER_FLAGS)
    zeros = ", ".join(f"0 AS {flag}" for flag in flags)
    windows = ", ".join(
        f"CASE WHEN ROW_NUMBER() OVER (PARTITION BY {', '.join(('order_id', *cols))}) = 1 "
        f"THEN 1 ELSE 0 END AS {flag}" for flag, cols in ORDER_FLAGS.items())
    return f"""
        INSERT INTO {t['rollup']} ({keys}, poverty_area, gmv_fen, refund_fen, orders, units,
                                   {', '.join(flags)})
        SELECT {keys}, MAX(pov) = 1, SUM(gmv_fen), SUM(refund_fen), SUM(orders), SUM(units),
               {', '.join(f'SUM({flag})' for flag in flags)}
        FROM (
            SELECT {keys}, CASE WHEN poverty_area THEN 1 ELSE 0 END AS pov, gmv_fen,
                   refund_fen, orders, units, {zeros}
            FROM {t['fact']} {where}
            UNION ALL
            SELECT {keys}, 0, 0, 0, 0, 0, {windows}
            FROM {t['order_fact']} {where}
        ) u
        GROUP BY {keys}
    """  # noqa: S608  # nosec B608


def facts_build(day: dt.date) -> int:
    """Replace one day's facts from its orders and refunds; returns the number of rows.
    Idempotent; two builds of the same day wait for each other (the FactDay row lock)."""
    start, end = day_bounds(day)
    with transaction.atomic():
        FactDay.objects.get_or_create(day=day)
        FactDay.objects.select_for_update().get(day=day)
        SalesFact.objects.filter(day=day).delete()
        OrderFact.objects.filter(day=day).delete()
        SalesRollup.objects.filter(day=day).delete()
        with connection.cursor() as cursor:
            adapt = connection.ops.adapt_datetimefield_value  # SQLite keeps naive UTC text
            params = [connection.ops.adapt_datefield_value(day), adapt(start), adapt(end),
                      *SALE_STATUSES]
            cursor.execute(_build_sql(), params)
            rows = cursor.rowcount
            cursor.execute(_orders_sql(), params)
            # The rollup from the day's fresh SalesFact rows, in the same transaction.
            day_param = connection.ops.adapt_datefield_value(day)
            cursor.execute(rollup_sql(), [day_param, day_param])
        FactDay.objects.filter(day=day).update(built_at=timezone.now(), rows=rows)
        facts_changed()
    return rows


def range_check(first: dt.date, last: dt.date) -> None:
    """ValueError with a message when ``first..last`` is not a range one rebuild may take."""
    if first > last:
        raise ValueError(f"start {first} is after end {last}")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise ValueError(f"at most 50 years ({MAX_RANGE_DAYS} days) at a time")


def facts_build_range(first: dt.date, last: dt.date,
                      progress: Callable[[int, int, dt.date], None] | None = None) -> int:
    """Rebuild every day of ``first..last`` (each its own transaction); returns rows made."""
    range_check(first, last)
    total_days = (last - first).days + 1
    rows = 0
    for n in range(total_days):
        day = first + dt.timedelta(days=n)
        rows += facts_build(day)
        if progress:
            progress(n + 1, total_days, day)
    if connection.vendor == "postgresql" and total_days > 1:
        # A rebuilt range can be most of the tables; until autovacuum gets to them the
        # planner would take a year of facts for a few rows (bitmap scans, sorts on disk)
        # and every scan would step over the replaced rows (a rebuilt year: a year of them).
        # VACUUM cannot run inside a transaction (tests, a caller's atomic block).
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        tables = _tables()
        with connection.cursor() as cursor:
            for name in ("fact", "order_fact", "rollup"):
                cursor.execute(f"{command} {tables[name]}")
    return rows


def stale_days(since: dt.datetime) -> set[dt.date]:
    """Days whose sales changed since ``since`` after the day itself: a refund, or a status
    change (an old order paid late, or cancelled by staff) of one of its orders."""
    Refund = get_model("payments", "Refund")
    StatusChange = get_model("order", "OrderStatusChange")
    placed = set(Refund.objects.filter(created_at__gte=since).values_list(
        "order__date_placed", flat=True))
    placed |= set(StatusChange.objects.filter(date_created__gte=since).values_list(
        "order__date_placed", flat=True))
    return {local_day(instant) for instant in placed if instant}
