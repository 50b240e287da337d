"""Settings for the county marketplace, read from the environment.

With nothing set, the embedded default runs: SQLite, eager Celery, local-memory cache,
DB search backend and the local sandbox payment provider.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from oscar.defaults import *  # noqa: F403

from logistics.access import cooperative_labels_access, hub_staff_access
from marketplace.reporting.access import sales_menu_access, sales_reports_menu_access
from marketplace.shop.dashboard.access import partner_dashboard_access

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)
_DEV_SECRET = "dev-only-insecure-key-change-me-in-production-0123456789"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise environ.ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG=0")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Applications ---------------------------------------------------------------------
# Oscar's apps, with our forks in place of the ones we change (core forks before dashboard).
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.humanize",
    # ours, that Oscar's forks point at
    "marketplace.accounts.apps.AccountsConfig",
    "marketplace.regions.apps.RegionsConfig",
    # Oscar
    "marketplace.shop.config.Shop",
    "oscar.apps.analytics.apps.AnalyticsConfig",
    "marketplace.shop.checkout.apps.CheckoutConfig",
    "marketplace.shop.address.apps.AddressConfig",
    "oscar.apps.shipping.apps.ShippingConfig",
    "marketplace.shop.catalogue.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "marketplace.shop.partner.apps.PartnerConfig",
    "marketplace.shop.basket.apps.BasketConfig",
    "oscar.apps.payment.apps.PaymentConfig",
    "oscar.apps.offer.apps.OfferConfig",
    "marketplace.shop.order.apps.OrderConfig",
    "marketplace.shop.customer.apps.CustomerConfig",
    "search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "marketplace.shop.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
    "marketplace.shop.dashboard.orders.apps.OrdersDashboardConfig",
    "marketplace.shop.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    "widget_tweaks",
    "treebeard",
    "django_tables2",
    "sorl.thumbnail",
    # ours
    "marketplace.cooperatives.apps.CooperativesConfig",
    "marketplace.payments.apps.PaymentsConfig",
    "marketplace.livestream.apps.LivestreamConfig",
    "rest_framework",
    "drf_spectacular",
    "marketplace.stats.apps.StatsConfig",
    "marketplace.traceability.apps.TraceabilityConfig",
    "marketplace.reporting.apps.ReportingConfig",
    "logistics.apps.LogisticsConfig",
    "marketplace.demo.apps.DemoConfig",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "cms.apps.CmsConfig",
    "axes",
]

MIDDLEWARE = [
    # Answers /live/<slug>/state.json from the cache before everything else (viewer pages
    # poll it every 2 s; see the module).
    "marketplace.livestream.middleware.LiveStateFastPath",
    # Answers the search box's suggestions from the cache, as above (search/suggestcache.py).
    "search.suggestcache.SuggestFastPath",
    # Anonymous pages that are in the page cache, before the stack (marketplace/pagecache.py).
    "marketplace.pagecache.PageCacheFastPath",
    # Outermost of the rest, so it sees the Vary headers every other middleware added.
    "marketplace.middleware.SharedResponseMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "marketplace.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Anonymous browsing pages from the cache; before auth, basket and the rest, which a
    # hit skips (see marketplace/pagecache.py for what is cached and when).
    "marketplace.pagecache.AnonymousPageCacheMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"
ASGI_APPLICATION = "marketplace.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "marketplace" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.template.context_processors.i18n",
                "django.contrib.messages.context_processors.messages",
                "search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.apps.communication.notifications.context_processors.notifications",
                "oscar.core.context_processors.metadata",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a seed or a task writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="mkt"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Seconds a sales figure stays cached; a fact build bumps the facts version, so a rebuilt
# day shows at once (0 turns the figure cache off; marketplace/reporting/cache.py). Longer
# than the hourly build, after which the quick periods of every county are computed again
# (reporting.figures_warm), so the first reader of the hour does not wait for them.
REPORTING_CACHE_SECONDS = env.int("REPORTING_CACHE_SECONDS", default=3900)
# Seconds an anonymous browsing page stays cached (0 turns the page cache off).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60)
# Seconds each web worker keeps a cached page it read (0: every hit reads the shared cache).
PAGE_CACHE_LOCAL_SECONDS = env.float("PAGE_CACHE_LOCAL_SECONDS", default=0.5)

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE: dict = {}

# --- Search and payments --------------------------------------------------------------
ELASTICSEARCH_URL = env.str("ELASTICSEARCH_URL", default="")
SEARCH_BACKEND = env.str("SEARCH_BACKEND", default="elasticsearch" if ELASTICSEARCH_URL else "db")
# Readers and writers use this alias; a rebuild fills "<alias>-<timestamp>" and moves the alias.
ELASTICSEARCH_INDEX = env.str("ELASTICSEARCH_INDEX", default="products")
# Seconds a search-box suggestion is kept per typed text (0: off); any index write renews.
SEARCH_SUGGEST_CACHE_SECONDS = env.int("SEARCH_SUGGEST_CACHE_SECONDS", default=60)
# Other content shown beside the products on /search/ (相关内容): dotted paths to functions
# (query: str, limit: int) -> [{"title", "url", "summary", "kind"}]; search/ never imports cms.
SEARCH_PAGE_SECTIONS = ["cms.search.page_hits"]
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# Empty for Stripe itself; http://127.0.0.1:8420 for localstripe.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
STRIPE_JS_URL = env.str("STRIPE_JS_URL", default="https://js.stripe.com/v3/")
STRIPE_PAYMENT_METHOD_TYPES = env.list(
    "STRIPE_PAYMENT_METHOD_TYPES", default=["card", "alipay", "wechat_pay"]
)
STRIPE_WEBHOOK_TOLERANCE_SECONDS = env.int("STRIPE_WEBHOOK_TOLERANCE_SECONDS", default=300)
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=10.0)
PAYMENT_PROVIDER = env.str("PAYMENT_PROVIDER", default="stripe" if STRIPE_SECRET_KEY else "sandbox")
# A basket line added from a live session keeps its live price this long after the end.
LIVE_PRICE_GRACE_SECONDS = env.int("LIVE_PRICE_GRACE_SECONDS", default=600)
# Buyers who asked to be reminded hear of a session this many minutes before its start.
LIVE_REMINDER_MINUTES = env.int("LIVE_REMINDER_MINUTES", default=15)
CELERY_BEAT_SCHEDULE["livestream-reminders"] = {
    "task": "livestream.reminders_send",
    "schedule": 60.0,
}
DEMO_SEED_EXTRA_STEPS = ["marketplace.livestream.demo.demo_live_sessions_create",
                         "logistics.demo.demo_logistics_create",
                         "marketplace.traceability.demo.demo_trace_create",
                         # after products and live sessions, which its pages show
                         "cms.demo.demo_cms_pages_create",
                         # after every step that places, re-times or ships past orders
                         "marketplace.reporting.demo.demo_reporting_create",
                         # last: indexes what the steps before made (live now, sales)
                         "search.demo.demo_search_index_rebuild"]

# --- API (Django REST Framework, OpenAPI by drf-spectacular) ---------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # The site's own session login (CSRF enforced on writes); no browsable HTML API.
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 20,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "遂昌农品 API",
    "DESCRIPTION": "Live sessions, their items, pins, state and comments; harvest batches, "
                   "trace codes, binding and a code's EPCIS-like events.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["marketplace.livestream.api.schema.only_our_api"],
    # Several models have a "kind" with its own choices: name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "InputKindEnum": "marketplace.traceability.models.InputRecord.Kind",
        "InspectionKindEnum": "marketplace.traceability.models.Inspection.Kind",
    },
}
# Unpaid orders are cancelled, and their stock released, this long after being placed.
PAYMENT_DEADLINE_MINUTES = env.int("PAYMENT_DEADLINE_MINUTES", default=30)
# Reconciliation with the provider: how often, and how far back it looks.
PAYMENT_RECONCILE_MINUTES = env.int("PAYMENT_RECONCILE_MINUTES", default=10)
PAYMENT_RECONCILE_LOOKBACK_HOURS = env.int("PAYMENT_RECONCILE_LOOKBACK_HOURS", default=48)
CELERY_BEAT_SCHEDULE.update({
    # Sales facts (marketplace/reporting): today, yesterday and days with new refunds.
    "reporting-facts-recent": {
        "task": "reporting.facts_build_recent",
        "schedule": 3600.0,
    },
    # The 数商兴农 monthly report of every county with cooperatives, for the month before
    # (CELERY_TIMEZONE is Asia/Shanghai, so 02:30 local on the 1st).
    "reporting-reports-monthly": {
        "task": "reporting.reports_generate_monthly",
        "schedule": crontab(minute=30, hour=2, day_of_month=1),
    },
    "payments-cancel-expired": {
        "task": "payments.orders_cancel_expired",
        "schedule": 60.0,
    },
    "payments-reconcile": {
        "task": "payments.payments_reconcile",
        "schedule": PAYMENT_RECONCILE_MINUTES * 60.0,
    },
})

# --- Logistics hub (joint delivery, labels, cold chain, SLA watch) ---------------------
# The site's public address for links printed on paper (label QR codes): empty means the
# address of the request that made the PDF.
SITE_URL = env.str("SITE_URL", default="")
# A TrueType CJK font embedded in manifests and labels (e.g. Debian's fonts-wqy-microhei);
# reportlab cannot read CFF outlines, so Noto CJK's .ttc will not do. When the file is
# missing or unreadable the built-in CID font STSong-Light is used (not embedded: PDF
# readers supply its glyphs).
LOGISTICS_PDF_FONT = env.str(
    "LOGISTICS_PDF_FONT", default="/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
# Allowed temperature (℃, inclusive) per storage class; a reading outside raises an alert.
LOGISTICS_COLD_CHAIN_RANGES = {"冷藏": (0, 8), "冷冻": (-30, -18)}
# Hours a parcel may stay at a node of each level before the hub is told (SLA watch).
LOGISTICS_SLA_HOURS = {"point": 48, "station": 24, "hub": 12}
# The delivery events on a product's public trace page (/t/<code>/): traceability loads this
# function by name (the commerce core never imports logistics); empty means no timeline.
TRACE_DELIVERY_TIMELINE = "logistics.trace.order_line_timeline"
CELERY_BEAT_SCHEDULE["logistics-sla-watch"] = {
    "task": "logistics.sla_watch",
    "schedule": 15 * 60.0,
}

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "marketplace" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# --- Security -------------------------------------------------------------------------
SITE_ID = 1
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# Oscar's own cookies (the anonymous basket id, recently viewed) and the language choice
# default to http too.
OSCAR_BASKET_COOKIE_SECURE = not DEBUG
OSCAR_RECENTLY_VIEWED_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
# DENY everywhere: Wagtail marks its own preview views SAMEORIGIN itself.
X_FRAME_OPTIONS = "DENY"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# A Chinese page that says what happened and when to retry, not axes' bare English line.
AXES_LOCKOUT_CALLABLE = "marketplace.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "marketplace.lockout.login_username"

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="shop@suichang.example.cn")

LOGIN_REDIRECT_URL = "/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# --- Oscar ----------------------------------------------------------------------------
OSCAR_SHOP_NAME = _("遂昌农品")
OSCAR_SHOP_TAGLINE = _("县域农民合作社直供")
OSCAR_HOMEPAGE = "/"
OSCAR_DEFAULT_CURRENCY = "CNY"
OSCAR_CURRENCY_FORMAT = {"CNY": {"format": "¥#,##0.00", "currency_digits": False}}
OSCAR_FROM_EMAIL = DEFAULT_FROM_EMAIL
OSCAR_PRODUCTS_PER_PAGE = 24
OSCAR_ALLOW_ANON_CHECKOUT = False
OSCAR_REQUIRED_ADDRESS_FIELDS = ("first_name", "line1", "region", "phone_number")
OSCAR_INITIAL_ORDER_STATUS = "pending_payment"
OSCAR_INITIAL_LINE_STATUS = "pending_payment"
# Checked before an order is placed, by dotted path (the core imports none of them).
CHECKOUT_DELIVERY_CHECKS = ["logistics.checkout.delivery_problems"]
OSCAR_ORDER_STATUS_PIPELINE = {
    "pending_payment": ("paid", "cancelled"),
    # A paid order ends by a refund (which returns the money), never by "cancelled".
    "paid": ("processing", "partially_refunded", "refunded"),
    "processing": ("shipped", "partially_refunded", "refunded"),
    # Logistics moves an order to shipped when its first parcel leaves its origin, and to
    # delivered when every parcel is delivered.
    "shipped": ("delivered", "completed", "partially_refunded", "refunded"),
    "delivered": ("completed", "partially_refunded", "refunded"),
    "completed": ("partially_refunded", "refunded"),
    # Part of the money went back; the rest of the order is still being fulfilled.
    "partially_refunded": ("processing", "shipped", "delivered", "completed", "refunded"),
    "refunded": (),
    "cancelled": (),
}
OSCAR_LINE_STATUS_PIPELINE = OSCAR_ORDER_STATUS_PIPELINE
OSCAR_SLUG_ALLOW_UNICODE = False
OSCAR_SLUG_FUNCTION = "marketplace.slugs.pinyin_slugify"
OSCAR_HIDDEN_FEATURES = ["reviews", "wishlists"]
OSCAR_MISSING_IMAGE_URL = "image_not_found.jpg"
OSCAR_THUMBNAILER = "oscar.core.thumbnails.SorlThumbnail"
THUMBNAIL_DEBUG = False
THUMBNAIL_KVSTORE = "sorl.thumbnail.kvstores.cached_db_kvstore.KVStore"
THUMBNAIL_FORMAT = "WEBP"
OSCAR_SEARCH_FACETS = {"fields": {}, "queries": {}}
# Cooperative staff's phone-friendly stock page (marketplace/cooperatives/dashboard_urls.py).
OSCAR_DASHBOARD_NAVIGATION = [
    *OSCAR_DASHBOARD_NAVIGATION,  # noqa: F405
    {
        "label": _("库存快速修改"),
        "icon": "fas fa-boxes",
        "url_name": "cooperative-dashboard:stock-list",
        "access_fn": partner_dashboard_access,
    },
    {
        "label": _("直播"),
        "icon": "fas fa-video",
        "url_name": "livestream-dashboard:list",
        "access_fn": partner_dashboard_access,
    },
    {
        "label": _("溯源批次"),
        "icon": "fas fa-qrcode",
        "url_name": "trace-dashboard:batch-list",
        "access_fn": partner_dashboard_access,
    },
    {
        "label": _("物流面单"),
        "icon": "fas fa-tags",
        "url_name": "logistics-hub:labels",
        "access_fn": cooperative_labels_access,
    },
    {
        "label": _("分拨中心"),
        "icon": "fas fa-truck",
        "url_name": "logistics-hub:index",
        "access_fn": hub_staff_access,
    },
    # Analysts (AnalystScope, not staff) see only this menu; cooperative staff the dashboard
    # of their own figures but not the county-level reports.
    {
        "label": _("销售分析"),
        "icon": "fas fa-chart-line",
        "access_fn": sales_menu_access,
        "children": [
            {"label": _("销售看板"), "url_name": "sales-dashboard:index",
             "access_fn": sales_menu_access},
            {"label": _("数商兴农报表"), "url_name": "sales-reports:list",
             "access_fn": sales_reports_menu_access},
        ],
    },
]

# --- Wagtail --------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "遂昌农品"
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_I18N_ENABLED = False
# CMS images: alt text (the image's description) is required; renditions are WebP, with a
# JPEG fallback in <picture> for old browsers (cms/templates/cms/_picture.html).
WAGTAILIMAGES_IMAGE_FORM_BASE = "cms.forms.ImageForm"
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "gif"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000

# Oscar's modules still import Haystack when its class loader looks for fallbacks; nothing
# queries it (search/ serves every listing), but the import needs a configured connection.
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
PHONENUMBER_DEFAULT_REGION = "CN"
