"""The reporting bench (issue 10 item 4): a year of order lines written in SQL, then the daily
fact build (one day, a full year), the sales dashboard's JSON and the monthly 数商兴农 report,
each timed with its peak memory, against baselines measured in the same run.

Runs inside Django with its own database (``BENCH_REPORTING_DATABASE_URL``):
``python -m bench.reporting marker|build|measure``, driven by bench/run.py
(``BENCH_SCENARIOS=reporting make bench``). ``build_data`` and ``measure`` are also what
tests/test_bench_smoke.py runs at a tiny size, on SQLite and PostgreSQL.

The data: cooperatives in the villages of 遂昌县 (the last few in 麻阳县, a poverty area),
products in the seeded categories (every tenth also in a second one), buyers, two ended live
sessions a day, then orders and lines written with one ``INSERT … SELECT`` each over a
generated series (``generate_series`` on PostgreSQL, a recursive CTE on SQLite), every value
a hash of the row number: the same sizes always give the same rows, no line passes through
Python. Orders are spread evenly over the last ``days`` days, 1–6 lines each (3 on average),
each with a shipping address in 遂昌县 or elsewhere in Zhejiang; one line in ``live_every``
was bought in a live session of its day; one order in ``cancelled_every`` is cancelled (not a
sale) and one in ``refund_every`` is partly refunded (a sandbox payment and a refund of its
first line).
"""

# ruff: noqa: S608 - the SQL text is built from table names, constants and integers only;
# values go in as parameters.
from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path

SPEC_VERSION = 2  # 2: independent hashes per salt
MARKER_TABLE = "bench_reporting_marker"
EMAIL = "bench-rep-{}@bench.cn"
COUNTY = "331123000000"  # 遂昌县: the analyst's county and the report's
POVERTY_COUNTY = "431226"  # 麻阳县
ORDER_PREFIX = "RB"
SKU_PREFIX = "RP"
# Lines per order, repeating every ten orders: 30 lines per 10 orders, 3 on average.
LINES_PATTERN = (2, 1, 4, 3, 1, 5, 2, 3, 6, 3)
WORDS = ("红米", "白茶", "冬笋", "猕猴桃", "土鸡蛋", "香菇", "笋干", "菊米", "山茶油", "番薯干")

# Targets of issue 10 item 4 (reported, never asserted).
DASHBOARD_P95_MS = 200
REPORT_SECONDS = 10
FACT_BUILD_RSS_MB = 300


@dataclass(frozen=True)
class Sizes:
    lines: int = 1_000_000
    days: int = 365
    cooperatives: int = 40
    poverty_cooperatives: int = 4  # of the cooperatives, in 麻阳县
    products: int = 2_000
    buyers: int = 20_000
    sessions_per_day: int = 2
    live_every: int = 8
    cancelled_every: int = 40
    refund_every: int = 50

    @property
    def orders(self) -> int:
        """Orders needed for ``lines`` lines (the last one may have fewer than its share)."""
        per_block, block = sum(LINES_PATTERN), len(LINES_PATTERN)
        full, rest = divmod(self.lines, per_block)
        n, acc = 0, 0
        while acc < rest:
            acc += LINES_PATTERN[n]
            n += 1
        return full * block + n

    def marker(self) -> dict:
        return {"spec_version": SPEC_VERSION, **asdict(self)}


def say(msg: str) -> None:
    print(f"  [reporting] {msg}", flush=True)


# --- SQL helpers -------------------------------------------------------------------------


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


def _series(n: int) -> str:
    """A subquery of the integers 0 … n − 1 in column ``n``."""
    if _vendor() == "postgresql":
        return f"SELECT n FROM generate_series(0, {int(n) - 1}) AS g(n)"
    return (f"WITH RECURSIVE c(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM c "
            f"WHERE n < {int(n) - 1}) SELECT n FROM c")


# Odd multipliers, one per salt: values of one row under different salts must not be
# shifted copies of each other (a buyer's day would follow from its product).
_MULTIPLIERS = (2654435761, 2246822519, 3266489917, 668265263, 374761393, 3141592653,
                2718281829, 1597334677, 3812015801, 2891336453, 1181783497, 1442695041)


def _h(expr: str, salt: int) -> str:
    """A well-mixed integer 0 … 65535 from an integer expression: a multiplicative hash
    with the salt's own multiplier, squared (v² + v, so rows are not points of one lattice),
    high bits kept. Integer arithmetic only (below 2⁶³), so PostgreSQL and SQLite give the
    same data. SQL here writes the modulo operator ``%%``: every statement is run with
    parameters, so both drivers read it as ``%``."""
    multiplier = _MULTIPLIERS[salt % len(_MULTIPLIERS)]
    v = f"((CAST({expr} AS BIGINT) + {int(salt)}) * {multiplier} %% 2147483648)"
    return f"(({v} * {v} + {v}) %% 4294967296 / 65536)"


def _plus_seconds(seconds: str) -> str:
    """The instant of the parameter plus ``seconds`` (an SQL expression)."""
    if _vendor() == "postgresql":
        return f"(CAST(%s AS timestamptz) + ({seconds}) * INTERVAL '1 second')"
    return f"datetime(%s, '+' || ({seconds}) || ' seconds')"


def _adapt_instant(value: dt.datetime):
    from django.db import connection

    return connection.ops.adapt_datetimefield_value(value)


