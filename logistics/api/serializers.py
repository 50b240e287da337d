"""API shapes for station apps: nodes, parcels in three lists, scan batches and results.

The batch request serializers document the shape (OpenAPI); items are checked one by one in
the view so one bad item is rejected alone instead of refusing the whole batch."""

from __future__ import annotations

from rest_framework import serializers

from logistics.models import Node, ScanEvent
from logistics.services import BATCH_LIMIT


class NodeSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id")

    class Meta:
        model = Node
        fields = ["id", "kind", "name", "region", "address", "opening_hours", "holds_chilled",
                  "holds_frozen"]


def _place(region) -> str:
    """Town and village names only (no address: parcels carry personal data)."""
    parent = region.parent.name if region.parent_id else ""
    return f"{parent} {region.name}".strip()


class ParcelSerializer(serializers.Serializer):
    code = serializers.CharField()
    storage = serializers.CharField()
    origin = serializers.SerializerMethodField()
    destination = serializers.SerializerMethodField()
    status = serializers.CharField(source="state.status")
    status_label = serializers.CharField(source="state.label")
    node = serializers.IntegerField(source="state.node_id", allow_null=True)
    next_node = serializers.IntegerField(source="state.next_node_id", allow_null=True)
    since = serializers.DateTimeField(source="state.since", allow_null=True)

    def get_origin(self, shipment) -> str:
        return _place(shipment.origin_region)

    def get_destination(self, shipment) -> str:
        return _place(shipment.destination_region)


class ParcelListsSerializer(serializers.Serializer):
    expected = ParcelSerializer(many=True)
    on_hand = ParcelSerializer(many=True)
    dispatched = ParcelSerializer(many=True)


class ScanItemSerializer(serializers.Serializer):
    client_uuid = serializers.UUIDField(help_text="Made by the device at scan time; the same "
                                                  "UUID again is answered as a duplicate.")
    parcel_code = serializers.CharField(help_text="The code, or the label's tracking URL.")
    event = serializers.ChoiceField(choices=[k for k, _label in ScanEvent.KINDS])
    device_time = serializers.DateTimeField(help_text="ISO 8601 with a zone.")
    recipient_name = serializers.CharField(required=False, help_text="delivered")
    signature = serializers.CharField(required=False,
                                      help_text="delivered: a typed signature, or a photo "
                                                "in the multipart field photo_<client_uuid>")
    reason = serializers.ChoiceField(choices=[k for k, _label in ScanEvent.REASONS],
                                     required=False, help_text="exception")
    note = serializers.CharField(required=False)
    temperature = serializers.DecimalField(max_digits=4, decimal_places=1, required=False)
    carrier_name = serializers.CharField(required=False, help_text="hub → express carrier")
    tracking_number = serializers.CharField(required=False, help_text="hub → express carrier")


class ScanBatchSerializer(serializers.Serializer):
    scans = ScanItemSerializer(many=True, max_length=BATCH_LIMIT,
                               help_text="As JSON, or in multipart/form-data as a JSON text "
                                         "field `scans` with photos in photo_<client_uuid>.")


class TemperatureItemSerializer(serializers.Serializer):
    client_uuid = serializers.UUIDField()
    parcel_code = serializers.CharField()
    temperature = serializers.DecimalField(max_digits=4, decimal_places=1)
    device_time = serializers.DateTimeField()


class TemperatureBatchSerializer(serializers.Serializer):
    readings = TemperatureItemSerializer(many=True, max_length=BATCH_LIMIT)


class ScanResultSerializer(serializers.Serializer):
    client_uuid = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["accepted", "duplicate", "rejected"])
    reason = serializers.CharField(allow_blank=True)


class BatchResultSerializer(serializers.Serializer):
    results = ScanResultSerializer(many=True)
    accepted = serializers.IntegerField()
    duplicate = serializers.IntegerField()
    rejected = serializers.IntegerField()
