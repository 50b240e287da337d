"""Reading the sales facts: every figure of the sales dashboard and the 数商兴农 report.

Queries run on the fact tables only, never on order lines: SalesRollup (no product or buyer
region, a few rows per cooperative and day) for every sum but top products, SalesFact for top
products, OrderFact for distinct orders and buyers. Each public figure is memoized until the
next fact build (cache.py). Each takes a ``Scope``
(whose figures: a county, a cooperative, or everything for platform staff) and ``Filters``
(period, town, category, channel). Money is in fen (int); shares are floats in 0..1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.db import connections
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from oscar.core.loading import get_model

from marketplace.regions.models import Region
from marketplace.reporting.cache import cached_figure
from marketplace.reporting.models import AnalystScope, OrderFact, SalesFact, SalesRollup
from marketplace.reporting.services import day_bounds

STORE, LIVE = "store", "live"
CHANNELS = (STORE, LIVE)
DAILY_SERIES_MAX_DAYS = 92  # longer periods are drawn month by month


@dataclass(frozen=True)
class Scope:
    """Whose sales a user reads. ``county``: a 12-digit county code ("" = every county, for
    platform staff); ``cooperative_ids``: the cooperatives of their staff (empty = all)."""

    county: str = ""
    cooperative_ids: tuple[int, ...] = ()
    staff: bool = False

    @property
    def is_cooperative(self) -> bool:
        return bool(self.cooperative_ids)


@dataclass(frozen=True)
class Filters:
    first: dt.date
    last: dt.date
    town: str = ""  # a 12-digit town code of the scope's county (the cooperatives' town)
    category_id: int | None = None  # with its subcategories
    channel: str = ""  # "", STORE or LIVE

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def scope_for_user(user) -> Scope | None:
    """The scope of a signed-in user, or None when they may not read sales figures."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_staff:
        return Scope(staff=True)
    county = (AnalystScope.objects.filter(user=user).values_list("county_id", flat=True)
              .first())
    if county:
        return Scope(county=county)
    Cooperative = get_model("cooperatives", "Cooperative")
    coops = tuple(Cooperative.objects.filter(partner__users=user).order_by("pk")
                  .values_list("pk", flat=True))
    if coops:
        return Scope(cooperative_ids=coops)
    return None


def scope_with_county(scope: Scope, county: str) -> Scope | None:
    """Narrow a staff scope to one county; None when ``county`` lies outside ``scope``."""
    if not county or county == scope.county:
        return scope
    if not scope.staff:
        return None
    if not Region.objects.filter(code=county, level=Region.Level.COUNTY).exists():
        return None
    return replace(scope, county=county)


def scope_counties(scope: Scope) -> QuerySet[Region]:
    """Counties a scope may pick from (platform staff: those with cooperatives)."""
    if scope.county:
        return Region.objects.filter(code=scope.county)
    Cooperative = get_model("cooperatives", "Cooperative")
    codes = {code[:6] + "000000" for code in
             Cooperative.objects.filter(**_coop_lookup(scope)).values_list("village_id",
                                                                           flat=True)}
    return Region.objects.filter(code__in=codes).order_by("code")


def scope_towns(scope: Scope) -> QuerySet[Region]:
    """Towns of the scope's county (every town, so the map shows those without sales)."""
    county = scope.county or _single_county(scope)
    if not county:
        return Region.objects.none()
    return Region.objects.filter(parent_id=county, level=Region.Level.TOWN).order_by("code")


def _single_county(scope: Scope) -> str:
    counties = list(scope_counties(scope).values_list("code", flat=True)[:2])
    return counties[0] if len(counties) == 1 else ""


def _coop_lookup(scope: Scope) -> dict:
    return {"pk__in": scope.cooperative_ids} if scope.cooperative_ids else {}


def _narrow(qs: QuerySet, scope: Scope, f: Filters, *, live: Q) -> QuerySet:
    qs = qs.filter(day__gte=f.first, day__lte=f.last)
    if scope.county:
        qs = qs.filter(origin_county=scope.county)
    if scope.cooperative_ids:
        qs = qs.filter(cooperative_id__in=scope.cooperative_ids)
    if f.town:
        qs = qs.filter(origin_town=f.town)
    if f.category_id:
        qs = qs.filter(category_id__in=_category_and_below(f.category_id))
    if f.channel == LIVE:
        qs = qs.filter(live)
    elif f.channel == STORE:
        qs = qs.exclude(live)
    return qs


def _category_and_below(category_id: int) -> list[int]:
    Category = get_model("catalogue", "Category")
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        return [category_id]
    return list(Category.objects.filter(path__startswith=category.path)
                .values_list("pk", flat=True))


_LIVE = Q(live_session_id__isnull=False)