def _q(name: str) -> str:
    from django.db import connection

    return connection.ops.quote_name(name)


def insert_select(model, exprs: dict[str, str | tuple[str, list]], source: str,
                  params: list | None = None) -> int:
    """``INSERT INTO model (…) SELECT … FROM source``: ``exprs`` maps columns to SQL over the
    source (with its parameters: ``(sql, [values])``); every other column gets its field's
    default (``auto_now`` ones now) as a parameter, or NULL, so a field added to a model
    later does not break the bench. ``params`` are the source's."""
    from django.db import connection
    from django.utils import timezone

    unknown = set(exprs) - {f.column for f in model._meta.concrete_fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
    now = timezone.now()
    columns, values, select_params = [], [], []
    for field in model._meta.concrete_fields:
        if field.column in exprs:
            expr = exprs[field.column]
            sql, values_of = (expr, []) if isinstance(expr, str) else expr
            columns.append(_q(field.column))
            values.append(sql)
            select_params.extend(values_of)
            continue
        if field.primary_key or field.null:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.has_default() or field.empty_strings_allowed:
            value = field.get_default()
        else:
            raise ValueError(f"{model.__name__}.{field.name} needs a value")
        columns.append(_q(field.column))
        values.append("%s")
        select_params.append(field.get_db_prep_save(value, connection))
    sql = (f"INSERT INTO {_q(model._meta.db_table)} ({', '.join(columns)}) "
           f"SELECT {', '.join(values)} FROM {source}")
    with connection.cursor() as cur:
        cur.execute(sql, [*select_params, *(params or [])])
        return cur.rowcount


def _scalar(sql: str, params: list | None = None):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, params or [])
        return cur.fetchone()[0]


def _next_id(model) -> int:
    return (_scalar(f"SELECT MAX(id) FROM {_q(model._meta.db_table)}") or 0) + 1


def _execute(sql: str, params: list | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, params or [])
        return cur.rowcount


# --- Marker ------------------------------------------------------------------------------


def marker_read() -> dict | None:
    from django.db import connection

    if MARKER_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cur:
        cur.execute(f"SELECT spec FROM {MARKER_TABLE} WHERE id = 1")
        row = cur.fetchone()
    return json.loads(row[0]) if row else None


def marker_write(marker: dict) -> None:
    _execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (id integer PRIMARY KEY, spec text)")
    _execute(f"DELETE FROM {MARKER_TABLE}")
    _execute(f"INSERT INTO {MARKER_TABLE} VALUES (1, %s)", [json.dumps(marker)])


# --- Building the data -------------------------------------------------------------------


def base_setup() -> None:
    """Regions (the whole country, villages of 遂昌县 and 麻阳县), sites and categories, as
    seed_demo makes them: what an empty, migrated bench database lacks."""
    from marketplace.demo.services import SeedContext, demo_regions_load, demo_site_setup
    from marketplace.shop.catalogue.services import catalogue_setup

    ctx = SeedContext(domain="127.0.0.1", log=say)
    demo_regions_load(ctx=ctx)
    demo_site_setup(ctx=ctx)
    catalogue_setup()


def _cooperatives(sizes: Sizes) -> list:
    from oscar.core.loading import get_model

    from bench.spec import credit_code
    from marketplace.cooperatives.models import Cooperative
    from marketplace.regions.models import Region

    Partner = get_model("partner", "Partner")

    def villages(county: str) -> list[str]:
        return list(Region.objects.filter(code__startswith=county, level=Region.Level.VILLAGE)
                    .order_by("code").values_list("code", flat=True))

    local, poor = villages(COUNTY[:6]), villages(POVERTY_COUNTY)
    if not local or not poor:
        raise SystemExit("the regions of 遂昌县 and 麻阳县 are missing (base_setup)")
    partners = Partner.objects.bulk_create([
        Partner(code=f"bench-rep-{n:03d}", name=f"报表合作社{n:03d}")
        for n in range(sizes.cooperatives)])
    coops = []
    for n, partner in enumerate(partners):
        is_poor = n >= sizes.cooperatives - sizes.poverty_cooperatives
        pool = poor if is_poor else local
        coops.append(Cooperative(
            partner=partner, slug=f"bench-rep-{n:03d}", legal_name=f"报表合作社{n:03d}",
            # 90,000 + n: clear of the load bench's credit codes (1 … cooperatives)
            credit_code=credit_code(90_000 + n), village_id=pool[(n * 7) % len(pool)],
            contact_phone=f"1380579{n:04d}", member_households=20 + 3 * n,
            poverty_area=is_poor))
    return Cooperative.objects.bulk_create(coops)


