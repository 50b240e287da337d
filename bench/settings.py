"""Settings for the benchmarked project: production settings plus the B1 baseline URL.

Everything comes from marketplace.settings read with the bench's environment (DEBUG off,
Redis cache, PostgreSQL). Only what plain HTTP on loopback needs differs from production.
"""

from pathlib import Path

from marketplace.settings import *  # noqa: F403

BENCH_TARGET = "project"
ROOT_URLCONF = "bench.urls"
# The bench speaks plain HTTP on 127.0.0.1: secure cookies would never be sent back.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Collected static files (whitenoise's manifest) go beside the bench's results, not var/static.
STATIC_ROOT = Path(__file__).resolve().parent.parent / "var" / "bench" / "static"
