"""The county → town → village network (县乡村三级物流), shipments routed through it, and the
hand-over scans that move them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.regions import codes as region_codes
from marketplace.shop.catalogue.storage import AMBIENT, STORAGE_OPTIONS


class Node(models.Model):
    """A place that hands parcels over: the county hub (县级分拨中心), a town station
    (乡镇服务站) or a village service point (村级服务点)."""

    HUB, STATION, POINT = "hub", "station", "point"
    KINDS = (
        (HUB, _("县级分拨中心")),
        (STATION, _("乡镇服务站")),
        (POINT, _("村级服务点")),
    )
    # The region level each kind serves, and the kind of its parent.
    LEVEL = {HUB: region_codes.COUNTY, STATION: region_codes.TOWN, POINT: region_codes.VILLAGE}
    PARENT_KIND = {HUB: None, STATION: HUB, POINT: STATION}

    kind = models.CharField(_("类型"), max_length=8, choices=KINDS, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    region = models.OneToOneField(
        "regions.Region", on_delete=models.PROTECT, related_name="logistics_node",
        verbose_name=_("服务区域"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        verbose_name=_("上级节点"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    opening_hours = models.CharField(_("营业时间"), max_length=100, blank=True,
                                     help_text=_("例如 08:00-18:00"))
    holds_chilled = models.BooleanField(_("可存放冷藏品"), default=False)
    holds_frozen = models.BooleanField(_("可存放冷冻品"), default=False)
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="logistics_nodes",
        verbose_name=_("操作员"))

    class Meta:
        ordering = ("region_id",)
        verbose_name = _("物流节点")
        verbose_name_plural = _("物流节点")

    def __str__(self) -> str:
        return self.name

    def holds(self, storage: str) -> bool:
        """Whether parcels of this storage class (常温 / 冷藏 / 冷冻) may wait here."""
        from logistics.routing import node_holds

        return node_holds(storage, chilled=self.holds_chilled, frozen=self.holds_frozen)

    def clean(self):
        super().clean()
        if self.region_id and self.kind:
            if region_codes.level_of(self.region_id) != self.LEVEL[self.kind]:
                raise ValidationError({"region": _("节点类型与服务区域的级别不符。")})
        if self.kind:
            want = self.PARENT_KIND[self.kind]
            if want is None and self.parent_id:
                raise ValidationError({"parent": _("县级分拨中心没有上级节点。")})
            if want is not None:
                if self.parent is None or self.parent.kind != want:
                    raise ValidationError({"parent": _("上级节点的类型不对。")})
                parent_level = self.LEVEL[want]
                if self.region_id and region_codes.ancestor_code(
                        self.region_id, parent_level) != self.parent.region_id:
                    raise ValidationError({"parent": _("上级节点不在本节点的上级区域。")})


class Shipment(models.Model):
    """One parcel: the lines of one cooperative in one paid order, on one route."""

    code = models.CharField(_("运单号"), max_length=16, unique=True)
    order = models.ForeignKey("order.Order", on_delete=models.PROTECT,
                              related_name="shipments", verbose_name=_("订单"))
    partner = models.ForeignKey("partner.Partner", on_delete=models.PROTECT,
                                related_name="shipments", verbose_name=_("合作社"))
    storage = models.CharField(_("储存方式"), max_length=4, default=AMBIENT,
                               choices=[(s, s) for s in STORAGE_OPTIONS])
    origin_region = models.ForeignKey("regions.Region", on_delete=models.PROTECT,
                                      related_name="+", verbose_name=_("发货地"))
    destination_region = models.ForeignKey("regions.Region", on_delete=models.PROTECT,
                                           related_name="+", verbose_name=_("收货地"))
    # Set when no route could be made (e.g. no cold-chain node on the way): the hub sees it.
    route_error = models.CharField(_("路由问题"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("包裹")
        verbose_name_plural = _("包裹")
        constraints = [
            models.UniqueConstraint(fields=["order", "partner"], name="shipment_per_cooperative"),
        ]

    def __str__(self) -> str:
        return self.code


class Hop(models.Model):
    """One stop of a shipment's route, in order; the last stop outside the county is an
    express carrier (no node)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="hops")
    seq = models.PositiveSmallIntegerField()
    node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="hops")

    class Meta:
        ordering = ("shipment_id", "seq")
        constraints = [
            models.UniqueConstraint(fields=["shipment", "seq"], name="hop_seq_once"),
        ]
        indexes = [models.Index(fields=["node", "shipment"])]

    def __str__(self) -> str:
        return f"{self.shipment_id}#{self.seq}"

    @property
    def is_carrier(self) -> bool:
        return self.node_id is None


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    line = models.OneToOneField("order.Line", on_delete=models.PROTECT,
                                related_name="shipment_line")
    quantity = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.shipment_id}/{self.line_id}"