def _products(sizes: Sizes, coops: list) -> None:
    from oscar.core.loading import get_model

    from marketplace.shop.catalogue.services import CATEGORIES, catalogue_setup

    Product = get_model("catalogue", "Product")
    ProductCategory = get_model("catalogue", "ProductCategory")
    StockRecord = get_model("partner", "StockRecord")
    Category = get_model("catalogue", "Category")
    pclass = catalogue_setup()
    categories = {c.name: c for c in Category.objects.filter(depth=1)}
    names = [name for name in CATEGORIES if name in categories]
    products = Product.objects.bulk_create([
        Product(title=f"{WORDS[n % len(WORDS)]} 报表商品 #{n + 1}", slug=f"bench-rep-{n + 1}",
                upc=f"{SKU_PREFIX}{n + 1:06d}", product_class=pclass, structure="standalone",
                origin_region_id=coops[n % len(coops)].village_id)
        for n in range(sizes.products)], batch_size=2000)
    links = []
    for n, product in enumerate(products):
        links.append(ProductCategory(product=product, category=categories[names[n % len(names)]]))
        if n % 10 == 9:  # a second category: counted once, in the first (lowest id)
            links.append(ProductCategory(product=product,
                                         category=categories[names[(n + 3) % len(names)]]))
    ProductCategory.objects.bulk_create(links, batch_size=2000)
    StockRecord.objects.bulk_create([
        StockRecord(product=product, partner=coops[n % len(coops)].partner,
                    partner_sku=f"{SKU_PREFIX}{n + 1:06d}", price_currency="CNY",
                    price=Decimal(500 + (n * 7919) % 29_500) / 100, num_in_stock=1_000_000,
                    num_allocated=0)
        for n, product in enumerate(products)], batch_size=2000)


def _people(sizes: Sizes):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    unusable = "!bench"  # no password: the bench never logs in through a form
    User.objects.bulk_create([
        User(email=EMAIL.format(f"buyer-{n:05d}"), first_name=f"买家{n}", password=unusable)
        for n in range(sizes.buyers)], batch_size=2000)
    host = User.objects.create(email=EMAIL.format("host"), first_name="主播",
                               password=unusable)
    staff = User.objects.create(email=EMAIL.format("staff"), first_name="平台运营",
                                password=unusable, is_staff=True)
    analyst = User.objects.create(email=EMAIL.format("analyst"), first_name="数据分析",
                                  password=unusable)
    from marketplace.reporting.models import AnalystScope

    AnalystScope.objects.create(user=analyst, county_id=COUNTY)
    return host, staff, analyst


def _sessions(sizes: Sizes, coops: list, host, first: dt.date) -> None:
    from django.utils import timezone

    from marketplace.livestream.models import LiveSession

    zone = timezone.get_current_timezone()
    rows = []
    for d in range(sizes.days):
        for k in range(sizes.sessions_per_day):
            start = dt.datetime.combine(first + dt.timedelta(days=d), dt.time(12 + 4 * k),
                                        tzinfo=zone)
            end = start + dt.timedelta(hours=2)
            rows.append(LiveSession(
                title=f"报表直播 {d + 1}-{k + 1}", slug=f"bench-rep-{d:04d}-{k}", host=host,
                scheduled_start=start, scheduled_end=end, started_at=start, ended_at=end,
                hls_url="https://live.example.cn/bench.m3u8", status=LiveSession.ENDED))
    sessions = LiveSession.objects.bulk_create(rows, batch_size=2000)
    through = LiveSession.cooperatives.through
    through.objects.bulk_create([
        through(livesession=s, cooperative=coops[n % len(coops)])
        for n, s in enumerate(sessions)], batch_size=2000)


def _lookup_tables() -> dict[str, int]:
    """Temporary tables numbering what the big inserts pick from (products with their stock
    record, buyers, regions, sessions), so a hash of a row number picks one by a join."""
    from django.contrib.auth import get_user_model
    from oscar.core.loading import get_model

    from marketplace.livestream.models import LiveSession
    from marketplace.regions.models import Region

    StockRecord, Partner = get_model("partner", "StockRecord"), get_model("partner", "Partner")
    Product = get_model("catalogue", "Product")
    sr, pa, pr = (_q(m._meta.db_table) for m in (StockRecord, Partner, Product))
    user, region = _q(get_user_model()._meta.db_table), _q(Region._meta.db_table)
    session = _q(LiveSession._meta.db_table)
    tables = {
        "rep_product": (
            "idx integer PRIMARY KEY, product_id integer, partner_id integer, "
            "partner_name varchar(128), stockrecord_id integer, sku varchar(128), "
            "title varchar(255), upc varchar(64), price decimal(12, 2)",
            f"SELECT ROW_NUMBER() OVER (ORDER BY s.id) - 1, s.product_id, s.partner_id, "
            f"pa.name, s.id, s.partner_sku, p.title, p.upc, s.price FROM {sr} s "
            f"JOIN {pa} pa ON pa.id = s.partner_id JOIN {pr} p ON p.id = s.product_id "
            f"WHERE s.partner_sku LIKE '{SKU_PREFIX}%%'"),
        "rep_buyer": (
            "idx integer PRIMARY KEY, user_id integer",
            f"SELECT ROW_NUMBER() OVER (ORDER BY id) - 1, id FROM {user} "
            f"WHERE email LIKE 'bench-rep-buyer-%%'"),
        # Buyers live in the villages of 遂昌县 and in the towns of the rest of Zhejiang.
        "rep_region": (
            "idx integer PRIMARY KEY, code varchar(12)",
            f"SELECT ROW_NUMBER() OVER (ORDER BY code) - 1, code FROM {region} "
            f"WHERE (code LIKE '{COUNTY[:6]}%%' AND level = {int(Region.Level.VILLAGE)}) "
            f"OR (code LIKE '33%%' AND level = {int(Region.Level.TOWN)})"),
        "rep_session": (
            "idx integer PRIMARY KEY, session_id bigint",
            f"SELECT ROW_NUMBER() OVER (ORDER BY slug) - 1, id FROM {session} "
            f"WHERE slug LIKE 'bench-rep-%%'"),
    }
    counts = {}
    for name, (columns, select) in tables.items():
        _execute(f"DROP TABLE IF EXISTS {name}")
        _execute(f"CREATE TEMPORARY TABLE {name} ({columns})")
        _execute(f"INSERT INTO {name} {select}")
        counts[name] = _scalar(f"SELECT COUNT(*) FROM {name}")
    return counts


