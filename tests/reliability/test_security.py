"""Security basics: login lock-out, CSRF on every URL, secure cookies and HSTS in production."""

from __future__ import annotations

import datetime
import json
import re
from re import _constants as sre_c
from re import _parser as sre_parse

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone

from marketplace.payments.models import ProviderEvent
from tests import factories
from tests.test_deployment import run_python

pytestmark = [pytest.mark.reliability]
HOUR, MINUTE = datetime.timedelta(hours=1), datetime.timedelta(minutes=1)


# --- login attempts are rate-limited (django-axes) ----------------------------------------

LOGIN_FORMS = [
    pytest.param("/accounts/login/",
                 lambda email, password: {"login-username": email, "login-password": password,
                                          "login_submit": "1"},
                 id="storefront"),
    pytest.param("/django-admin/login/",
                 lambda email, password: {"username": email, "password": password},
                 id="django-admin"),
    pytest.param("/cms/login/",
                 lambda email, password: {"username": email, "password": password},
                 id="wagtail-admin"),
]


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_axes_is_wired_in():
    assert "axes" in settings.INSTALLED_APPS
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert settings.AXES_ENABLED
    assert settings.AXES_FAILURE_LIMIT == 5


@pytest.mark.parametrize(("url", "form"), LOGIN_FORMS)
@pytest.mark.django_db
def test_one_failure_short_of_the_limit_still_lets_the_owner_in(url, form):
    # given an admin who mistyped the password one time fewer than the limit
    factories.user(email="owner@example.com", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url, form("owner@example.com", "wrong-password")).status_code == 200
    # when they type the right one, they are in
    response = client.post(url, form("owner@example.com", factories.PASSWORD))
    assert response.status_code == 302
    assert logged_in(client)


@pytest.mark.parametrize(("url", "form"), LOGIN_FORMS)
@pytest.mark.django_db
def test_login_is_locked_after_the_failure_limit_even_with_the_right_password(url, form):
    # given someone guessing an admin's password up to the limit
    factories.user(email="target@example.com", is_staff=True, is_superuser=True)
    client = Client()
    # (changing the address's case does not buy more tries)
    spellings = ["target@example.com", "Target@Example.com", "TARGET@EXAMPLE.COM"]
    statuses = [client.post(url, form(spellings[n % 3], f"guess-{n}")).status_code
                for n in range(settings.AXES_FAILURE_LIMIT)]
    # (the form answers each wrong guess; the one that reaches the limit is already refused)
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]

    # when the right password comes next, from the same place
    response = client.post(url, form("target@example.com", factories.PASSWORD))

    # then it is refused with a Chinese page saying why and when to try again
    assert response.status_code == 429
    assert not logged_in(client)
    body = response.content.decode()
    assert "登录已被暂时锁定" in body
    assert f"密码连续错误 {settings.AXES_FAILURE_LIMIT} 次" in body
    retry = re.search(r"请在 1\s小时后（(\d{4}-\d{2}-\d{2} \d{2}:\d{2}) 之后）再试", body)
    assert retry, body
    # the clock time is Beijing time, one cool-off from now
    expected = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME * HOUR)
    shown = datetime.datetime.strptime(retry[1], "%Y-%m-%d %H:%M").replace(
        tzinfo=expected.tzinfo)
    assert abs(shown - expected) < 2 * MINUTE
    assert 'lang="zh-hans"' in body
    # and the account stays locked from another network too (guessers switch addresses)
    elsewhere = Client(REMOTE_ADDR="10.9.9.9")
    assert elsewhere.post(url, form("target@example.com", factories.PASSWORD)).status_code == 429
    # while another person on another network can still log in with their own account
    factories.user(email="other@example.com", is_staff=True, is_superuser=True)
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert other.post(url, form("other@example.com", factories.PASSWORD)).status_code == 302


# --- CSRF on every URL --------------------------------------------------------------------

# Views that take POSTs from outside the site without a CSRF token, with the reason.
CSRF_EXEMPT_ALLOWED: dict[str, str] = {
    "/payments/webhooks/stripe/": "Stripe's servers post events with no session or cookie; "
                                  "each is authenticated by its Stripe-Signature (HMAC of the "
                                  "body with the webhook secret), checked before anything is "
                                  "read: tests/payments/test_stripe_flow.py refuses bad, "
                                  "forged and expired signatures with 400",
}


