"""API shapes of live sessions, their items, pins and comments."""

from __future__ import annotations

from decimal import Decimal

from oscar.core.loading import get_model
from rest_framework import serializers

from marketplace.livestream.models import Comment, LiveSession, SessionItem

Product = get_model("catalogue", "Product")


class ItemSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="product.get_title", read_only=True)
    units_left = serializers.IntegerField(read_only=True)

    class Meta:
        model = SessionItem
        fields = ["id", "product", "title", "live_price", "flash_quantity", "units_left",
                  "per_buyer_limit", "display_order", "flash_ends_at"]
        read_only_fields = ["id", "units_left"]


class ItemCreateSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    live_price = serializers.DecimalField(max_digits=12, decimal_places=2,
                                          min_value=Decimal("0.01"))
    flash_quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)
    per_buyer_limit = serializers.IntegerField(min_value=0, max_value=1000, default=0)
    display_order = serializers.IntegerField(min_value=0, max_value=1000, default=0)
    flash_ends_at = serializers.DateTimeField(required=False, allow_null=True)


class SessionSerializer(serializers.ModelSerializer):
    cooperatives = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    items = ItemSerializer(many=True, read_only=True)

    class Meta:
        model = LiveSession
        fields = ["slug", "title", "description", "status", "cooperatives", "scheduled_start",
                  "scheduled_end", "started_at", "ended_at", "hls_url", "replay_url", "items"]
        read_only_fields = fields


class PinSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1)


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["go_live", "end", "cancel"])


class CommentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Comment
        fields = ["id", "text", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"text": {"max_length": None}}  # the service says why it is too long