def facts(scope: Scope, f: Filters) -> QuerySet[SalesFact]:
    """The fact rows of a scope and filters (product grain: top products)."""
    return _narrow(SalesFact.objects.all(), scope, f, live=_LIVE)


def rollup(scope: Scope, f: Filters) -> QuerySet[SalesRollup]:
    """The rollup rows of a scope and filters: the same sums as facts() by every dimension
    but product and buyer region, from far fewer rows."""
    return _narrow(SalesRollup.objects.all(), scope, f, live=_LIVE)


@cached_figure
def order_counts(scope: Scope, f: Filters) -> dict:
    """Distinct orders and signed-in buyers of the period: an order of two products is one
    order, a buyer who came back is one buyer."""
    qs = _narrow(OrderFact.objects.all(), scope, f, live=_LIVE)
    flag = _order_flag(scope, f, "")
    if flag:
        orders = rollup(scope, f).aggregate(n=Sum(flag, default=0))["n"]
    else:
        orders = qs.aggregate(n=Count("order_id", distinct=True))["n"]
    return {"orders": orders, "buyers": _count_distinct(qs.filter(buyer_id__isnull=False),
                                                        "buyer_id")}


# SalesRollup's distinct-order columns by what is grouped on: (every county, one county).
_ORDER_FLAGS = {
    "": ("orders_all", "orders_county"),
    "cooperative_id": ("orders_coop", "orders_coop"),
    "origin_town": ("orders_town", "orders_town"),
    "category_id": ("orders_category", "orders_category_county"),
    "live_session_id": ("orders_session", "orders_session_county"),
}


def _order_flag(scope: Scope, f: Filters, key: str) -> str | None:
    """The rollup column whose sum is the exact distinct orders by ``key`` for this scope and
    filters; None when a filter could split an order's rows (then OrderFact counts them)."""
    if f.town or f.category_id or f.channel or scope.cooperative_ids:
        return None
    every, county = _ORDER_FLAGS[key]
    return county if scope.county else every


def _count_distinct(qs: QuerySet, column: str) -> int:
    """COUNT(DISTINCT column) as ``SELECT COUNT(*) FROM (SELECT DISTINCT …)``: PostgreSQL
    hashes the few distinct buyers in memory instead of sorting every row (bench/README,
    run 14)."""
    sql, params = qs.values(column).distinct().order_by().query.sql_with_params()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) d", params)  # noqa: S608  # nosec B608
        return cursor.fetchone()[0]


@cached_figure
def kpis(scope: Scope, f: Filters) -> dict:
    """The KPI cards: GMV, refunds, net, orders, units, buyers, average order value, live GMV
    and share, active cooperatives, poverty-area GMV."""
    # Aggregates named like a field would shadow it for the aggregates after them.
    sums = rollup(scope, f).aggregate(
        gmv=Sum("gmv_fen", default=0), refund=Sum("refund_fen", default=0),
        n_units=Sum("units", default=0),
        live_gmv=Sum("gmv_fen", filter=_LIVE, default=0),
        poverty_gmv=Sum("gmv_fen", filter=Q(poverty_area=True), default=0),
        coops=Count("cooperative_id", distinct=True),
    )
    row = {"gmv_fen": sums["gmv"], "refund_fen": sums["refund"], "units": sums["n_units"],
           "live_gmv_fen": sums["live_gmv"], "poverty_gmv_fen": sums["poverty_gmv"],
           "active_cooperatives": sums["coops"]}
    row.update(order_counts(scope, f))
    row["net_fen"] = row["gmv_fen"] - row["refund_fen"]
    row["aov_fen"] = round(row["gmv_fen"] / row["orders"]) if row["orders"] else 0
    row["live_share"] = row["live_gmv_fen"] / row["gmv_fen"] if row["gmv_fen"] else 0.0
    row["poverty_share"] = row["poverty_gmv_fen"] / row["gmv_fen"] if row["gmv_fen"] else 0.0
    return row


def previous_period(f: Filters) -> Filters:
    """The period of the same length just before (环比). Whole calendar months map to the
    month(s) before, so March compares with February, not with the 31 days before."""
    if _whole_months(f):
        months = _month_index(f.last) - _month_index(f.first) + 1
        first = _month_start(_month_index(f.first) - months)
        last = _month_start(_month_index(f.first)) - dt.timedelta(days=1)
        return replace(f, first=first, last=last)
    return replace(f, first=f.first - dt.timedelta(days=f.days),
                   last=f.first - dt.timedelta(days=1))


def year_before(f: Filters) -> Filters:
    """The same period one year earlier (同比); 29 February becomes the 28th."""
    def back(day: dt.date) -> dt.date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:
            return day.replace(year=day.year - 1, day=28)
    if _whole_months(f):
        last = _month_start(_month_index(f.last) - 12 + 1) - dt.timedelta(days=1)
        return replace(f, first=back(f.first), last=last)
    return replace(f, first=back(f.first), last=back(f.last))


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def _whole_months(f: Filters) -> bool:
    return f.first.day == 1 and (f.last + dt.timedelta(days=1)).day == 1


