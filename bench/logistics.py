"""The bench's logistics: the bench county's network, ten station operators, parcels of bench
orders routed through their stations, and a pool of parcels with a tracking history (for the
scans_batch_operator and track_anon scenarios).

Used by ``bench.build prepare`` on every run: what it makes is found again on later runs (no
rebuild, no new spec version); the scans the load and the replay recorded are removed again
so every run scans the same parcels afresh. Imports Django only inside functions:
``scan_batch`` is also what the load generator, outside Django, sends.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

COUNTY = "331123"  # 遂昌县, where the bench's cooperatives and buyers live
STATIONS = 10  # station operators posting at once, one node each
BATCH = 500  # scans per request: services.BATCH_LIMIT, the most a station app may send
ORDERS = 3500  # bench orders given parcels (about three parcels each)
POOL_CAP = 2000  # parcels per station handed to the load generator
TRACK_PARCELS = 2000  # parcels with a tracking history, never scanned by the load
OPERATOR_EMAIL = "bench-station-{:02d}@bench.cn"
HISTORY_NAMESPACE = uuid.UUID("0b6f3c52-6a4e-4f2b-9d59-5e0c1b7a2d41")


def scan_batch(codes: list[str], number: int, size: int) -> list[dict]:
    """Batch ``number`` of a station that cycles through its ``codes``: ``size`` scans of
    distinct parcels (``size`` ≤ len(codes)), each with a new client UUID, stamped now. A
    parcel's first pass is "received", the next "dispatched", and so on: both are allowed
    again and again at a node in the middle of a route (only a delivery is final)."""
    now = dt.datetime.now(dt.UTC).isoformat()
    out = []
    for j in range(size):
        i = number * size + j
        out.append({"client_uuid": str(uuid.uuid4()), "parcel_code": codes[i % len(codes)],
                    "event": "dispatched" if i // len(codes) % 2 else "received",
                    "device_time": now})
    return out


def logistics_prepare(*, stations: int = STATIONS, orders: int = ORDERS,
                      track_parcels: int = TRACK_PARCELS, batch: int = BATCH,
                      pool_cap: int = POOL_CAP, order_filter=None) -> dict:
    """Network, parcels, tracking history and station operators (each with a fresh logged-in
    session); earlier runs' scans removed. Returns what the load generator and replay need."""
    from django.db.models import Q

    from logistics.models import ScanEvent

    order_filter = Q(number__startswith="B") if order_filter is None else order_filter
    operators = _operators(stations)
    # What earlier runs' loads and replays scanned: gone, so the parcels start afresh.
    removed, _counts = ScanEvent.objects.filter(operator__in=operators).delete()
    nodes = _network(order_filter, orders)
    parcels = _parcels(order_filter, orders)
    track = parcels[:track_parcels]
    _history(track)
    pools = _pools(parcels[track_parcels:], stations, batch, pool_cap)
    out_stations = []
    for user, (node, codes) in zip(operators, pools, strict=True):
        user.logistics_nodes.set([node])
        out_stations.append({"email": user.email, "session": session_for(user),
                             "node_id": node.pk, "node": node.name,
                             "scans_url": f"/api/logistics/nodes/{node.pk}/scans/",
                             "console_url": f"/logistics/n/{node.pk}/", "codes": codes})
    return {
        "scan_batch_size": batch,
        "stations": out_stations,
        "track_codes": [s.code for s in track],
        "track_replay_code": _typical(track),
        "logistics_nodes": nodes,
        "logistics_parcels": len(parcels),
        "logistics_scans_removed": removed,
    }