def _order_of_line(i: str) -> tuple[str, str]:
    """SQL for the order number (0-based) and the position in it of line ``i``."""
    per_block, block = sum(LINES_PATTERN), len(LINES_PATTERN)
    starts = [sum(LINES_PATTERN[:j]) for j in range(block)]
    j = "CASE " + " ".join(f"WHEN {i} %% {per_block} < {starts[k + 1]} THEN {k}"
                           for k in range(block - 1)) + f" ELSE {block - 1} END"
    start = "CASE " + " ".join(f"WHEN {i} %% {per_block} < {starts[k + 1]} THEN {starts[k]}"
                               for k in range(block - 1)) + f" ELSE {starts[-1]} END"
    return (f"({i} / {per_block} * {block} + {j})", f"({i} %% {per_block} - {start})")


def _first_line_of_order(o: str) -> str:
    per_block, block = sum(LINES_PATTERN), len(LINES_PATTERN)
    starts = [sum(LINES_PATTERN[:j]) for j in range(block)]
    start = "CASE " + " ".join(f"WHEN {o} %% {block} = {k} THEN {starts[k]}"
                               for k in range(block)) + " END"
    return f"({o} / {block} * {per_block} + {start})"


def _status(o: str, sizes: Sizes) -> str:
    return (f"CASE WHEN {o} %% {sizes.cancelled_every} = 0 THEN 'cancelled' "
            f"WHEN {o} %% {sizes.refund_every} = 1 THEN 'partially_refunded' "
            f"ELSE 'completed' END")


def _day(o: str, sizes: Sizes) -> str:
    return f"({_h(o, 2)} * {sizes.days} / 65536)"


def _orders_and_lines(sizes: Sizes, first: dt.date) -> dict[str, int]:
    from django.contrib.sites.models import Site
    from django.utils import timezone
    from oscar.core.loading import get_model

    from marketplace.payments.models import Payment, Refund, RefundLine

    Order, Line = get_model("order", "Order"), get_model("order", "Line")
    ShippingAddress = get_model("order", "ShippingAddress")
    site_id = Site.objects.order_by("pk").values_list("pk", flat=True).first()
    start = dt.datetime.combine(first, dt.time(0), tzinfo=timezone.get_current_timezone())
    base = {m: _next_id(m) for m in (Order, Line, ShippingAddress, Payment, Refund,
                                     RefundLine)}
    o_b, l_b, a_b = base[Order], base[Line], base[ShippingAddress]
    p_b, r_b, rl_b = base[Payment], base[Refund], base[RefundLine]
    n_orders = sizes.orders
    made = {}

    made["shipping_addresses"] = insert_select(ShippingAddress, {
        "id": f"{a_b} + s.n", "first_name": "'买家'", "line1": "'村口 ' || s.n || ' 号'",
        "country_id": "'CN'", "phone_number": "'+8613900000000'", "region_id": "r.code",
    }, f"({_series(n_orders)}) s JOIN rep_region r "
       f"ON r.idx = {_h('s.n', 11)} * (SELECT COUNT(*) FROM rep_region) / 65536")

    o, pos = _order_of_line("s.n")
    live = (f"CASE WHEN {_h('x.i', 7)} %% {sizes.live_every} = 0 THEN "
            f"{_day('x.o', sizes)} * {sizes.sessions_per_day} "
            f"+ {_h('x.o', 8)} %% {sizes.sessions_per_day} ELSE -1 END")
    qty = f"(CASE {_h('x.i', 6)} %% 5 WHEN 3 THEN 2 WHEN 4 THEN 3 ELSE 1 END)"
    amount = f"ROUND(p.price * {qty}, 2)"
    made["lines"] = insert_select(Line, {
        "id": f"{l_b} + x.i", "order_id": f"{o_b} + x.o", "partner_id": "p.partner_id",
        "partner_name": "p.partner_name", "partner_sku": "p.sku",
        "stockrecord_id": "p.stockrecord_id", "product_id": "p.product_id", "title": "p.title",
        "upc": "p.upc", "quantity": qty, "line_price_incl_tax": amount,
        "line_price_excl_tax": amount, "line_price_before_discounts_incl_tax": amount,
        "line_price_before_discounts_excl_tax": amount, "unit_price_incl_tax": "p.price",
        "unit_price_excl_tax": "p.price", "status": _status("x.o", sizes), "num_allocated": "0",
        "live_session_id": "ls.session_id",
    }, f"(SELECT s.n AS i, {o} AS o, {pos} AS pos FROM ({_series(sizes.lines)}) s) x "
       f"JOIN rep_product p ON p.idx = ({_h('x.o', 5)} + x.pos * 7) %% "
       f"(SELECT COUNT(*) FROM rep_product) "
       f"LEFT JOIN rep_session ls ON ls.idx = {live}")

    seconds = (f"{_day('s.n', sizes)} * 86400 + {_h('s.n', 3)} %% 1440 * 60 "
               f"+ {_h('s.n', 4)} %% 60")
    made["orders"] = insert_select(Order, {
        "id": f"{o_b} + s.n", "number": f"'{ORDER_PREFIX}' || s.n", "site_id": str(site_id),
        "user_id": "b.user_id", "currency": "'CNY'", "total_incl_tax": "t.total",
        "total_excl_tax": "t.total", "shipping_incl_tax": "0", "shipping_excl_tax": "0",
        "shipping_address_id": f"{a_b} + s.n", "shipping_method": "'免运费'",
        "shipping_code": "'free-shipping'", "status": _status("s.n", sizes),
        "date_placed": (_plus_seconds(seconds), [_adapt_instant(start)]),
    }, f"({_series(n_orders)}) s "
       f"JOIN rep_buyer b ON b.idx = {_h('s.n', 1)} * (SELECT COUNT(*) FROM rep_buyer) / 65536 "
       f"JOIN (SELECT order_id, SUM(line_price_incl_tax) AS total FROM "
       f"{_q(Line._meta.db_table)} WHERE order_id >= {o_b} GROUP BY order_id) t "
       f"ON t.order_id = {o_b} + s.n")

    refunded = (f"{_q(Order._meta.db_table)} o JOIN {_q(Line._meta.db_table)} l "
                f"ON l.id = {l_b} + {_first_line_of_order(f'(o.id - {o_b})')} "
                f"WHERE o.id >= {o_b} AND o.status = 'partially_refunded'")
    made["payments"] = insert_select(Payment, {
        "id": f"{p_b} + o.id - {o_b}", "order_id": "o.id", "provider": "'sandbox'",
        "reference": "'SBX-' || o.number",
        "amount_fen": "CAST(ROUND(o.total_incl_tax * 100) AS BIGINT)", "status": "'succeeded'",
    }, refunded)
    made["refunds"] = insert_select(Refund, {
        "id": f"{r_b} + o.id - {o_b}", "order_id": "o.id", "payment_id": f"{p_b} + o.id - {o_b}",
        "reference": "'RF-' || o.number",
        "amount_fen": "CAST(ROUND(l.line_price_incl_tax * 100) AS BIGINT)",
        "origin": "'dashboard'",
    }, refunded)
    made["refund_lines"] = insert_select(RefundLine, {
        "id": f"{rl_b} + o.id - {o_b}", "refund_id": f"{r_b} + o.id - {o_b}", "line_id": "l.id",
        "quantity": "l.quantity",
        "amount_fen": "CAST(ROUND(l.line_price_incl_tax * 100) AS BIGINT)",
    }, refunded)
    _sequences_reset([Order, Line, ShippingAddress, Payment, Refund, RefundLine])
    return made