def change(current: int | float, before: int | float) -> float | None:
    """Relative change (0.12 = +12 %); None when there is nothing to compare with."""
    if not before:
        return None
    return (current - before) / before


@cached_figure
def series(scope: Scope, f: Filters) -> dict:
    """GMV, net and orders per day (per month when the period is longer than 92 days), every
    day or month of the period present (zero when nothing sold)."""
    monthly = f.days > DAILY_SERIES_MAX_DAYS
    qs = rollup(scope, f)
    if monthly:
        qs = qs.annotate(bucket=TruncMonth("day"))
        buckets = [_month_start(i) for i in range(_month_index(f.first),
                                                  _month_index(f.last) + 1)]
    else:
        qs = qs.annotate(bucket=F("day"))
        buckets = [f.first + dt.timedelta(days=n) for n in range(f.days)]
    rows = {_as_date(r["bucket"]): r for r in qs.values("bucket").annotate(
        gmv=Sum("gmv_fen"), refund=Sum("refund_fen"), n_orders=Sum("orders"))}
    points = []
    for bucket in buckets:
        r = rows.get(bucket, {})
        gmv, refund = r.get("gmv") or 0, r.get("refund") or 0
        points.append({"date": bucket.isoformat(), "gmv_fen": gmv, "net_fen": gmv - refund,
                       "orders": r.get("n_orders") or 0})
    return {"grain": "month" if monthly else "day", "points": points}


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _ranked(scope: Scope, f: Filters, key: str, limit: int | None,
            qs: QuerySet | None = None) -> list[dict]:
    """Measures grouped by ``key``, biggest GMV first. Orders by cooperative, category, town or
    session are distinct orders (OrderFact); by product the fact rows' counts add up."""
    qs = rollup(scope, f) if qs is None else qs
    # The rollup's distinct-order column by this key, summed in the same query; the filters
    # callers add (poverty-area, non-null key) keep or drop a key's rows whole.
    flag = _order_flag(scope, f, key) if key != "product_id" else None
    grouped = (qs.values(key).annotate(gmv=Sum("gmv_fen"), refund=Sum("refund_fen"),
                                       n_orders=Sum(flag or "orders"), n_units=Sum("units"))
               .order_by("-gmv", key))
    rows = [{key: r[key], "gmv_fen": r["gmv"], "refund_fen": r["refund"],
             "orders": r["n_orders"], "units": r["n_units"]}
            for r in (grouped[:limit] if limit else grouped)]
    if key != "product_id" and not flag and rows:
        counted = dict(_narrow(OrderFact.objects.all(), scope, f, live=_LIVE)
                       .filter(**{f"{key}__in": [r[key] for r in rows]})
                       .values(key).annotate(n=Count("order_id", distinct=True))
                       .values_list(key, "n"))
        for r in rows:
            r["orders"] = counted.get(r[key], 0)
    for r in rows:
        if flag and r[key] is None:
            r["orders"] = 0  # as OrderFact's count gives it (an IN list drops NULL)
        r["net_fen"] = r["gmv_fen"] - r["refund_fen"]
    return rows


@cached_figure
def top_products(scope: Scope, f: Filters, limit: int = 10) -> list[dict]:
    rows = _ranked(scope, f, "product_id", limit,
                   facts(scope, f).filter(product_id__isnull=False))
    Product = get_model("catalogue", "Product")
    info = {p["pk"]: p for p in Product.objects.filter(pk__in=[r["product_id"] for r in rows])
            .values("pk", "title", "stockrecords__partner__name")}
    for r in rows:
        p = info.get(r["product_id"], {})
        r["title"] = p.get("title", "")
        r["cooperative"] = p.get("stockrecords__partner__name") or ""
    return rows


@cached_figure
def top_cooperatives(scope: Scope, f: Filters, limit: int | None = 10, *,
                     poverty_only: bool = False) -> list[dict]:
    """Cooperatives by GMV; ``poverty_only``: the sales the facts mark as poverty-area
    (脱贫地区), so they add up to kpis()["poverty_gmv_fen"]."""
    qs = rollup(scope, f).filter(cooperative_id__isnull=False)
    if poverty_only:
        qs = qs.filter(poverty_area=True)
    rows = _ranked(scope, f, "cooperative_id", limit, qs)
    Cooperative = get_model("cooperatives", "Cooperative")
    info = {c["pk"]: c for c in Cooperative.objects.filter(
        pk__in=[r["cooperative_id"] for r in rows]).values(
        "pk", "partner__name", "poverty_area", "member_households")}
    for r in rows:
        c = info.get(r["cooperative_id"], {})
        r["name"] = c.get("partner__name", "")
        r["poverty_area"] = c.get("poverty_area", False)
        r["member_households"] = c.get("member_households", 0)
    return rows


