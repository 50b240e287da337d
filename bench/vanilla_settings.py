"""Unmodified django-oscar 4.2 on the bench data: only Oscar's own apps, its own database.

Built as Oscar's "Building your own shop" page describes (oscar.INSTALLED_APPS, Oscar's
middleware, Haystack's simple engine), with the same production-like switches as the
project: DEBUG off, Redis cache, manifest static files, PostgreSQL.
"""

import os
import sys
from pathlib import Path

import environ
import oscar
from oscar.defaults import *  # noqa: F403

BENCH_TARGET = "vanilla"
BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [*oscar.INSTALLED_APPS, "sorl.thumbnail"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
]
AUTHENTICATION_BACKENDS = [
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
]
ROOT_URLCONF = "bench.vanilla_urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.template.context_processors.i18n",
                "django.contrib.messages.context_processors.messages",
                "oscar.apps.search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.apps.communication.notifications.context_processors.notifications",
                "oscar.core.context_processors.metadata",
            ],
        },
    },
]

DATABASES = {
    "default": env.db(
        "VANILLA_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/bench_vanilla"
    ),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": env.str("REDIS_URL", default="redis://127.0.0.1:6379/5"),
        "KEY_PREFIX": env.str("VANILLA_CACHE_KEY_PREFIX", default="bench-vanilla"),
    }
}
# Oscar 4 browses categories through Haystack, and Haystack's simple engine answers an
# empty query with no products (it is meant for tests), so vanilla would list nothing.
# Whoosh is the pure-Python engine Oscar's docs name for development; the bench installs it
# into var/bench/vanilla-lib (python -m bench installs it; nothing else imports it).
VANILLA_LIB = BASE_DIR / "var" / "bench" / "vanilla-lib"
if str(VANILLA_LIB) not in sys.path:
    sys.path.append(str(VANILLA_LIB))
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
        "PATH": str(BASE_DIR / "var" / "bench" / "whoosh-index"),
    }
}

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
SITE_ID = 1

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "bench" / "static-vanilla"
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "bench" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SESSION_COOKIE_SECURE = False  # plain HTTP on loopback, as for the project
CSRF_COOKIE_SECURE = False

# The same page size and currency as the project, so the listings hold the same products.
OSCAR_PRODUCTS_PER_PAGE = 24
OSCAR_DEFAULT_CURRENCY = "CNY"
OSCAR_MISSING_IMAGE_URL = "image_not_found.jpg"
THUMBNAIL_DEBUG = False
THUMBNAIL_KVSTORE = "sorl.thumbnail.kvstores.cached_db_kvstore.KVStore"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
