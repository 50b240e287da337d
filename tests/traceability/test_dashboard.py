"""The staff dashboard of traceability (/dashboard/trace/): a cooperative's staff manage their
own batches, record inputs and inspections, issue codes, print labels and bind codes while
packing; another cooperative's batch or order line answers 404, bad input a form error."""
# ruff: noqa: F811  (the trace page's batch and codes fixtures are imported and used as parameters)

from __future__ import annotations

import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from PIL import Image

from marketplace.traceability import services
from marketplace.traceability.models import (
    HarvestBatch,
    InputRecord,
    Inspection,
    LineBatch,
    TraceCode,
)
from marketplace.traceability.services import TraceError
from tests import factories
from tests.dashboard.builders import order_with_lines, stockrecord
from tests.traceability.test_labels import qr_payloads
from tests.traceability.test_trace_page import HARVESTED, batch, codes  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name, *args):
    return reverse(f"trace-dashboard:{name}", args=args)


def batch_post(product, coop, **extra):
    data = {
        "cooperative": coop.pk, "product": product.pk, "batch_number": "MG-2026-10",
        "plot_region": "331123001007", "plot_description": "金竹村 3 号田",
        "planted_on": "2026-05-10", "harvested_on": "2026-10-01", "quantity": "800",
        "unit": "斤",
    }
    data.update(extra)
    return data


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def batch_b(coop_b, product_b, staff_b):
    made = services.batch_create(
        user=staff_b, cooperative=coop_b, product=product_b, batch_number="HS-2026-01",
        harvested_on=dt.date(2026, 4, 1), quantity=Decimal("100"), unit="斤")
    services.codes_issue(batch=made, count=2, user=staff_b)
    return made


# --- who sees what ------------------------------------------------------------------------

def test_staff_see_only_their_own_cooperatives_batches(staff_a, batch, batch_b,
                                                       django_assert_max_num_queries):
    # given batches of cooperatives A and B
    client = client_for(staff_a)
    # when A's staff open the list
    with django_assert_max_num_queries(12):
        response = client.get(url("batch-list"))
    # then only A's batch is there, with its code counts
    assert response.status_code == 200
    content = response.content.decode()
    assert batch.batch_number in content
    assert batch_b.batch_number not in content


def test_another_cooperatives_batch_and_line_answer_404_and_change_nothing(
        staff_a, batch_b, buyer, product_b):
    # given B's batch with codes, and an order line of B's product
    line = order_with_lines(user=buyer, stockrecords=[stockrecord(product_b)]).lines.get()
    client = client_for(staff_a)
    code = batch_b.codes.first().code
    # when A's staff open or post to them
    gets = [url("batch-detail", batch_b.pk), url("batch-edit", batch_b.pk),
            url("batch-labels", batch_b.pk) + "?first=1&last=2",
            url("order-pack", line.order.number), url("line-pack", line.pk)]
    posts = [(url("batch-edit", batch_b.pk), {"batch_number": "改掉"}),
             (url("input-add", batch_b.pk), {
                 "input-kind": "other", "input-name": "水", "input-amount": "1",
                 "input-applied_on": "2026-03-01"}),
             (url("codes-issue", batch_b.pk), {"count": 5}),
             (url("line-pack", line.pk), {"action": "codes", "codes-codes": code})]
    # then every one is a 404 and nothing changed
    for path in gets:
        assert client.get(path).status_code == 404, path
    for path, data in posts:
        assert client.post(path, data).status_code == 404, path
    batch_b.refresh_from_db()
    assert batch_b.batch_number == "HS-2026-01"
    assert batch_b.inputs.count() == 0 and batch_b.codes.count() == 2
    assert not TraceCode.objects.filter(order_line=line).exists()


