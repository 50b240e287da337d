"""Fixtures for browser tests: Debian's Chromium driven by Playwright against live_server.

Playwright cannot download browsers here, so the tests use /usr/bin/chromium
(``apt-get install chromium``) and skip, saying why, when it is missing.
"""

from __future__ import annotations

import mimetypes
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
ARTIFACTS = Path(__file__).parent / "artifacts"
TIMEOUT_MS = 15_000


@pytest.fixture
def browser(monkeypatch):
    """A headless Chromium; the test's own DB calls run while Playwright's loop is running."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"e2e needs Chromium at {CHROMIUM} (apt-get install chromium); "
                    "playwright install cannot download browsers here")
    # Playwright's sync API keeps an asyncio loop running in this thread; Django then refuses
    # sync ORM calls from it. Allowed for the duration of the test only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
            # While Playwright's loop runs, Django keys connections differently, so the test's
            # ORM calls opened their own; close it here or PostgreSQL cannot drop the test DB.
            connections.close_all()


@pytest.fixture
def media_root(settings):
    """Uploaded images go to a temporary MEDIA_ROOT, not the developer's var/media."""
    path = Path(tempfile.mkdtemp(prefix="e2e-media-"))
    settings.MEDIA_ROOT = str(path)
    # sorl remembers thumbnails by source name in the cache (Redis in CI, which outlives the
    # test database): a fresh prefix keeps it from pointing at another MEDIA_ROOT's files.
    settings.THUMBNAIL_KEY_PREFIX = f"sorl-{path.name}"
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def phone(browser, live_server, media_root):
    """Factory of fresh phone-sized browser contexts (one per user), zh-CN.

    live_server serves static files but not media (as nginx would in production), so the
    context answers /media/ requests from MEDIA_ROOT itself.
    """
    contexts = []
    problems: list[str] = []

    def watch(response):
        # Any server error, and any missing asset (a page may 404 on purpose, an asset not).
        status, kind = response.status, response.request.resource_type
        if status >= 500 or (status >= 400 and kind != "document"):
            problems.append(f"{status} {kind} {response.url}")

    def serve_media(route):
        rel = route.request.url.split(django_settings.MEDIA_URL, 1)[1].split("?", 1)[0]
        file = (Path(django_settings.MEDIA_ROOT) / rel).resolve()
        if not file.is_relative_to(Path(django_settings.MEDIA_ROOT).resolve()) \
                or not file.is_file():
            route.fulfill(status=404)
            return
        ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        route.fulfill(status=200, body=file.read_bytes(), content_type=ctype)

    def new_page():
        context = browser.new_context(base_url=live_server.url, **PHONE)
        context.set_default_timeout(TIMEOUT_MS)
        context.route(re.compile(rf"^{re.escape(live_server.url)}{django_settings.MEDIA_URL}"),
                      serve_media)
        contexts.append(context)
        page = context.new_page()
        page.on("response", watch)
        page.on("pageerror", lambda exc: problems.append(f"JS error on {page.url}: {exc}"))
        return page

    yield new_page
    for context in contexts:
        context.close()
    if problems:
        pytest.fail("the browser saw errors:\n" + "\n".join(problems))


@pytest.fixture
def shot(request):
    """shot(page, "name") saves a full-page screenshot under tests/e2e/artifacts/<db>/<test>/."""
    folder = ARTIFACTS / connection.vendor / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))

    def take(page, name: str) -> Path:
        path = folder / f"{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take

