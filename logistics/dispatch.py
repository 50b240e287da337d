"""Joint delivery (共同配送) at the county hub: what waits for each town, daily runs, dispatch."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date as date_type

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from logistics import selectors, services, status
from logistics.models import DispatchRun, Node, RunParcel, ScanEvent, Shipment

# Dispatch scans get UUIDs derived from (run, parcel): pressing "dispatch" twice, or retrying
# after a crash half way, sends the same UUIDs and scan_record answers them as duplicates.
RUN_SCAN_NAMESPACE = uuid.UUID("5f1d3c2e-8a47-4b2a-9c61-3e0d6b7a1f90")


def run_scan_uuid(run_id: int, shipment_id: int) -> uuid.UUID:
    return uuid.uuid5(RUN_SCAN_NAMESPACE, f"dispatch-run:{run_id}:shipment:{shipment_id}")


def hubs_for(user):
    """The hubs a user may run: all for platform staff, otherwise those they operate."""
    hubs = Node.objects.filter(kind=Node.HUB)
    if not user.is_authenticated or not user.is_active:
        return hubs.none()
    if user.is_staff:
        return hubs
    return hubs.filter(operators=user)


def county_hub(region_code: str) -> Node | None:
    """The hub of the county that ``region_code`` lies in."""
    from marketplace.regions import codes as region_codes

    county = region_codes.ancestor_code(region_code, region_codes.COUNTY)
    return Node.objects.filter(kind=Node.HUB, region_id=county).first()


def parcels_at_hub(hub: Node) -> list[Shipment]:
    """Parcels received at the hub and not dispatched from it (derived state: at the hub),
    with ``state``, ``route_nodes`` set. Exceptions stay out: the hub settles them first."""
    left = ScanEvent.objects.filter(
        Q(node=hub, kind=ScanEvent.DISPATCHED) | Q(kind=ScanEvent.DELIVERED))
    candidates = (Shipment.objects
                  .filter(events__node=hub, events__kind=ScanEvent.RECEIVED)
                  .exclude(pk__in=left.values("shipment_id")).distinct())
    found = []
    for shipment in selectors.shipments_with_route(candidates).select_related("partner"):
        selectors.with_state(shipment)
        if shipment.state.status == status.AT_NODE and shipment.state.node_id == hub.pk:
            found.append(shipment)
    return found


def _point_after(shipment: Shipment, station_id: int) -> Node | None:
    nodes = shipment.route_nodes
    ids = [n.pk if n is not None else None for n in nodes]
    i = ids.index(station_id)
    return nodes[i + 1] if i + 1 < len(nodes) else None


@dataclass
class TownLoad:
    station: Node
    waiting: int = 0  # at the hub, for this town, in no open run
    planned: int = 0  # in today's open runs
    points: Counter = field(default_factory=Counter)

    @property
    def by_point(self) -> list[tuple[str, int]]:
        return sorted(self.points.items(), key=lambda kv: (-kv[1], kv[0]))


def towns_waiting(hub: Node) -> tuple[list[TownLoad], int]:
    """Each town station under the hub with the parcels waiting for it; and the number of
    parcels at the hub bound elsewhere (express carrier, routes without a station)."""
    stations = {s.pk: TownLoad(station=s)
                for s in Node.objects.filter(parent=hub, kind=Node.STATION).order_by("region_id")}
    in_open_run = set(RunParcel.objects.filter(run__hub=hub, run__dispatched_at__isnull=True)
                      .values_list("shipment_id", flat=True))
    other = 0
    for shipment in parcels_at_hub(hub):
        load = stations.get(shipment.state.next_node_id)
        if load is None:
            other += 1
        elif shipment.pk in in_open_run:
            load.planned += 1
        else:
            load.waiting += 1
            point = _point_after(shipment, load.station.pk)
            load.points[point.name if point else load.station.name] += 1
    return list(stations.values()), other


@transaction.atomic
def runs_plan(*, hub: Node, user, day: date_type | None = None) -> list[DispatchRun]:
    """Today's runs from the hub: one per town with parcels waiting, holding every parcel at
    the hub bound for that town and not yet on an open run, whatever its cooperative.

    Idempotent: planning again adds only parcels that arrived since, to the same open run;
    a town whose run has left gets a next run (number + 1). Returns the runs that got
    parcels. The hub row is locked so two planners cannot make two runs at once."""
    Node.objects.select_for_update().filter(pk=hub.pk).first()
    day = day or timezone.localdate()
    in_open_run = set(RunParcel.objects.filter(run__hub=hub, run__dispatched_at__isnull=True)
                      .values_list("shipment_id", flat=True))
    stations = {s.pk: s for s in Node.objects.filter(parent=hub, kind=Node.STATION)}
    by_station = defaultdict(list)
    for shipment in parcels_at_hub(hub):
        station_id = shipment.state.next_node_id
        if station_id in stations and shipment.pk not in in_open_run:
            by_station[station_id].append(shipment)
    runs = []
    for station_id, shipments in sorted(by_station.items()):
        run = (DispatchRun.objects.filter(hub=hub, station_id=station_id, date=day,
                                          dispatched_at__isnull=True).first())
        if run is None:
            last = (DispatchRun.objects.filter(hub=hub, station_id=station_id, date=day)
                    .aggregate(n=Max("number"))["n"]) or 0
            run = DispatchRun.objects.create(hub=hub, station_id=station_id, date=day,
                                             number=last + 1, created_by=user)
        RunParcel.objects.bulk_create([
            RunParcel(run=run, shipment=s, point=_point_after(s, station_id))
            for s in shipments], ignore_conflicts=True)
        runs.append(run)
    return runs


@dataclass(frozen=True)
class DispatchSummary:
    accepted: int
    duplicate: int
    rejected: list[tuple[str, str]]  # (parcel code, reason)

    @property
    def total(self) -> int:
        return self.accepted + self.duplicate + len(self.rejected)

    @property
    def already_done(self) -> bool:
        """Nothing new happened: every parcel had been dispatched by an earlier press."""
        return self.accepted == 0 and not self.rejected and self.duplicate > 0


class DispatchRefused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def run_dispatch(*, run: DispatchRun, operator) -> DispatchSummary:
    """Scan every parcel of the run as dispatched from the hub, each through
    services.scan_record with a UUID derived from (run, parcel): pressing twice stores each
    scan once and answers the second press with duplicates. The run is marked as left at
    the first press. Each scan is its own transaction (as from a station's phone), so a
    parcel refused does not hold the others back; its reason is kept on the run."""
    from django.utils.translation import gettext as _

    if not services.node_operated_by(operator, run.hub):
        raise DispatchRefused(_("只有本分拨中心的操作员可以发车。"))
    now = timezone.now()
    accepted = duplicate = 0
    rejected = []
    parcels = list(run.parcels.select_related("shipment"))
    for parcel in parcels:
        result = services.scan_record(
            parcel_code=parcel.shipment.code, node=run.hub, operator=operator,
            event=ScanEvent.DISPATCHED, device_time=now,
            client_uuid=run_scan_uuid(run.pk, parcel.shipment_id))
        if result.outcome == services.ACCEPTED:
            accepted += 1
        elif result.outcome == services.DUPLICATE:
            duplicate += 1
        else:
            rejected.append((parcel.shipment.code, result.reason))
        if parcel.outcome != result.outcome or parcel.reason != result.reason[:200]:
            RunParcel.objects.filter(pk=parcel.pk).update(outcome=result.outcome,
                                                           reason=result.reason[:200])
    DispatchRun.objects.filter(pk=run.pk, dispatched_at__isnull=True).update(
        dispatched_at=now, dispatched_by=operator)
    run.refresh_from_db(fields=["dispatched_at", "dispatched_by"])
    return DispatchSummary(accepted, duplicate, rejected)


def run_groups(run: DispatchRun) -> list[tuple[str, list[RunParcel]]]:
    """The run's parcels by village point (the station's own counter last), codes sorted:
    what the manifest and the run page show."""
    groups: dict[tuple, list[RunParcel]] = defaultdict(list)
    for parcel in run.parcels.select_related("shipment", "point").order_by("shipment__code"):
        point = parcel.point
        key = (0, point.region_id, point.name) if point else (1, "", run.station.name)
        groups[key].append(parcel)
    return [(key[2], parcels) for key, parcels in sorted(groups.items())]