def _sequences_reset(models: list) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    for sql in connection.ops.sequence_reset_sql(no_style(), models):
        _execute(sql)


def build_data(sizes: Sizes, *, last_day: dt.date | None = None,
               log: Callable[[str], None] = say) -> dict:
    """Write the bench's data (regions, sites and categories must exist: base_setup) for the
    ``sizes.days`` days up to ``last_day`` (default yesterday); returns the marker, which
    also records the days."""
    from django.db import transaction
    from django.utils import timezone

    from marketplace.reporting.services import local_day

    last_day = last_day or local_day(timezone.now()) - dt.timedelta(days=1)
    first = last_day - dt.timedelta(days=sizes.days - 1)
    started = time.monotonic()
    with transaction.atomic():
        coops = _cooperatives(sizes)
        _products(sizes, coops)
        host, _staff, _analyst = _people(sizes)
        _sessions(sizes, coops, host, first)
        counts = _lookup_tables()
        log(f"cooperatives, products, buyers, sessions: {counts} in "
            f"{time.monotonic() - started:.1f} s")
        made = _orders_and_lines(sizes, first)
        for name in ("rep_product", "rep_buyer", "rep_region", "rep_session"):
            _execute(f"DROP TABLE {name}")
        marker = {**sizes.marker(), "first_day": first.isoformat(),
                  "last_day": last_day.isoformat()}
        marker_write(marker)
    if _vendor() == "postgresql":
        _execute("ANALYZE")
    log(f"{made['orders']:,} orders, {made['lines']:,} lines, {made['refunds']:,} refunds "
        f"written in {time.monotonic() - started:.1f} s")
    return marker


# --- Measuring ---------------------------------------------------------------------------


