"""The station console in Chromium: a scan sent through the API while online, and one made
offline waiting in the browser's queue ("N 条待上传") until the network is back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from logistics.models import ScanEvent
from tests.e2e.conftest import browser, media_root, phone, shot  # noqa: F401  # e2e fixtures
from tests.e2e.test_buyer_checkout import log_in
from tests.logistics.conftest import paid_order

pytestmark = [pytest.mark.e2e]


def test_a_village_operator_scans_online_then_offline_and_the_queue_is_sent_later(
        base_data_tx, live_server, phone, shot, network, buyer, product_b):  # noqa: F811
    # given B's parcel, made and delivered in 远路口村 (a single hand-over), and its operator
    parcel = paid_order(buyer, product_b).shipments.get()
    page = phone()
    log_in(page, network.op["yuanlukou"].email)
    page.goto("/logistics/")
    expect(page.locator(f'#expected [data-parcel="{parcel.code}"]')).to_have_count(1)

    # when the operator types the code in lower case and records it as received
    page.fill("#scan-code", parcel.code.lower())
    page.select_option("#scan-event", "received")
    page.click("#scan-submit")

    # then the page says so and the parcel moves to on hand, without a reload
    expect(page.locator("#scan-result")).to_have_attribute("data-outcome", "accepted")
    expect(page.locator(f'#on-hand [data-parcel="{parcel.code}"]')).to_have_count(1)
    expect(page.locator("#scan-code")).to_have_value("")
    shot(page, "received")

    # when the network drops and the parcel is handed to the buyer
    page.context.set_offline(True)
    page.select_option("#scan-event", "delivered")
    expect(page.locator("#recipient-name")).to_be_visible()
    page.fill("#scan-code", parcel.code)
    page.fill("#recipient-name", "李四")
    page.fill("#signature", "李四")
    page.click("#scan-submit")

    # then it waits in the queue, and the server has only the first scan
    expect(page.locator("#queue-count")).to_have_text("1")
    expect(page.locator("#queue")).to_be_visible()
    assert list(ScanEvent.objects.values_list("kind", flat=True)) == ["received"]
    shot(page, "queued-offline")

    # when the network comes back, the queue is sent as a batch and empties
    page.context.set_offline(False)
    expect(page.locator("#queue")).to_be_hidden()
    expect(page.locator(f'#dispatched [data-parcel="{parcel.code}"]')).to_have_count(1)
    delivered = ScanEvent.objects.get(kind="delivered")
    assert (delivered.recipient_name, delivered.signature) == ("李四", "李四")
    shot(page, "sent")


def _y4m_of(image, path, frames=5):
    """A still image as a short Y4M video, which Chromium's fake camera plays in a loop."""
    image = image.convert("RGB")
    width, height = (image.width // 2) * 2, (image.height // 2) * 2
    y, cb, cr = image.resize((width, height)).convert("YCbCr").split()
    half = (width // 2, height // 2)
    frame = b"FRAME\n" + y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
                     + frame * frames)
    return path


@pytest.fixture
def label_camera(monkeypatch, tmp_path):
    """Chromium's fake camera, filming a label's QR code (the tracking URL); set before the
    browser starts (ask for it before ``phone``). Returns a function taking the URL."""
    import segno
    from PIL import Image

    from tests.e2e import conftest as e2e

    video = tmp_path / "label.y4m"
    monkeypatch.setattr(e2e, "CHROMIUM_ARGS", [
        *e2e.CHROMIUM_ARGS, "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"])

    def film(text):
        png = tmp_path / "label.png"
        segno.make(text, error="m").save(str(png), scale=8, border=4)
        canvas = Image.new("RGB", (640, 480), "white")
        qr = Image.open(png).convert("RGB")
        canvas.paste(qr, ((640 - qr.width) // 2, (480 - qr.height) // 2))
        _y4m_of(canvas, video)

    return film


def test_the_phone_camera_reads_the_label_qr_into_the_code_field(
        base_data_tx, live_server, label_camera, phone, network, buyer, product_b):  # noqa: F811
    # given a parcel whose label encodes its tracking URL, in front of the operator's camera
    parcel = paid_order(buyer, product_b).shipments.get()
    label_camera(f"https://nongpin.example.cn/track/{parcel.code}/")
    page = phone()
    log_in(page, network.op["yuanlukou"].email)
    page.goto(f"/logistics/n/{network.yuanlukou.pk}/")

    # when the operator taps 扫码
    page.click("#camera-start")

    # then the code (not the URL) lands in the field and the camera closes
    expect(page.locator("#scan-code")).to_have_value(parcel.code)
    expect(page.locator("#camera")).to_be_hidden()
    # and the scan goes through as typed
    page.select_option("#scan-event", "received")
    page.click("#scan-submit")
    expect(page.locator("#scan-result")).to_have_attribute("data-outcome", "accepted")
    assert ScanEvent.objects.get().shipment_id == parcel.pk
