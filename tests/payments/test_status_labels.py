"""Every order status of the pipeline has a Chinese label people read instead of its code."""

import pytest
from django.conf import settings
from django.template import Context, Template

from marketplace.shop.order.templatetags.order_status_tags import STATUS_LABELS


def test_every_pipeline_status_has_a_label():
    assert set(settings.OSCAR_ORDER_STATUS_PIPELINE) == set(STATUS_LABELS)


@pytest.mark.parametrize(("code", "label"), [
    ("pending_payment", "待付款"), ("partially_refunded", "部分退款"), ("cancelled", "已取消"),
    ("something-new", "something-new"),
])
def test_status_label_filter(code, label):
    rendered = Template("{% load order_status_tags %}{{ s|status_label }}").render(
        Context({"s": code}))

    assert rendered == label
