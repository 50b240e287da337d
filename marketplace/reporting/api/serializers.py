"""The shape of the 数商兴农 report JSON (for the schema; the view returns reports.report_data
as it is). Money is integer fen, shares and changes are fractions (0.12 = 12 %)."""

from __future__ import annotations

from rest_framework import serializers


class ReportMeasures(serializers.Serializer):
    gmv_fen = serializers.IntegerField()
    refund_fen = serializers.IntegerField()
    net_fen = serializers.IntegerField()
    orders = serializers.IntegerField()
    units = serializers.IntegerField()


class ReportCountySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ReportDaysSerializer(serializers.Serializer):
    first_day = serializers.DateField()
    last_day = serializers.DateField()


class ReportIndicatorSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="gmv_fen (农产品网络零售额), refund_fen, net_fen, "
                                          "orders, units, buyers, aov_fen, live_sessions, "
                                          "live_gmv_fen, live_share, poverty_gmv_fen, "
                                          "poverty_share, active_cooperatives, households")
    label = serializers.CharField()
    unit = serializers.CharField(help_text="fen, count or ratio")
    value = serializers.FloatField()
    previous = serializers.FloatField(help_text="the period before (环比 base)")
    year_before = serializers.FloatField(help_text="the same period a year before (同比 base)")
    mom = serializers.FloatField(allow_null=True, help_text="环比; null without a base")
    yoy = serializers.FloatField(allow_null=True, help_text="同比; null without a base")


class ReportCategorySerializer(ReportMeasures):
    category_id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    share = serializers.FloatField()


class ReportTownSerializer(ReportMeasures):
    code = serializers.CharField()
    name = serializers.CharField()
    share = serializers.FloatField()


class ReportProductSerializer(ReportMeasures):
    rank = serializers.IntegerField()
    product_id = serializers.IntegerField()
    title = serializers.CharField()
    cooperative = serializers.CharField()


class ReportSessionSerializer(ReportMeasures):
    live_session_id = serializers.IntegerField()
    title = serializers.CharField()
    host = serializers.CharField()
    start = serializers.CharField()
    viewers = serializers.IntegerField()
    conversion = serializers.FloatField(allow_null=True)


class ReportLiveSerializer(ReportMeasures):
    sessions_held = serializers.IntegerField()
    sessions_with_sales = serializers.IntegerField()
    share = serializers.FloatField()
    sessions = ReportSessionSerializer(many=True)


class ReportCooperativeSerializer(ReportMeasures):
    cooperative_id = serializers.IntegerField()
    name = serializers.CharField()
    poverty_area = serializers.BooleanField()
    member_households = serializers.IntegerField()


class ReportPovertySerializer(serializers.Serializer):
    gmv_fen = serializers.IntegerField()
    refund_fen = serializers.IntegerField()
    net_fen = serializers.IntegerField()
    share = serializers.FloatField()
    cooperatives = serializers.IntegerField()
    households = serializers.IntegerField()
    rows = ReportCooperativeSerializer(many=True)


class ReportCooperativesSerializer(serializers.Serializer):
    active = serializers.IntegerField()
    households = serializers.IntegerField()
    rows = ReportCooperativeSerializer(many=True)


class ReportSerializer(serializers.Serializer):
    county = ReportCountySerializer()
    period = serializers.CharField(help_text="month or quarter")
    period_key = serializers.CharField(help_text="2026-10 or 2026-Q3")
    period_label = serializers.CharField()
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    previous_period = ReportDaysSerializer()
    year_before = ReportDaysSerializer()
    currency = serializers.CharField()
    computed_at = serializers.DateTimeField()
    generated_at = serializers.DateTimeField(allow_null=True,
                                             help_text="when the stored report was generated")
    source = serializers.CharField(help_text="stored (the generated report) or live")
    empty = serializers.BooleanField()
    notice = serializers.CharField(help_text="本期无销售数据 when the period had no sales")
    indicators = ReportIndicatorSerializer(many=True)
    categories = ReportCategorySerializer(many=True)
    towns = ReportTownSerializer(many=True)
    top_products = ReportProductSerializer(many=True)
    live = ReportLiveSerializer()
    poverty = ReportPovertySerializer()
    cooperatives = ReportCooperativesSerializer()