def sample(regex: str) -> str:
    """The shortest path segment matching ``regex`` (enough of Python's regex syntax for
    Django's converters and the regexes of Oscar, Wagtail and Django's admin)."""

    def build(items) -> str:
        out = []
        for op, arg in items:
            if op is sre_c.LITERAL:
                out.append(chr(arg))
            elif op is sre_c.NOT_LITERAL or op is sre_c.ANY:
                out.append("x" if arg != ord("x") else "y")
            elif op is sre_c.IN:
                out.append(first_in(arg))
            elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT):
                low, _, body = arg
                out.append(build(body) * low)
            elif op is sre_c.SUBPATTERN:
                out.append(build(arg[-1]))
            elif op is sre_c.BRANCH:
                out.append(build(arg[1][0]))
            elif op is sre_c.AT:
                continue
            else:
                raise ValueError(f"no sample for {op} in {regex!r}")
        return "".join(out)

    def first_in(items) -> str:
        op, arg = items[0]
        if op is sre_c.NEGATE:
            return "x"
        if op is sre_c.LITERAL:
            return chr(arg)
        if op is sre_c.RANGE:
            return chr(arg[0]) if chr(arg[0]).isalnum() else "a"
        if op is sre_c.CATEGORY:
            return "1" if arg is sre_c.CATEGORY_DIGIT else "x"
        raise ValueError(f"no sample for {op} in {regex!r}")

    return build(sre_parse.parse(regex))


def every_url_pattern(resolver=None, prefix=()):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from every_url_pattern(entry, (*prefix, entry.pattern))
        elif isinstance(entry, URLPattern):
            yield (*prefix, entry.pattern), entry


def says_why(response) -> bool:
    """Pages explain in Chinese; APIs (Wagtail's admin API, DRF) answer in JSON."""
    body = response.content.decode()
    if response["Content-Type"].startswith("application/json"):
        return "CSRF" in json.loads(body)["detail"]
    return "安全校验未通过" in body


@pytest.mark.django_db
def test_every_url_refuses_a_post_without_csrf_token(admin_user):
    # given an admin (so no permission check answers before the CSRF check would)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    covered, shadowed, leaks, exempt_seen = 0, [], [], set()

    # Sample values fill the URL parameters: CsrfViewMiddleware refuses the POST before the
    # view looks anything up, so no object has to exist; resolving the sample back to the
    # very same view keeps each request aimed at the pattern it is meant to cover.
    for patterns, entry in every_url_pattern():
        url = "/" + "".join(sample(p.regex.pattern) for p in patterns)
        try:
            match = resolve(url)
        except Resolver404:
            shadowed.append(url)
            continue
        if match.func is not entry.callback:
            # an earlier pattern claims the sample; the earlier one is covered in its turn
            shadowed.append(url)
            continue
        # when it is POSTed without a token
        response = client.post(url, {"x": "1"})
        covered += 1
        if url in CSRF_EXEMPT_ALLOWED:
            exempt_seen.add(url)
            continue
        if response.status_code != 403:
            leaks.append(f"{url} ({match.view_name}) -> {response.status_code}")
        elif not says_why(response):
            leaks.append(f"{url} ({match.view_name}) -> 403 without a reason")

    print(f"CSRF: {covered} URL patterns POSTed without a token, {len(shadowed)} samples "
          f"resolved to an earlier pattern: {shadowed}")
    # then every one is refused with 403, except the allow-list
    assert not leaks, "\n".join(leaks)
    assert covered >= 700
    # and the allow-list names only URLs that exist (a moved endpoint must be looked at again)
    assert exempt_seen == set(CSRF_EXEMPT_ALLOWED)