def _proc_kb(pid: int | str, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _peak_reset(pid: int | str = "self") -> bool:
    """Reset the peak resident set (VmHWM) to the current one (Linux ``clear_refs`` 5)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _mb(kb: int | None) -> float | None:
    return None if kb is None else round(kb / 1024, 1)


def measured(fn: Callable[[], object], *, trace: bool = True, backend_pid: int | None = None
             ) -> tuple[object, dict]:
    """Run ``fn`` once: wall and CPU seconds, this process's peak resident set during it
    (VmHWM reset first, where Linux allows) and its growth over the resident set before, the
    peak of Python's own allocations (tracemalloc, when ``trace``), and the PostgreSQL
    backend's peak resident set (shared buffers it touched included) when readable."""
    gc.collect()
    rss_before = _proc_kb("self", "VmRSS")
    hwm_before = _proc_kb("self", "VmHWM")
    reset = _peak_reset()
    backend_reset = backend_pid is not None and _peak_reset(backend_pid)
    if trace:
        tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    traced = None
    if trace:
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    hwm = _proc_kb("self", "VmHWM")
    out = {"seconds": round(wall, 3), "cpu_seconds": round(cpu, 3),
           "tracemalloc_peak_mb": None if traced is None else round(traced / 2**20, 1),
           "rss_before_mb": _mb(rss_before), "peak_rss_mb": _mb(hwm),
           "peak_rss_reset": reset,
           "rss_growth_mb": _mb(max(0, (hwm or 0) - ((rss_before if reset else hwm_before)
                                                     or 0)))}
    if backend_pid is not None:
        out["pg_backend_peak_rss_mb"] = _mb(_proc_kb(backend_pid, "VmHWM"))
        out["pg_backend_peak_reset"] = backend_reset
    return result, out


def _backend_pid() -> int | None:
    if _vendor() != "postgresql":
        return None
    pid = _scalar("SELECT pg_backend_pid()")
    return pid if Path(f"/proc/{pid}/status").exists() else None


def lines_scan(first: dt.date, last: dt.date) -> tuple[int, int]:
    """The baseline of a fact build: one pass over the sold lines of the days (count and GMV
    in fen), the least any build of them must read."""
    from oscar.core.loading import get_model

    from marketplace.reporting.services import SALE_STATUSES, day_bounds

    Order, Line = get_model("order", "Order"), get_model("order", "Line")
    start, _end = day_bounds(first)
    _start, end = day_bounds(last)
    statuses = ", ".join(["%s"] * len(SALE_STATUSES))
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            f"SELECT COUNT(*), SUM(CAST(ROUND(l.line_price_incl_tax * 100) AS BIGINT)) "
            f"FROM {_q(Line._meta.db_table)} l JOIN {_q(Order._meta.db_table)} o "
            f"ON o.id = l.order_id WHERE o.date_placed >= %s AND o.date_placed < %s "
            f"AND o.status IN ({statuses})",
            [_adapt_instant(start), _adapt_instant(end), *SALE_STATUSES])
        count, gmv = cur.fetchone()
    return int(count), int(gmv or 0)


