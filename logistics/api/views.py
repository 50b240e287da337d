"""Station app API (DRF): my nodes, the parcels at a node, and batches of scans and
temperature readings, all through the services the console uses.

Session authentication, so writes need the CSRF token like the site's forms. Anonymous
callers get 403; a node the caller does not operate is a 404, as if it did not exist. A batch
is checked as a whole (an object with a list of at most BATCH_LIMIT items: otherwise 400 and
nothing is saved), then each item on its own: the answer is 200 with one result per item."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotAuthenticated, ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from logistics import selectors, services
from logistics.api.serializers import (
    BatchResultSerializer,
    NodeSerializer,
    ParcelListsSerializer,
    ScanBatchSerializer,
    TemperatureBatchSerializer,
)
from logistics.models import Node, ScanEvent

TEXT_FIELDS = ("client_uuid", "parcel_code", "event", "device_time", "recipient_name",
               "signature", "reason", "note", "carrier_name", "tracking_number")
REFUSED = OpenApiResponse(description="the batch as a whole is refused (not an object, no "
                                      "list, more than 500 items): nothing saved")


def _operator_nodes(request):
    if not request.user.is_authenticated:
        raise NotAuthenticated()
    nodes = selectors.nodes_operated_by(request.user)
    if not request.user.is_active or not nodes.exists():
        raise Http404
    return nodes


def _node(request, node_id: int) -> Node:
    return get_object_or_404(_operator_nodes(request), pk=node_id)


def _bad(reason: str) -> Response:
    return Response({"detail": reason}, status=400)


class NodeListView(APIView):
    @extend_schema(responses={200: NodeSerializer(many=True)}, summary="Nodes I operate")
    def get(self, request):
        nodes = _operator_nodes(request).select_related("region")
        return Response(NodeSerializer(nodes, many=True).data)


class ParcelListView(APIView):
    @extend_schema(responses={200: ParcelListsSerializer},
                   summary="Parcels expected at, on hand at and recently sent on from a node")
    def get(self, request, node_id: int):
        lists = selectors.station_parcels(_node(request, node_id))
        return Response(ParcelListsSerializer(lists).data)


class _BatchView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    key = "scans"

    def post(self, request, node_id: int):
        node = _node(request, node_id)
        items = self._items(request)
        if isinstance(items, Response):
            return items
        results: list = [None] * len(items)
        clean = []
        for i, item in enumerate(items):
            problem = _item_problem(item)
            if problem:
                uid = item.get("client_uuid") if isinstance(item, dict) else ""
                results[i] = services.ScanResult(uid if isinstance(uid, str) else "",
                                                 services.REJECTED, problem)
            else:
                clean.append((i, self.scan_of(item, request)))
        recorded = services.scans_record_batch(node=node, operator=request.user,
                                               scans=[scan for _i, scan in clean])
        for (i, _scan), result in zip(clean, recorded, strict=True):
            results[i] = result
        counts = Counter(r.outcome for r in results)
        return Response({
            "results": [{"client_uuid": r.client_uuid, "outcome": r.outcome, "reason": r.reason}
                        for r in results],
            **{k: counts.get(k, 0) for k in (services.ACCEPTED, services.DUPLICATE,
                                              services.REJECTED)},
        })

    def _items(self, request):
        try:
            data = request.data
        except ParseError:
            return _bad(_("请求体不是有效的 JSON。"))
        if not isinstance(data, Mapping):
            return _bad(_("请求体必须是一个对象，例如 {\"%(key)s\": [...]}。") % {"key": self.key})
        items = data.get(self.key)
        if isinstance(items, str) and hasattr(data, "getlist"):
            # multipart (photos attached): the list travels as a JSON text field
            try:
                items = json.loads(items)
            except ValueError:
                return _bad(_("%(key)s 不是有效的 JSON。") % {"key": self.key})
        if items is None:
            return _bad(_("缺少 %(key)s。") % {"key": self.key})
        if not isinstance(items, list):
            return _bad(_("%(key)s 必须是列表。") % {"key": self.key})
        if len(items) > services.BATCH_LIMIT:
            return _bad(_("一批最多 %(limit)d 条，这批有 %(n)d 条：整批未保存，请分批上传。") % {
                "limit": services.BATCH_LIMIT, "n": len(items)})
        return items

    def scan_of(self, item: dict, request) -> dict:
        raise NotImplementedError


def _item_problem(item) -> str:
    if not isinstance(item, dict):
        return _("每条必须是一个对象。")
    for key in TEXT_FIELDS:
        value = item.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            return _("字段 %(field)s 必须是文字。") % {"field": key}
        if "\x00" in value or not _encodable(value):
            return _("字段 %(field)s 含有无效字符。") % {"field": key}
    temperature = item.get("temperature")
    if temperature is not None and (isinstance(temperature, bool)
                                    or not isinstance(temperature, (str, int, float))):
        return _("温度必须是数字（℃）。")
    return ""


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates ("\ud800") are valid JSON, not UTF-8
        return False
    return True


class ScanBatchView(_BatchView):
    key = "scans"

    @extend_schema(request={"application/json": ScanBatchSerializer,
                            "multipart/form-data": ScanBatchSerializer},
                   responses={200: BatchResultSerializer, 400: REFUSED},
                   summary="Record a batch of scans (an offline queue, up to 500)")
    def post(self, request, node_id: int):
        return super().post(request, node_id)

    def scan_of(self, item: dict, request) -> dict:
        scan = {k: item.get(k) for k in (*TEXT_FIELDS, "temperature")}
        uid = item.get("client_uuid") or ""
        photo = request.FILES.get(f"photo_{uid}") if uid else None
        if photo is not None:
            scan["photo"] = photo
        return scan


class TemperatureBatchView(_BatchView):
    key = "readings"

    @extend_schema(request=TemperatureBatchSerializer,
                   responses={200: BatchResultSerializer, 400: REFUSED},
                   summary="Record a batch of temperature readings (up to 500)")
    def post(self, request, node_id: int):
        return super().post(request, node_id)

    def scan_of(self, item: dict, request) -> dict:
        return {"client_uuid": item.get("client_uuid"), "parcel_code": item.get("parcel_code"),
                "device_time": item.get("device_time"), "temperature": item.get("temperature"),
                "event": ScanEvent.TEMPERATURE}