def session_for(user) -> str:
    """A logged-in session of ``user`` written through the configured session store."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "oscar.apps.customer.auth_backends.EmailBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def _operators(n: int) -> list:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    users = []
    for i in range(1, n + 1):
        # An unusable password ("!" prefix): they are logged in by written sessions.
        user, _made = User.objects.get_or_create(
            email=OPERATOR_EMAIL.format(i),
            defaults={"first_name": f"站点操作员{i}", "password": "!bench"})
        users.append(user)
    return users


def _orders(order_filter, n: int):
    from oscar.core.loading import get_model

    Order = get_model("order", "Order")
    return Order.objects.filter(order_filter).order_by("-pk")[:n]


def _network(order_filter, orders: int) -> int:
    """The county's hub, a station in each of its towns and a point in every village where a
    cooperative works or a shipped order goes, loaded through services.network_load_csv
    (every node holds chilled and frozen parcels, so no bench parcel lacks a route)."""
    import csv
    import io

    from oscar.core.loading import get_model

    from logistics import services
    from logistics.models import Node
    from marketplace.cooperatives.models import Cooperative
    from marketplace.regions import codes
    from marketplace.regions.models import Region

    ShippingAddress = get_model("order", "ShippingAddress")
    villages = set(Cooperative.objects.filter(village__code__startswith=COUNTY)
                   .values_list("village_id", flat=True))
    villages |= set(ShippingAddress.objects.filter(
        order__in=_orders(order_filter, orders).values("pk"), region__code__startswith=COUNTY,
        region__level=Region.Level.VILLAGE).values_list("region_id", flat=True))
    regions = list(Region.objects.filter(code__startswith=COUNTY).filter(
        level__in=(Region.Level.COUNTY, Region.Level.TOWN)).order_by("code")) + list(
        Region.objects.filter(code__in=villages).order_by("code"))
    if Node.objects.filter(region__in=regions).count() == len(regions):
        return len(regions)  # loaded by an earlier run
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(services.CSV_COLUMNS)
    for region in regions:
        kind = {codes.COUNTY: "hub", codes.TOWN: "station"}.get(region.level, "point")
        name = {"hub": "县级分拨中心", "station": "服务站", "point": "服务点"}[kind]
        writer.writerow([kind, region.code, f"{region.name}{name}"[:100], "",
                         f"{region.name}（压测）", "", "08:00-18:00", 1, 1])
    return services.network_load_csv(text=out.getvalue())


def _parcels(order_filter, orders: int) -> list:
    """Parcels of the newest ``orders`` bench orders through services.shipments_create
    (only for orders that have none yet), with a route, in a fixed order."""
    from logistics import services
    from logistics.models import Shipment

    chosen = _orders(order_filter, orders)
    for order_id in (chosen.model.objects.filter(pk__in=chosen.values("pk"))
                     .filter(shipments__isnull=True).order_by("pk").values_list("pk", flat=True)):
        services.shipments_create(order_id=order_id)
    return list(Shipment.objects.filter(order__in=chosen.values("pk"), route_error="")
                .order_by("pk"))


def _pools(parcels: list, stations: int, batch: int, cap: int) -> list[tuple]:
    """The ``stations`` stations with the most parcels that pass through them (not as their
    last stop), each with those parcels' codes."""
    from collections import defaultdict

    from logistics.models import Hop, Node

    hops = defaultdict(list)
    for shipment_id, _seq, node_id in (Hop.objects.filter(shipment__in=[p.pk for p in parcels])
                                      .order_by("shipment_id", "seq")
                                      .values_list("shipment_id", "seq", "node_id")):
        hops[shipment_id].append(node_id)
    kinds = dict(Node.objects.values_list("pk", "kind"))
    through = defaultdict(list)
    for parcel in parcels:
        route = hops[parcel.pk]
        for node_id in route[:-1]:  # a station may not dispatch a parcel it ends at
            if node_id is not None and kinds.get(node_id) == Node.STATION:
                through[node_id].append(parcel.code)
    ranked = sorted(through.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:stations]
    if len(ranked) < stations or len(ranked[-1][1]) < batch:
        raise SystemExit(f"bench logistics: need {stations} stations with {batch} parcels each, "
                         f"found {[len(c) for _n, c in ranked]}")
    nodes = Node.objects.in_bulk([node_id for node_id, _c in ranked])
    return [(nodes[node_id], codes[:cap]) for node_id, codes in ranked]


def _history(parcels: list) -> None:
    """Scans the tracking pool's parcels already had, written in bulk once (deterministic
    client UUIDs): each parcel has got a different way along its route, from none to
    delivered, over the last two days."""
    from django.utils import timezone

    from logistics import selectors
    from logistics.models import ScanEvent, Shipment

    todo = list(selectors.shipments_with_route(
        Shipment.objects.filter(pk__in=[p.pk for p in parcels])
        .exclude(pk__in=ScanEvent.objects.values("shipment_id"))))
    start = timezone.now() - dt.timedelta(days=2)
    events = []
    for shipment in todo:
        selectors.with_state(shipment)
        nodes = [n for n in shipment.route_nodes if n is not None]
        steps = []
        for i, node in enumerate(nodes):
            last = i == len(nodes) - 1
            steps.append((node, ScanEvent.RECEIVED))
            if last and shipment.route[-1] is not None:
                steps += [(node, ScanEvent.OUT_FOR_DELIVERY), (node, ScanEvent.DELIVERED)]
            elif not last:
                steps.append((node, ScanEvent.DISPATCHED))
        rng = random.Random(shipment.code)  # a spread, not a secret
        for n, (node, kind) in enumerate(steps[:rng.randint(0, len(steps))]):
            delivered = kind == ScanEvent.DELIVERED
            events.append(ScanEvent(
                client_uuid=uuid.uuid5(HISTORY_NAMESPACE, f"{shipment.code}/{n}"),
                shipment=shipment, node=node, kind=kind,
                device_time=start + dt.timedelta(hours=3 * n, minutes=rng.randint(0, 90)),
                recipient_name="本人" if delivered else "", signature="本人" if delivered else ""))
    ScanEvent.objects.bulk_create(events, batch_size=2000, ignore_conflicts=True)


def _typical(parcels: list) -> str | None:
    """A tracking parcel with the pool's median number of scans (the replay's page)."""
    from django.db.models import Count

    from logistics.models import Shipment

    counted = list(Shipment.objects.filter(pk__in=[p.pk for p in parcels])
                   .annotate(n=Count("events")).order_by("n", "pk").values_list("code", "n"))
    return counted[len(counted) // 2][0] if counted else None
