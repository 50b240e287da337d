"""Demo live sessions for seed_demo: one live now with a pinned item, two upcoming, two
ended with replays and product chapters, and a year of past sessions that sold some of the
past orders (a seed step, see marketplace/demo/services.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.cooperatives.models import Cooperative
from marketplace.demo import data
from marketplace.livestream.models import LiveSession, PinEvent, SessionItem

StockRecord = get_model("partner", "StockRecord")
Order = get_model("order", "Order")
Line = get_model("order", "Line")

HOST_EMAIL = "host@demo.cn"
HLS = "https://live.example.cn/demo/{slug}.m3u8"
REPLAY = "https://live.example.cn/demo/{slug}-replay.mp4"


@dataclass(frozen=True)
class _Plan:
    slug: str
    title: str
    coop: str
    skus: tuple[str, ...]
    start_hours: float  # from now; negative: in the past
    hours: float
    status: str
    description: str


PLANS = (
    _Plan("gaoping-hongmi-xinmi", "高坪红米新米开仓直播", "gaoping-hongmi",
          ("suichang-hongmi", "gaoping-hongmi-organic", "suichang-heimi"), -0.4, 2,
          LiveSession.LIVE, "海拔八百米的梯田红米今年新米开仓，合作社理事长带大家看稻田、看碾米。"),
    _Plan("longgu-mingqian-chaxun", "龙谷丽人明前茶预售直播", "longgu-tea",
          ("longgu-liren-mingqian", "longgu-liren-yuqian"), 26, 1.5, LiveSession.SCHEDULED,
          "茶园现场炒茶，明前特级预售，直播间专享价。"),
    _Plan("dazhe-mihoutao-caizhai", "大柘红心猕猴桃采摘直播", "dazhe-fruit",
          ("dazhe-mihoutao", "suichang-cuiguanli"), 74, 2, LiveSession.SCHEDULED,
          "果园现摘现发，讲解红心猕猴桃的挑选和保存。"),
    _Plan("gaoshan-dami-fengshou", "高山大米丰收节直播回放", "gaoping-hongmi",
          ("gaoshan-dami", "suichang-yumishen", "suichang-hongmi"), -72, 2, LiveSession.ENDED,
          "丰收节当天的割稻、打谷和新米品鉴。"),
    _Plan("yinhou-cha-pinjian", "遂昌银猴茶品鉴直播回放", "longgu-tea",
          ("suichang-yinhou", "longgu-liren-yuqian"), -170, 1.5, LiveSession.ENDED,
          "茶艺师讲解银猴茶的冲泡方法。"),
)


def demo_live_sessions_create(*, ctx) -> None:
    """Create the demo sessions once (found again by slug on a second run)."""
    host = get_user_model().objects.filter(email=HOST_EMAIL).first()
    if host is None:
        ctx.log("live sessions: skipped, the demo host user is missing")
        return
    now = timezone.now().replace(microsecond=0)
    made = 0
    for plan in PLANS:
        if LiveSession.objects.filter(slug=plan.slug).exists():
            continue
        coop = Cooperative.objects.filter(slug=plan.coop).first()
        if coop is None:
            continue
        _session_build(plan, coop=coop, host=host, now=now)
        made += 1
    ctx.log(f"live sessions: {made} created")
    _past_sessions_create(ctx=ctx, host=host, now=now)


# --- A year of past sessions (the live channel of the sales dashboard) -----------------------

PAST_PREFIX = "demo-replay-"
PAST_SESSIONS = 24  # one a fortnight over the year of past orders
PAST_EVERY_DAYS = 15
PAST_FIRST_DAYS_AGO = 8  # older than a week, so the orders they sold are completed
PAST_START = dt.time(20)  # 20:00 local, for PAST_HOURS
PAST_HOURS = 2
PAST_ITEMS = 3
PAST_TAKE = (2, 3)  # two of every three orders of the fortnight buying the session's products


def _in_season(month: int) -> list[tuple[str, list[str]]]:
    """Cooperatives ranked by how much of what they sell is in season in ``month`` (1–12),
    each with its PAST_ITEMS products most in season (SKUs)."""
    by_coop: dict[str, list[tuple[float, str]]] = {}
    for spec in data.PRODUCTS:
        by_coop.setdefault(spec.coop, []).append((data.month_weights(spec)[month - 1], spec.sku))
    ranked = []
    for coop, products in by_coop.items():
        top = sorted(products, key=lambda p: (-p[0], p[1]))[:PAST_ITEMS]
        ranked.append((-sum(w for w, _sku in top), coop, [sku for _w, sku in top]))
    return [(coop, skus) for _w, coop, skus in sorted(ranked)]


def _past_sessions_create(*, ctx, host, now) -> None:
    """Past sessions, one a fortnight, each of a cooperative with produce in season, that sold
    some of the past orders: two of every three completed orders of its fortnight (and month)
    that bought one of its products were placed during the session, and those lines name it
    (``Line.live_session``), so the dashboard has a live channel. Made once: a second run
    finds them and changes nothing; without past orders there is nothing to sell, so none."""
    if LiveSession.objects.filter(slug__startswith=PAST_PREFIX).exists():
        ctx.log("past live sessions: already made")
        return
    zone = timezone.get_current_timezone()
    today = timezone.localdate(now)
    coops = {c.slug: c for c in Cooperative.objects.select_related("partner")}
    made = lines = 0
    for k in range(PAST_SESSIONS):
        day = today - dt.timedelta(days=PAST_FIRST_DAYS_AGO + k * PAST_EVERY_DAYS)
        start = dt.datetime.combine(day, PAST_START, tzinfo=zone)
        slug, skus = _in_season(day.month)[k % 2]
        coop = coops.get(slug)
        if coop is None:
            continue
        lo = max(day - dt.timedelta(days=PAST_EVERY_DAYS // 2), day.replace(day=1))
        hi = day + dt.timedelta(days=PAST_EVERY_DAYS // 2 + 1)
        if hi.month != day.month:
            hi = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        buying = (Order.objects.filter(
            number__startswith="D", status="completed",
            date_placed__gte=dt.datetime.combine(lo, dt.time(0), tzinfo=zone),
            date_placed__lt=dt.datetime.combine(hi, dt.time(0), tzinfo=zone),
            lines__partner=coop.partner, lines__partner_sku__in=skus)
            .exclude(lines__live_session__isnull=False)
            .order_by("number").values_list("pk", flat=True).distinct())
        taken = [pk for n, pk in enumerate(buying) if n % PAST_TAKE[1] < PAST_TAKE[0]]
        if not taken:
            continue
        top = data.PRODUCTS[[p.sku for p in data.PRODUCTS].index(skus[0])]
        plan = _Plan(f"{PAST_PREFIX}{k + 1:02d}", f"{top.title}产地直播", slug, tuple(skus),
                     (start - now).total_seconds() / 3600, PAST_HOURS, LiveSession.ENDED,
                     f"{coop.partner.name}带大家看{top.title}的产地，直播间下单产地直发。")
        session = _session_build(plan, coop=coop, host=host, now=now)
        # Placed during the session, one after another.
        step = dt.timedelta(hours=PAST_HOURS) / len(taken)
        for n, pk in enumerate(taken):
            Order.objects.filter(pk=pk).update(date_placed=start + step * n + step / 2)
        for item in session.items.select_related("product"):
            lines += Line.objects.filter(order__in=taken, product=item.product).update(
                live_session=session, live_item=item)
        made += 1
    ctx.log(f"past live sessions: {made} created, {lines} order lines bought in them")


def _session_build(plan: _Plan, *, coop, host, now) -> LiveSession:
    start = now + dt.timedelta(hours=plan.start_hours)
    end = start + dt.timedelta(hours=plan.hours)
    session = LiveSession.objects.create(
        slug=plan.slug, title=plan.title, host=host, description=plan.description,
        scheduled_start=start, scheduled_end=end, hls_url=HLS.format(slug=plan.slug),
        replay_url=REPLAY.format(slug=plan.slug) if plan.status == LiveSession.ENDED else "",
        status=plan.status,
        started_at=start if plan.status in (LiveSession.LIVE, LiveSession.ENDED) else None,
        ended_at=end if plan.status == LiveSession.ENDED else None,
    )
    session.cooperatives.set([coop])
    records = {r.partner_sku: r for r in StockRecord.objects.filter(
        partner=coop.partner, partner_sku__in=plan.skus).select_related("product")}
    items = []
    for order, sku in enumerate(plan.skus):
        record = records.get(sku)
        if record is None or record.price is None:
            continue
        # About 20 % off, rounded down to a price ending in .90.
        live = (record.price * Decimal("0.8")).quantize(Decimal("1")) - Decimal("0.10")
        items.append(SessionItem.objects.create(
            session=session, product=record.product, live_price=max(live, Decimal("0.90")),
            flash_quantity=min(50, record.num_in_stock or 0), per_buyer_limit=2,
            display_order=order,
        ))
    if plan.status in (LiveSession.LIVE, LiveSession.ENDED) and items:
        _chapters(session, items, start=start, end=end if plan.status == "ended" else now,
                  host=host, still_live=plan.status == LiveSession.LIVE)
    return session


def _chapters(session, items, *, start, end, host, still_live: bool) -> None:
    """Each item shown for an equal share of the time so far; the last one stays pinned
    while the session is live."""
    share = (end - start) / len(items)
    for i, item in enumerate(items):
        pinned = start + share * i + dt.timedelta(minutes=2)
        last = i == len(items) - 1
        PinEvent.objects.create(
            session=session, item=item, pinned_at=pinned, pinned_by=host,
            unpinned_at=None if (last and still_live) else start + share * (i + 1),
        )