def dashboard_payload(scope, f) -> dict:
    """What the dashboard's JSON holds, read through the selectors as its view would (used
    when the ``sales-dashboard:data`` endpoint is not mounted): KPIs with 环比 and 同比, the
    series, top products and cooperatives, categories, towns and the live league."""
    from marketplace.reporting import selectors

    return {
        "kpis": selectors.kpis(scope, f),
        "previous": selectors.kpis(scope, selectors.previous_period(f)),
        "year_before": selectors.kpis(scope, selectors.year_before(f)),
        "series": selectors.series(scope, f),
        "top_products": selectors.top_products(scope, f),
        "top_cooperatives": selectors.top_cooperatives(scope, f),
        "categories": selectors.by_category(scope, f),
        "towns": selectors.by_town(scope, f),
        "live": selectors.live_league(scope, f),
    }


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def _timings(times: list[float]) -> dict:
    ms = [t * 1000 for t in times]
    return {"requests": len(ms), "p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(_percentile(ms, 0.95), 1), "max_ms": round(max(ms), 1)}


class _Counted:
    """Counts the queries run on ``connection`` (CaptureQueriesContext loses a request's:
    request_started resets the connection's query log, so it said 0)."""

    def __init__(self, connection) -> None:
        self.connection, self.n = connection, 0

    def _wrap(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)

    def __enter__(self) -> _Counted:
        self._cm = self.connection.execute_wrapper(self._wrap)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._cm.__exit__(*exc)


def _dashboard(last: dt.date, requests: int, log) -> dict:
    """p50/p95 of the dashboard's JSON for 30 and 365 days, as platform staff and as an
    analyst, with the figure cache (marketplace/reporting/cache.py) cold and warm. Cold: each
    request a different window (ending one day earlier than the one before) and the facts
    version bumped before it, as a fact build does, so every figure is computed from the
    facts. Warm: the same window requested again and again after one request filled the
    cache (a page reloaded, its exports, the next analyst of the county). Through the
    endpoint when it is mounted, else the selectors it calls. Baseline: B1 in process (the
    project's middleware around a constant view), when the URLs have it."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, Resolver404, resolve, reverse

    from marketplace.reporting.cache import cache_seconds, facts_changed
    from marketplace.reporting.selectors import Filters, scope_for_user

    try:
        url = reverse("sales-dashboard:data")
    except NoReverseMatch:
        url = None
    how = (f"GET {url} through django.test.Client" if url else
           "the endpoint sales-dashboard:data is not mounted yet: the selectors it would call "
           "(bench.reporting.dashboard_payload) timed directly")
    log(f"dashboard: {how}")
    User = get_user_model()
    out: dict = {"how": how, "endpoint": url, "rows": [], "cache_seconds": cache_seconds()}
    for who in ("staff", "analyst"):
        user = User.objects.get(email=EMAIL.format(who))
        client = Client()
        client.force_login(user)
        scope = scope_for_user(user)
        for days in (30, 365):
            def one(k: int, days=days, client=client, scope=scope, who=who) -> None:
                end = last - dt.timedelta(days=k)
                first = end - dt.timedelta(days=days - 1)
                if url is None:
                    json.dumps(dashboard_payload(scope, Filters(first=first, last=end)),
                               default=str)
                    return
                response = client.get(url, {"first": first.isoformat(),
                                            "last": end.isoformat()})
                if response.status_code != 200:
                    raise RuntimeError(f"{url} answered {response.status_code} to {who}")
                response.json()

            facts_changed()
            with _Counted(connection) as queries:
                one(requests)  # warm-up, a window of its own
            times = []
            for k in range(requests):
                facts_changed()  # nothing cached: every figure from the facts
                t = time.perf_counter()
                one(k)
                times.append(time.perf_counter() - t)
            rows = [{"user": who, "days": days, "cache": "cold", "queries": queries.n,
                     **_timings(times)}]
            if out["cache_seconds"] > 0:
                one(0)  # fills the cache for the window requested below
                with _Counted(connection) as queries:
                    one(0)
                times = []
                for _k in range(requests):
                    t = time.perf_counter()
                    one(0)
                    times.append(time.perf_counter() - t)
                rows.append({"user": who, "days": days, "cache": "warm",
                             "queries": queries.n, **_timings(times)})
            for row in rows:
                out["rows"].append(row)
                log(f"dashboard {who:7} {days:3} days, {row['cache']}: p50 {row['p50_ms']} "
                    f"ms, p95 {row['p95_ms']} ms, {row['queries']} queries")
    try:
        resolve("/__bench/b1/")
    except Resolver404:
        out["b1"] = None
    else:
        client = Client()
        client.get("/__bench/b1/")
        times = []
        for _k in range(requests):
            t = time.perf_counter()
            client.get("/__bench/b1/")
            times.append(time.perf_counter() - t)
        out["b1"] = _timings(times)
    return out


def _report(last: dt.date, log) -> dict:
    """The 数商兴农 report of 遂昌县 for the last whole month of the data: its figures alone
    (report_data), then the whole generation (figures, XLSX, PDF, files saved); each timed
    without tracemalloc, then run again under it for Python's peak."""
    from marketplace.regions.models import Region
    from marketplace.reporting.models import SalesReport
    from marketplace.reporting.reports import report_data, report_generate

    month = (last.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    if (last + dt.timedelta(days=1)).day == 1:
        month = last.replace(day=1)
    county = Region.objects.get(code=COUNTY)
    out: dict = {"county": county.name, "month": month.isoformat()[:7]}
    report, _created = SalesReport.objects.get_or_create(
        county=county, period=SalesReport.MONTH, first_day=month,
        defaults={"last_day": (month + dt.timedelta(days=32)).replace(day=1)
                  - dt.timedelta(days=1)})
    for key, fn in (("data", lambda: report_data(county, SalesReport.MONTH, month)),
                    ("generate", lambda: report_generate(report.pk))):
        result, timed = measured(fn, trace=False)
        _again, traced = measured(fn, trace=True)
        timed["tracemalloc_peak_mb"] = traced["tracemalloc_peak_mb"]
        timed["seconds_traced"] = traced["seconds"]
        out[key] = timed
        if key == "generate":
            out["status"] = result.status
            out["error"] = result.error
        log(f"report {key}: {timed['seconds']:.2f} s, peak RSS {timed['peak_rss_mb']} MB, "
            f"Python peak {timed['tracemalloc_peak_mb']} MB")
    return out


def measure(*, requests: int = 50, day_repeats: int = 3,
            log: Callable[[str], None] = say) -> dict:
    """Every figure of the reporting bench on the data build_data wrote."""
    from django.db.models import Sum

    from marketplace.reporting.models import SalesFact
    from marketplace.reporting.services import facts_build, facts_build_range

    marker = marker_read()
    if not marker:
        raise SystemExit("no reporting bench data here (python -m bench.reporting build)")
    first, last = (dt.date.fromisoformat(marker[k]) for k in ("first_day", "last_day"))
    mid = first + dt.timedelta(days=(last - first).days // 2)
    pid = _backend_pid()
    out: dict = {"sizes": marker, "day": mid.isoformat(), "first_day": first.isoformat(),
                 "last_day": last.isoformat()}

    (day_lines, _day_gmv), scan = measured(lambda: lines_scan(mid, mid), backend_pid=pid)
    runs = []
    for _n in range(day_repeats):
        rows, m = measured(lambda: facts_build(mid), backend_pid=pid)
        runs.append(m)
    day = dict(sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2])
    day["seconds_runs"] = [r["seconds"] for r in runs]
    for key in ("peak_rss_mb", "rss_growth_mb", "tracemalloc_peak_mb"):
        day[key] = max(r[key] or 0 for r in runs)
    out["fact_day"] = {"lines": day_lines, "rows": rows, "build": day, "scan": scan,
                       "x_scan": round(day["seconds"] / scan["seconds"], 1)
                       if scan["seconds"] else None}
    log(f"fact build, one day ({mid}, {day_lines:,} lines): {day['seconds']:.3f} s "
        f"(runs {day['seconds_runs']}), scan {scan['seconds']:.3f} s")

    (year_lines, year_gmv), scan = measured(lambda: lines_scan(first, last), backend_pid=pid)
    rows, build = measured(lambda: facts_build_range(first, last), backend_pid=pid)
    facts_gmv = SalesFact.objects.filter(day__gte=first, day__lte=last).aggregate(
        g=Sum("gmv_fen"))["g"] or 0
    out["fact_year"] = {"lines": year_lines, "days": (last - first).days + 1, "rows": rows,
                        "build": build, "scan": scan,
                        "x_scan": round(build["seconds"] / scan["seconds"], 1)
                        if scan["seconds"] else None,
                        "reconciled": facts_gmv == year_gmv}
    log(f"fact build, {out['fact_year']['days']} days ({year_lines:,} lines): "
        f"{build['seconds']:.1f} s, scan {scan['seconds']:.2f} s, facts "
        f"{'equal' if facts_gmv == year_gmv else 'DIFFER FROM'} the lines' GMV")

    out["dashboard"] = _dashboard(last, requests, log)
    out["report"] = _report(last, log)
    out["targets"] = targets(out)
    return out


def targets(out: dict) -> list[str]:
    """Met/MISSED for issue 10 item 4's targets, with the figures."""
    checks = []
    for key, label in (("fact_day", "fact build one day"), ("fact_year", "fact build year")):
        peak = out[key]["build"]["peak_rss_mb"]
        if peak is not None:
            checks.append(f"{label} peak RSS ≤{FACT_BUILD_RSS_MB} MB: "
                          + ("met" if peak <= FACT_BUILD_RSS_MB else "MISSED")
                          + f" ({peak} MB)")
    for cache in ("cold", "warm"):
        rows = [r for r in out["dashboard"]["rows"] if r.get("cache", "cold") == cache]
        if not rows:
            continue
        worst = max(rows, key=lambda r: r["p95_ms"])
        p95 = worst["p95_ms"]
        checks.append(f"dashboard p95 ≤{DASHBOARD_P95_MS} ms, cache {cache}: "
                      + ("met" if p95 <= DASHBOARD_P95_MS else "MISSED")
                      + f" (worst {p95} ms: {worst['user']}, {worst['days']} days)")
    seconds = out["report"]["generate"]["seconds"]
    checks.append(f"monthly report ≤{REPORT_SECONDS} s: "
                  + ("met" if seconds <= REPORT_SECONDS else "MISSED") + f" ({seconds:.2f} s)")
    return checks


def summary_lines(out: dict) -> list[str]:
    """The reporting bench as printed under make bench's table."""
    s = out["sizes"]
    d, y = out["fact_day"], out["fact_year"]
    lines = [f"Reporting ({s['lines']:,} order lines over {s['days']} days, "
             f"{s['cooperatives']} cooperatives, {s['products']:,} products, "
             f"{s['buyers']:,} buyers):"]

    def mem(m: dict) -> str:
        text = (f"peak RSS {m['peak_rss_mb']} MB (+{m['rss_growth_mb']} MB), Python peak "
                f"{m['tracemalloc_peak_mb']} MB")
        if m.get("pg_backend_peak_rss_mb") is not None:
            text += f", PostgreSQL backend peak {m['pg_backend_peak_rss_mb']} MB"
        return text

    lines.append(f"  fact build, one day ({d['lines']:,} lines, {d['rows']:,} rows): "
                 f"{d['build']['seconds']:.3f} s (median of {len(d['build']['seconds_runs'])}),"
                 f" {d['x_scan']} × a plain scan of its lines ({d['scan']['seconds']:.3f} s); "
                 f"{mem(d['build'])}")
    lines.append(f"  fact build, {y['days']} days ({y['lines']:,} lines, {y['rows']:,} rows): "
                 f"{y['build']['seconds']:.1f} s ({y['build']['seconds'] / y['days']:.3f} s a "
                 f"day), {y['x_scan']} × one scan of the year ({y['scan']['seconds']:.2f} s); "
                 f"{mem(y['build'])}; facts "
                 f"{'reconcile with' if y['reconciled'] else 'DIFFER FROM'} the lines")
    dash = out["dashboard"]
    lines.append(f"  dashboard JSON: {dash['how']}; figure cache "
                 f"{dash.get('cache_seconds', 0)} s (cold: facts version bumped before each "
                 f"request, a new window each; warm: one window again)")
    b1 = dash.get("b1")
    for r in dash["rows"]:
        ratio = f", {r['p95_ms'] / b1['p95_ms']:.0f} × B1's p95" if b1 and b1["p95_ms"] else ""
        lines.append(f"    {r['user']:7} {r['days']:3} days {r.get('cache', 'cold'):4}: "
                     f"p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, max {r['max_ms']} ms "
                     f"over {r['requests']} requests, "
                     f"{r['queries']} queries{ratio}")
    if b1:
        lines.append(f"    B1 in process (middleware + constant view): p50 {b1['p50_ms']} ms, "
                     f"p95 {b1['p95_ms']} ms")
    rep = out["report"]
    for key, label in (("data", "figures (report_data)"),
                       ("generate", "generation (figures + XLSX + PDF)")):
        m = rep[key]
        lines.append(f"  monthly report {rep['county']} {rep['month']}, {label}: "
                     f"{m['seconds']:.2f} s; {mem(m)}")
    lines.append("  targets: " + "; ".join(out["targets"]))
    return lines


def main(argv: list[str]) -> int:
    import django

    django.setup()
    parser = argparse.ArgumentParser(prog="python -m bench.reporting")
    parser.add_argument("command", choices=["marker", "build", "measure"])
    parser.add_argument("--lines", type=int, default=Sizes.lines)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    sizes = Sizes(lines=args.lines)
    if args.command == "marker":
        found = marker_read()
        if found:
            found = {k: v for k, v in found.items() if k not in ("first_day", "last_day")}
        print(json.dumps({"found": found, "wanted": sizes.marker()}))
        return 0
    if args.command == "build":
        base_setup()
        build_data(sizes)
        return 0
    out = measure(requests=args.requests)
    if args.out:  # bench/run.py prints the summary
        Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for line in summary_lines(out):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