def test_anonymous_visitors_are_sent_to_the_dashboard_login_and_buyers_refused(buyer, batch):
    response = Client().get(url("batch-detail", batch.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("dashboard:login"))
    assert client_for(buyer).get(url("batch-list")).status_code == 403


def test_the_dashboard_menu_offers_trace_batches_to_cooperative_staff(staff_a):
    response = client_for(staff_a).get(reverse("dashboard:index"))
    assert url("batch-list").encode() in response.content
    assert "溯源批次" in response.content.decode()


# --- batches, inputs, inspections -------------------------------------------------------

def test_a_batch_is_created_with_its_first_input_and_inspection_in_one_step(
        staff_a, coop_a, product_a):
    # given the new-batch form filled with a fertiliser and a 合格证 with a photo
    data = batch_post(product_a, coop_a, **{
        "input-kind": "fertiliser", "input-name": "腐熟羊粪有机肥",
        "input-amount": "每亩 200 公斤", "input-applied_on": "2026-06-01",
        "inspection-kind": "certificate", "inspection-number": "HGZ-001",
        "inspection-issuer": "妙高红米合作社", "inspection-inspected_on": "2026-10-02",
        "inspection-result": "pass",
        "inspection-document": SimpleUploadedFile("hgz.png", png_bytes(), "image/png"),
    })
    # when it is posted
    response = client_for(staff_a).post(url("batch-create"), data)
    # then the batch page opens with all three saved
    made = HarvestBatch.objects.get(batch_number="MG-2026-10")
    assert response.status_code == 302 and response["Location"] == url("batch-detail", made.pk)
    assert made.cooperative == coop_a and made.created_by == staff_a
    assert made.inputs.get().name == "腐熟羊粪有机肥"
    assert made.inspections.get().document.name.endswith(".png")
    page = client_for(staff_a).get(response["Location"]).content.decode()
    assert "腐熟羊粪有机肥" in page and "HGZ-001" in page


@pytest.mark.parametrize(("bad", "field", "message"), [
    ({"harvested_on": ""}, "harvested_on", "字段是必填项"),
    ({"planted_on": "2026-11-01"}, "planted_on", "种植日期不能晚于采收日期"),
    ({"quantity": "-3"}, "quantity", "数量必须大于 0"),
    ({"harvested_on": "2026-02-30"}, "harvested_on", "有效的日期"),
    ({"batch_number": "x" * 41}, "batch_number", "不超过 40 字符"),
])
def test_bad_batch_input_gets_a_form_error_and_nothing_is_saved(
        staff_a, coop_a, product_a, bad, field, message):
    response = client_for(staff_a).post(url("batch-create"), batch_post(product_a, coop_a, **bad))
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert not HarvestBatch.objects.exists()


def test_another_cooperatives_product_or_cooperative_cannot_be_chosen(
        staff_a, coop_a, coop_b, product_a, product_b):
    client = client_for(staff_a)
    for data in (batch_post(product_b, coop_a), batch_post(product_a, coop_b)):
        response = client.post(url("batch-create"), data)
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not HarvestBatch.objects.exists()


def test_a_batch_number_is_unique_within_the_cooperative(staff_a, coop_a, product_a, batch):
    response = client_for(staff_a).post(
        url("batch-create"), batch_post(product_a, coop_a, batch_number=batch.batch_number))
    assert "本合作社已有这个批次号" in str(response.context["form"].errors["batch_number"])
    assert HarvestBatch.objects.count() == 1


def test_a_text_file_as_the_inspection_document_is_refused_and_nothing_half_saved(
        staff_a, coop_a, product_a):
    # given a new batch whose inspection "photo" is a text file named .jpg
    data = batch_post(product_a, coop_a, **{
        "inspection-kind": "report", "inspection-issuer": "遂昌县农产品质量检测站",
        "inspection-inspected_on": "2026-10-02", "inspection-result": "pass",
        "inspection-document": SimpleUploadedFile("report.jpg", b"not an image", "image/jpeg"),
    })
    # when posted
    response = client_for(staff_a).post(url("batch-create"), data)
    # then the form says what to upload, and neither the batch nor the inspection exists
    assert response.status_code == 200
    assert "请上传 PDF 文件或图片" in response.content.decode()
    assert not HarvestBatch.objects.exists() and not Inspection.objects.exists()


def test_a_pdf_report_is_accepted_on_an_existing_batch(staff_a, batch):
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    response = client_for(staff_a).post(url("inspection-add", batch.pk), {
        "inspection-kind": "report", "inspection-number": "ZJ-2", "inspection-issuer": "县检测站",
        "inspection-inspected_on": "2026-04-21", "inspection-result": "pass",
        "inspection-document": pdf})
    assert response.status_code == 302
    assert batch.inspections.filter(number="ZJ-2").get().document.name.endswith(".pdf")


def test_an_input_inside_the_safe_interval_is_saved_and_staff_are_warned(staff_a, batch):
    # given a pesticide applied 2 days before harvest with a 7-day safe interval
    client = client_for(staff_a)
    response = client.post(url("input-add", batch.pk), {
        "input-kind": "pesticide", "input-name": "吡虫啉", "input-registration_number": "PD2001",
        "input-amount": "每亩 20 克", "input-safe_interval_days": "7",
        "input-applied_on": (HARVESTED - dt.timedelta(days=2)).isoformat()}, follow=True)
    # then it is kept, and both the message and the batch page warn
    record = InputRecord.objects.get(name="吡虫啉")
    assert record.interval_problem
    page = response.content.decode()
    assert "已保存，但请注意" in page
    assert page.count("警告") >= 2  # this input and the fixture's own late one


def test_a_pesticide_without_its_safe_interval_is_a_form_error(staff_a, batch):
    response = client_for(staff_a).post(url("input-add", batch.pk), {
        "input-kind": "pesticide", "input-name": "吡虫啉", "input-amount": "20 克",
        "input-applied_on": "2026-04-01"})
    assert response.status_code == 400
    assert "农药请填写安全间隔期" in response.content.decode()
    assert not InputRecord.objects.filter(name="吡虫啉").exists()


# --- codes and labels ---------------------------------------------------------------------

@pytest.mark.parametrize(("count", "message"), [
    ("0", "大于或等于1"), ("10001", "一次最多生成 10,000 个码"), ("abc", "输入整数"), ("", "必填"),
])
def test_issuing_a_bad_number_of_codes_says_why_and_issues_none(staff_a, batch, count, message):
    response = client_for(staff_a).post(url("codes-issue", batch.pk), {"count": count})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not batch.codes.exists()


def test_issued_codes_print_on_a_label_sheet_whose_qr_codes_open_their_pages(
        staff_a, batch, settings):
    # given 30 codes issued from the batch page
    settings.SITE_URL = "https://nong.suichang.example.cn/"
    client = client_for(staff_a)
    response = client.post(url("codes-issue", batch.pk), {"count": "30"}, follow=True)
    assert "已生成 30 个码（序号 1–30）" in response.content.decode()
    # when serials 3..26 are printed
    pdf = client.get(url("batch-labels", batch.pk), {"first": 3, "last": 26})
    # then it is a PDF whose QR codes decode to exactly those codes' trace pages
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "attachment" in pdf["Content-Disposition"]
    wanted = {f"https://nong.suichang.example.cn/t/{c}/" for c in
              batch.codes.filter(serial__range=(3, 26)).values_list("code", flat=True)}
    assert set(qr_payloads(pdf.content)) == wanted


@pytest.mark.parametrize(("first", "last", "message"), [
    (1, 100_000, "一次最多打印 2,000 张标签（所选 100,000 张）"),
    (5, 2, "起始序号不能大于结束序号"),
    (0, 3, "大于或等于1"),
    ("a", 3, "输入整数"),
])
def test_a_bad_label_range_is_refused_with_its_limit(staff_a, batch, codes, first, last, message):
    response = client_for(staff_a).get(url("batch-labels", batch.pk),
                                       {"first": first, "last": last})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()


# --- packing ------------------------------------------------------------------------------

@pytest.fixture
def mixed_order(buyer, product_a, product_b):
    return order_with_lines(user=buyer, quantity=2,
                            stockrecords=[stockrecord(product_a), stockrecord(product_b)])


def test_the_pack_page_shows_only_the_cooperatives_own_lines(staff_a, mixed_order, product_a):
    response = client_for(staff_a).get(url("order-pack", mixed_order.number))
    assert response.status_code == 200
    lines = response.context["lines"]
    assert [line.product_id for line in lines] == [product_a.pk]


def test_the_dashboard_order_page_links_to_packing(staff_a, mixed_order):
    response = client_for(staff_a).get(
        reverse("dashboard:order-detail", args=[mixed_order.number]))
    assert url("order-pack", mixed_order.number).encode() in response.content


def test_packing_binds_scanned_codes_to_the_line_once(staff_a, mixed_order, product_a, codes,
                                                      buyer):
    # given A's line of two units and two stickers scanned (one grouped, lower case)
    line = mixed_order.lines.get(product=product_a)
    client = client_for(staff_a)
    typed = f"{codes[0]}\n{codes[1][:4].lower()}-{codes[1][4:8]}-{codes[1][8:]}\n"
    # when bound
    response = client.post(url("line-pack", line.pk), {"action": "codes", "codes-codes": typed},
                           follow=True)
    # then both are on the line, and the page says 2/2
    assert "已绑定 2 个码" in response.content.decode()
    assert set(TraceCode.objects.filter(order_line=line).values_list("code", flat=True)) == set(
        codes[:2])
    assert LineBatch.objects.filter(order_line=line).count() == 1
    # and the same sticker on another order is refused, with the reason
    other = order_with_lines(user=buyer, stockrecords=[stockrecord(product_a)]).lines.get()
    again = client.post(url("line-pack", other.pk), {"action": "codes", "codes-codes": codes[0]})
    assert again.status_code == 400
    assert "已绑定到其他订单" in again.content.decode()
    assert TraceCode.objects.get(code=codes[0]).order_line == line


@pytest.mark.parametrize(("typed", "message"), [
    ("", "请扫描或输入至少一个码"),
    ("ABCD", "码的长度不对"),
    ("\n\n  \n", "请扫描或输入至少一个码"),
])
def test_bad_scans_while_packing_get_a_message(staff_a, mixed_order, product_a, codes, typed,
                                               message):
    line = mixed_order.lines.get(product=product_a)
    response = client_for(staff_a).post(url("line-pack", line.pk),
                                        {"action": "codes", "codes-codes": typed})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TraceCode.objects.filter(order_line=line).exists()


def test_a_line_can_be_recorded_by_batch_without_stickers(staff_a, mixed_order, product_a,
                                                          batch, batch_b):
    line = mixed_order.lines.get(product=product_a)
    client = client_for(staff_a)
    # another cooperative's batch is not a choice
    refused = client.post(url("line-pack", line.pk), {"action": "batch", "batch-batch": batch_b.pk})
    assert refused.status_code == 400
    response = client.post(url("line-pack", line.pk), {"action": "batch", "batch-batch": batch.pk})
    assert response.status_code == 302
    assert LineBatch.objects.get(order_line=line).batch == batch


# --- two packers, one sticker (PostgreSQL) ------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_two_packers_scanning_the_same_sticker_at_once_bind_it_once(base_data_tx):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL; SQLite serialises "
                    "writers (set DATABASE_URL to run this)")
    # given one sticker and two orders' lines of the same product
    coop_a = factories.cooperative(name="妙高红米合作社", village="331123001007")
    product_a = factories.product(coop_a, title="妙高红米", price="39.90", stock=50)
    staff_a = factories.coop_staff(coop_a, email="staff-a@example.com")
    made = services.batch_create(
        user=staff_a, cooperative=coop_a, product=product_a, batch_number="RACE-1",
        harvested_on=dt.date(2026, 4, 1), quantity=Decimal("10"), unit="斤")
    code = services.codes_issue(batch=made, count=1, user=staff_a)[0].code
    buyer = factories.user(email="race@example.com")
    lines = [order_with_lines(user=buyer, stockrecords=[stockrecord(product_a)]).lines.get()
             for _ in range(2)]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def pack(line):
        try:
            barrier.wait()
            services.codes_bind(order_line=line, codes=[code], user=staff_a)
            results.append("bound")
        except TraceError as exc:
            results.append(exc.message)
        finally:
            connections.close_all()

    # when both packers bind it at the same moment
    threads = [threading.Thread(target=pack, args=(line,)) for line in lines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # then exactly one wins; the other is told, and the code sits on one line only
    assert sorted(results)[0] == "bound" and results.count("bound") == 1, results
    assert "其他订单" in "".join(results)
    assert TraceCode.objects.get(code=code).order_line_id in {line.pk for line in lines}
    assert LineBatch.objects.filter(batch=made).count() == 1
