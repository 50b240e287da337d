"""API shapes of harvest batches, their records and codes, binding, and a code's events."""

from __future__ import annotations

from rest_framework import serializers

from marketplace.traceability.models import HarvestBatch, InputRecord, Inspection, TraceCode
from marketplace.traceability.services import MAX_CODES_PER_ISSUE


class InputSerializer(serializers.ModelSerializer):
    interval_problem = serializers.CharField(read_only=True)

    class Meta:
        model = InputRecord
        fields = ["id", "kind", "name", "registration_number", "amount", "applied_on",
                  "safe_interval_days", "interval_problem"]
        read_only_fields = fields


class InspectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Inspection
        fields = ["id", "kind", "number", "issuer", "inspected_on", "result", "document"]
        read_only_fields = fields


class BatchSerializer(serializers.ModelSerializer):
    cooperative = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    product_title = serializers.CharField(source="product.get_title", read_only=True)
    code_count = serializers.IntegerField(read_only=True)
    bound_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = HarvestBatch
        fields = ["id", "cooperative", "product", "product_title", "batch_number",
                  "plot_region", "plot_description", "planted_on", "harvested_on",
                  "quantity", "unit", "code_count", "bound_count"]
        read_only_fields = fields


class BatchDetailSerializer(BatchSerializer):
    inputs = InputSerializer(many=True, read_only=True)
    inspections = InspectionSerializer(many=True, read_only=True)

    class Meta(BatchSerializer.Meta):
        fields = [*BatchSerializer.Meta.fields, "inputs", "inspections"]
        read_only_fields = fields


class BatchCreateSerializer(serializers.Serializer):
    """What a new batch takes (checked by the dashboard's own form, same messages)."""

    cooperative = serializers.IntegerField(help_text="the cooperative's id")
    product = serializers.IntegerField(help_text="a product the cooperative sells")
    batch_number = serializers.CharField(max_length=40)
    plot_region = serializers.CharField(required=False, help_text="town or village code")
    plot_description = serializers.CharField(required=False, max_length=200)
    planted_on = serializers.DateField(required=False)
    harvested_on = serializers.DateField()
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2)
    unit = serializers.CharField(max_length=8)


class InputCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=InputRecord.Kind.choices)
    name = serializers.CharField(max_length=100)
    registration_number = serializers.CharField(required=False, max_length=40)
    amount = serializers.CharField(max_length=40)
    applied_on = serializers.DateField()
    safe_interval_days = serializers.IntegerField(required=False, min_value=0)


class CodeSerializer(serializers.ModelSerializer):
    bound = serializers.SerializerMethodField()

    class Meta:
        model = TraceCode
        fields = ["code", "serial", "bound", "bound_at"]
        read_only_fields = fields

    def get_bound(self, obj) -> bool:
        return obj.order_line_id is not None


class CodesIssueSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=1, max_value=MAX_CODES_PER_ISSUE)


class BindSerializer(serializers.Serializer):
    """Either the codes scanned for the line's units, or the batch it was packed from."""

    codes = serializers.ListField(child=serializers.CharField(max_length=64), required=False,
                                  max_length=1000)
    batch = serializers.IntegerField(required=False)


class EventSerializer(serializers.Serializer):
    """One EPCIS 2.0-like ObjectEvent (https://ref.gs1.org/standards/epcis/): what (epcList),
    when (eventTime), where (readPoint / bizLocation, town or village level), why (bizStep,
    disposition)."""

    type = serializers.CharField()
    eventTime = serializers.DateTimeField()
    eventTimeZoneOffset = serializers.CharField()
    action = serializers.CharField()
    bizStep = serializers.CharField()
    disposition = serializers.CharField()
    epcList = serializers.ListField(child=serializers.CharField())
    readPoint = serializers.DictField(required=False)
    bizLocation = serializers.DictField(required=False)
    ilmd = serializers.DictField(required=False)
    description = serializers.CharField()


class EventListSerializer(serializers.Serializer):
    code = serializers.CharField()
    epcList = serializers.ListField(child=serializers.CharField())
    eventList = EventSerializer(many=True)