def test_stripe_webhook_without_signature_is_refused_although_csrf_exempt(admin_user, settings):
    # given Stripe configured, and a signed-in admin's session (a CSRF attack rides on one)
    settings.STRIPE_SECRET_KEY = "sk_test_marketplace"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_marketplace"
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    # when a page elsewhere posts a made-up event to the exempt URL
    response = client.post("/payments/webhooks/stripe/",
                           '{"id": "evt_x", "type": "payment_intent.succeeded"}',
                           content_type="application/json")
    # then the missing signature refuses it, with a reason, and nothing is recorded
    assert response.status_code == 400
    assert "signature" in response.json()["error"]
    assert not ProviderEvent.objects.exists()


# --- production: secure cookies, HSTS, https ---------------------------------------------

PRODUCTION_CHECK = r"""
import json
import django
from django.conf import settings

django.setup()
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment

# Tables without running every migration (as pytest --nomigrations does).
settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
setup_test_environment()
connection.creation.create_test_db(verbosity=0, serialize=False)
from django.contrib.auth import get_user_model

get_user_model().objects.create_user(email="prod@example.com", password="pw-prod-123456")

http = Client().get("/accounts/login/")
client = Client()
page = client.get("/accounts/login/", secure=True)
login = client.post("/accounts/login/", {"login-username": "prod@example.com",
                    "login-password": "pw-prod-123456", "login_submit": "1"}, secure=True)
cookies = {name: {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]),
                  "samesite": morsel["samesite"]} for name, morsel in login.cookies.items()}
cookies.update({name: {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]),
                       "samesite": morsel["samesite"]}
                for name, morsel in page.cookies.items() if name not in cookies})
print(json.dumps({
    "settings": {name: getattr(settings, name) for name in (
        "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS", "OSCAR_BASKET_COOKIE_SECURE",
        "OSCAR_RECENTLY_VIEWED_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE")},
    "http": [http.status_code, http.get("Location")],
    "page": [page.status_code, page.get("Strict-Transport-Security")],
    "login": login.status_code,
    "cookies": cookies,
}))
"""


@pytest.fixture(scope="module")
def production():
    """Settings and https responses of the site run with DJANGO_DEBUG=0 (in a subprocess)."""
    result = run_python(PRODUCTION_CHECK, {
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "test-production-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "sqlite://:memory:",
        # No collectstatic here: the manifest storage would refuse every {% static %}.
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
    }, timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_make_cookies_secure_and_turn_on_hsts(production):
    assert production["settings"] == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "OSCAR_BASKET_COOKIE_SECURE": True,
        "OSCAR_RECENTLY_VIEWED_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_SECURE": True,
    }


def test_production_redirects_http_to_https(production):
    status, location = production["http"]
    assert status == 301
    assert location == "https://testserver/accounts/login/"


def test_production_https_response_sends_hsts(production):
    status, hsts = production["page"]
    assert status == 200
    assert hsts == "max-age=31536000; includeSubDomains; preload"


def test_production_login_over_https_sets_only_secure_cookies(production):
    # a login over https sets the session and CSRF cookies; none may travel over http
    assert production["login"] == 302
    cookies = production["cookies"]
    assert {"sessionid", "csrftoken"} <= set(cookies)
    assert all(flags["secure"] for flags in cookies.values()), cookies
    assert cookies["sessionid"]["httponly"]
    assert cookies["sessionid"]["samesite"] == "Lax"


# --- open redirects ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("next_url", "lands_on_product"),
    [
        ("https://evil.example.com/login", True),
        ("//evil.example.com/", True),
        ("/basket/", False),
    ],
)
def test_cancelling_a_stock_alert_never_redirects_off_site(buyer, coop_a, next_url,
                                                           lands_on_product):
    # given a buyer's stock alert
    from oscar.core.loading import get_model
    product = factories.product(coop_a, stock=0)
    alert = get_model("customer", "ProductAlert").objects.create(user=buyer, product=product)
    client = Client()
    client.force_login(buyer)
    # when a cancel link carries ?next=
    response = client.get(f"/accounts/alerts/cancel/{alert.pk}/", {"next": next_url})
    # then it is cancelled and the buyer stays on this site
    assert response.status_code == 302
    expected = product.get_absolute_url() if lands_on_product else next_url
    assert response["Location"] == expected
    alert.refresh_from_db()
    assert alert.status == alert.CANCELLED