@cached_figure
def by_category(scope: Scope, f: Filters) -> list[dict]:
    """GMV by top-level category (a subcategory's sales count in its root)."""
    Category = get_model("catalogue", "Category")
    cats = {c.pk: c for c in Category.objects.only("pk", "name", "path", "depth")}
    steplen = Category.steplen
    roots = {c.path[:steplen]: c for c in cats.values() if c.depth == 1}
    totals: dict[int | None, dict] = {}
    for r in _ranked(scope, f, "category_id", None):
        cat = cats.get(r["category_id"])
        root = roots.get(cat.path[:steplen]) if cat else None
        key = root.pk if root else None
        t = totals.setdefault(key, {"category_id": key, "name": root.name if root else "",
                                    "gmv_fen": 0, "refund_fen": 0, "net_fen": 0,
                                    "orders": 0, "units": 0})
        for k in ("gmv_fen", "refund_fen", "net_fen", "orders", "units"):
            t[k] += r[k]
    return sorted(totals.values(), key=lambda t: (-t["gmv_fen"], t["name"]))


@cached_figure
def by_town(scope: Scope, f: Filters) -> list[dict]:
    """GMV by the cooperatives' town: every town of the county, those without sales at 0."""
    sold = {r["origin_town"]: r for r in _ranked(scope, f, "origin_town", None)}
    rows = []
    for town in scope_towns(scope).values("code", "name"):
        r = sold.pop(town["code"], None) or {"gmv_fen": 0, "refund_fen": 0, "net_fen": 0,
                                             "orders": 0, "units": 0}
        rows.append({"code": town["code"], "name": town["name"], **_measures(r)})
    # Sales of towns outside the listed county (platform staff reading every county).
    names = dict(Region.objects.filter(code__in=[c for c in sold if c])
                 .values_list("code", "name"))
    for code, r in sold.items():
        rows.append({"code": code, "name": names.get(code, ""), **_measures(r)})
    return rows


def _measures(r: dict) -> dict:
    return {k: r[k] for k in ("gmv_fen", "refund_fen", "net_fen", "orders", "units")}


@cached_figure
def live_league(scope: Scope, f: Filters, limit: int = 20) -> list[dict]:
    """Live sessions of the period by GMV, with unique viewers and conversion (orders per
    viewer)."""
    rows = _ranked(scope, f, "live_session_id", limit,
                   rollup(scope, f).filter(live_session_id__isnull=False))
    LiveSession = get_model("livestream", "LiveSession")
    ids = [r["live_session_id"] for r in rows]
    info = {s["pk"]: s for s in LiveSession.objects.filter(pk__in=ids).annotate(
        viewer_count=Count("viewers")).values("pk", "title", "host__first_name",
                                              "scheduled_start", "viewer_count")}
    for r in rows:
        s = info.get(r["live_session_id"], {})
        r["title"] = s.get("title", "")
        r["host"] = s.get("host__first_name", "")
        start = s.get("scheduled_start")
        r["start"] = start.isoformat() if start else ""
        r["viewers"] = s.get("viewer_count", 0)
        r["conversion"] = r["orders"] / r["viewers"] if r["viewers"] else None
    return rows


@cached_figure
def live_summary(scope: Scope, f: Filters) -> dict:
    """Live selling of the period (直播带货): sessions held (started, by the scope's
    cooperatives, between the first and last local day), sessions with sales, and the live
    channel's GMV, refunds, distinct orders and units."""
    live = replace(f, channel=LIVE)
    sums = rollup(scope, live).aggregate(
        gmv=Sum("gmv_fen", default=0), refund=Sum("refund_fen", default=0),
        n_units=Sum("units", default=0), selling=Count("live_session_id", distinct=True))
    LiveSession = get_model("livestream", "LiveSession")
    start, _ = day_bounds(f.first)
    _, end = day_bounds(f.last)
    sessions = LiveSession.objects.filter(started_at__gte=start, started_at__lt=end)
    if scope.county:
        sessions = sessions.filter(cooperatives__village__code__startswith=scope.county[:6])
    if scope.cooperative_ids:
        sessions = sessions.filter(cooperatives__in=scope.cooperative_ids)
    return {"sessions_held": sessions.values("pk").distinct().count(),
            "sessions_with_sales": sums["selling"], "gmv_fen": sums["gmv"],
            "refund_fen": sums["refund"], "net_fen": sums["gmv"] - sums["refund"],
            "orders": order_counts(scope, live)["orders"], "units": sums["n_units"]}
