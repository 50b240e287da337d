"""B0 baseline settings: a bare Django with no apps, no middleware and one view."""

import os

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.urls_b0"
DATABASES: dict = {}
USE_TZ = True
