"""Binding codes when packing (打包绑码), issuing codes, and input records that break the safe
interval: what staff are told, and what is (not) saved."""
# ruff: noqa: F811  (the trace page's batch and codes fixtures are imported and used as parameters)

from __future__ import annotations

import datetime as dt

import pytest

from marketplace.traceability import services
from marketplace.traceability.models import InputRecord, LineBatch, TraceCode
from tests import factories
from tests.dashboard.builders import order_with_lines, stockrecord
from tests.traceability.test_trace_page import HARVESTED, batch, codes  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def line_of(buyer, product, quantity=2):
    order = order_with_lines(user=buyer, stockrecords=[stockrecord(product)], quantity=quantity)
    return order.lines.get()


def test_codes_bound_to_a_line_show_which_batch_it_came_from(buyer, product_a, staff_a, codes):
    line = line_of(buyer, product_a)
    bound = services.codes_bind(order_line=line, codes=codes[:2], user=staff_a)
    assert [c.code for c in bound] == sorted(codes[:2], key=codes.index)
    assert {c.order_line_id for c in TraceCode.objects.filter(code__in=codes[:2])} == {line.pk}
    assert LineBatch.objects.filter(order_line=line).count() == 1
    # a packer scanning the same sticker again is not an error and binds nothing new
    services.codes_bind(order_line=line, codes=[codes[0].lower()], user=staff_a)
    assert TraceCode.objects.filter(order_line=line).count() == 2


def test_a_code_bound_to_another_order_is_refused_and_stays_where_it_was(
        buyer, product_a, staff_a, codes):
    first, second = line_of(buyer, product_a), line_of(buyer, product_a)
    services.codes_bind(order_line=first, codes=[codes[0]], user=staff_a)
    with pytest.raises(services.TraceError, match="已绑定到其他订单"):
        services.codes_bind(order_line=second, codes=[codes[1], codes[0]], user=staff_a)
    assert TraceCode.objects.get(code=codes[0]).order_line_id == first.pk
    assert TraceCode.objects.get(code=codes[1]).order_line_id is None  # nothing half-bound


def test_more_codes_than_units_are_refused(buyer, product_a, staff_a, codes):
    line = line_of(buyer, product_a, quantity=2)
    with pytest.raises(services.TraceError, match="只有 2 件"):
        services.codes_bind(order_line=line, codes=codes, user=staff_a)
    assert not TraceCode.objects.filter(order_line=line).exists()


def test_codes_of_another_product_or_by_another_cooperative_are_refused(
        buyer, coop_a, product_a, staff_a, staff_b, codes):
    other_product = factories.product(coop_a, title="另一种茶")
    with pytest.raises(services.TraceError, match="不一致"):
        services.codes_bind(order_line=line_of(buyer, other_product), codes=[codes[0]],
                            user=staff_a)
    with pytest.raises(services.TraceError, match="本合作社"):
        services.codes_bind(order_line=line_of(buyer, product_a), codes=[codes[0]],
                            user=staff_b)
    assert TraceCode.objects.get(code=codes[0]).order_line_id is None


@pytest.mark.parametrize(("typed", "message"), [
    ("", "至少一个码"), ("ABC", "长度不对"), ("ABCDEFGHJKU", "无效字符"),
    ("0000000000Z", "校验位不对"),
])
def test_mistyped_codes_get_a_clear_message(buyer, product_a, staff_a, codes, typed, message):
    with pytest.raises(services.TraceError, match=message):
        services.codes_bind(order_line=line_of(buyer, product_a),
                            codes=[typed] if typed else [], user=staff_a)


def test_issuing_codes_continues_the_serials_and_has_limits(batch, staff_a, staff_b, codes):
    more = services.codes_issue(batch=batch, count=2, user=staff_a)
    assert [c.serial for c in more] == [4, 5]
    for count in (0, services.MAX_CODES_PER_ISSUE + 1):
        with pytest.raises(ValueError, match="请分批生成"):
            services.codes_issue(batch=batch, count=count, user=staff_a)
    with pytest.raises(services.TraceError):
        services.codes_issue(batch=batch, count=1, user=staff_b)
    assert batch.codes.count() == 5


def test_an_input_inside_the_safe_interval_is_kept_with_its_warning(batch):
    # the batch's pesticide was applied 3 days before harvest with a 7-day safe interval
    record = InputRecord.objects.get(batch=batch, kind="pesticide")
    assert "7" in record.interval_problem and "3" in record.interval_problem
    fertiliser = InputRecord.objects.get(batch=batch, kind="fertiliser")
    assert fertiliser.interval_problem == ""
    late = InputRecord.objects.create(batch=batch, kind="pesticide", name="吡虫啉",
                                      registration_number="PD20060001", amount="每亩 10 克",
                                      applied_on=HARVESTED + dt.timedelta(days=1),
                                      safe_interval_days=14)
    assert late.interval_problem