class ScanEvent(models.Model):
    """What an operator scanned at a node, with the device's clock; a parcel's status is
    derived from these (logistics.status), never stored beside them."""

    RECEIVED, DISPATCHED, OUT_FOR_DELIVERY = "received", "dispatched", "out_for_delivery"
    DELIVERED, EXCEPTION, TEMPERATURE = "delivered", "exception", "temperature"
    KINDS = (
        (RECEIVED, _("到站签收")),
        (DISPATCHED, _("发出")),
        (OUT_FOR_DELIVERY, _("派送中")),
        (DELIVERED, _("已妥投")),
        (EXCEPTION, _("异常")),
        (TEMPERATURE, _("温度记录")),
    )
    MOVEMENTS = frozenset({RECEIVED, DISPATCHED, OUT_FOR_DELIVERY, DELIVERED})

    DAMAGED, REFUSED, ADDRESS = "damaged", "refused", "address"
    REASONS = (
        (DAMAGED, _("破损")),
        (REFUSED, _("拒收")),
        (ADDRESS, _("地址问题")),
    )

    client_uuid = models.UUIDField(_("客户端编号"), unique=True)
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="events")
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                 related_name="+")
    kind = models.CharField(_("事件"), max_length=20, choices=KINDS)
    device_time = models.DateTimeField(_("扫描时间"))
    recorded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    recipient_name = models.CharField(_("签收人"), max_length=50, blank=True)
    proof_photo = models.ImageField(_("签收照片"), upload_to="logistics/proof/%Y/%m/",
                                    blank=True)
    signature = models.CharField(_("签名"), max_length=100, blank=True)
    reason = models.CharField(_("异常原因"), max_length=10, choices=REASONS, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    temperature = models.DecimalField(_("温度（℃）"), max_digits=4, decimal_places=1,
                                      null=True, blank=True)
    carrier_name = models.CharField(_("快递公司"), max_length=50, blank=True)
    tracking_number = models.CharField(_("快递单号"), max_length=50, blank=True)

    class Meta:
        ordering = ("device_time", "recorded_at", "pk")
        verbose_name = _("扫描记录")
        verbose_name_plural = _("扫描记录")
        indexes = [
            models.Index(fields=["shipment", "device_time"]),
            models.Index(fields=["node", "kind", "device_time"]),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.kind} @{self.node_id}"


# --- the hub: joint delivery runs, cold-chain alerts, SLA watch --------------------------------

class DispatchRun(models.Model):
    """A joint delivery run (共同配送): one vehicle from the county hub to one town station on
    one day, carrying every cooperative's parcels for that town's villages."""

    hub = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="runs_out",
                            verbose_name=_("分拨中心"))
    station = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="runs_in",
                                verbose_name=_("乡镇服务站"))
    date = models.DateField(_("日期"))
    # A town may get a second run the same day once the first has left.
    number = models.PositiveSmallIntegerField(_("车次"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("计划人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("发车时间"), null=True, blank=True)
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+",
                                      verbose_name=_("发车人"))

    class Meta:
        ordering = ("-date", "station_id", "number")
        verbose_name = _("共同配送车次")
        verbose_name_plural = _("共同配送车次")
        constraints = [
            models.UniqueConstraint(fields=["hub", "station", "date", "number"],
                                    name="dispatch_run_once"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.station_id}#{self.number}"


class RunParcel(models.Model):
    """A parcel on a run, with the village point it goes to next (None: the station itself
    is its last stop) and what its dispatch scan answered."""

    run = models.ForeignKey(DispatchRun, on_delete=models.CASCADE, related_name="parcels")
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="run_parcels")
    point = models.ForeignKey(Node, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("村级服务点"))
    outcome = models.CharField(_("发车扫描结果"), max_length=10, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        ordering = ("run_id", "point_id", "shipment__code")
        constraints = [
            models.UniqueConstraint(fields=["run", "shipment"], name="run_parcel_once"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.shipment_id}"


class TemperatureAlert(models.Model):
    """A cold-chain reading outside its parcel's range (温度异常); one per scan event."""

    event = models.OneToOneField(ScanEvent, on_delete=models.CASCADE, related_name="alert",
                                 verbose_name=_("温度记录"))
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE,
                                 related_name="temperature_alerts")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    temperature = models.DecimalField(_("温度（℃）"), max_digits=4, decimal_places=1)
    low = models.DecimalField(_("下限"), max_digits=4, decimal_places=1)
    high = models.DecimalField(_("上限"), max_digits=4, decimal_places=1)
    created_at = models.DateTimeField(_("告警时间"), auto_now_add=True)
    notified = models.PositiveIntegerField(_("通知人数"), default=0)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("温度告警")
        verbose_name_plural = _("温度告警")

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.temperature}℃"


class SlaBreach(models.Model):
    """A parcel that stayed at a node longer than that level's limit (超时滞留)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="sla_breaches")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="sla_breaches")
    arrived_at = models.DateTimeField(_("到站时间"))
    limit_hours = models.PositiveSmallIntegerField(_("时限（小时）"))
    detected_at = models.DateTimeField(_("发现时间"))
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ("arrived_at", "pk")
        verbose_name = _("超时滞留")
        verbose_name_plural = _("超时滞留")
        constraints = [
            models.UniqueConstraint(fields=["shipment", "node"], name="sla_breach_once"),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id}@{self.node_id}"
