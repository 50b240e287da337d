"""Deployment files and settings: docker-compose.yml, the Dockerfile, the defaults.

No Docker engine runs in the test environment, so the compose file and the Dockerfile are
checked as text; the settings are checked in subprocesses with a controlled environment.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat")
APP_VARIABLES = ("DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL", "SECRET_KEY")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8")


def command_text(service: dict) -> str:
    command = service.get("command", "")
    return command if isinstance(command, str) else " ".join(command)


def run_python(code: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    """Run ``code`` with the project's interpreter in ROOT, with exactly ``env`` (plus PATH)."""
    full_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(ROOT)),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# --- docker-compose.yml ----------------------------------------------------------------


def test_compose_has_every_service(compose):
    assert set(compose["services"]) >= {
        "web",
        "worker",
        "beat",
        "postgres",
        "redis",
        "elasticsearch",
    }


@pytest.mark.parametrize(
    ("service", "image_pattern"),
    [
        ("postgres", r"^postgres:16(\.|-|$)"),
        ("redis", r"^redis:7(\.|-|$)"),
        ("elasticsearch", r"^docker\.elastic\.co/elasticsearch/elasticsearch:8\.\d+\.\d+$"),
    ],
    ids=["postgres-16", "redis-7", "elasticsearch-8"],
)
def test_compose_backing_service_images(compose, service, image_pattern):
    assert re.match(image_pattern, compose["services"][service]["image"])


def test_web_worker_and_beat_share_one_image_built_here(compose):
    services = compose["services"]
    images = {services[name]["image"] for name in APP_SERVICES}
    assert len(images) == 1
    assert all(services[name].get("build") in (".", {"context": "."}) for name in APP_SERVICES)


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ("web", r"^gunicorn marketplace\.wsgi(:application)?\b.*--bind 0\.0\.0\.0:8000"),
        ("worker", r"^celery -A marketplace worker\b"),
        ("beat", r"^celery -A marketplace beat\b"),
    ],
    ids=APP_SERVICES,
)
def test_app_service_commands(compose, service, expected):
    assert re.search(expected, command_text(compose["services"][service]))


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_get_the_production_environment(compose, service):
    env = compose["services"][service]["environment"]
    for name in APP_VARIABLES:
        assert env.get(name), f"{service} lacks {name}"
    assert str(env["DJANGO_DEBUG"]) == "0"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379")
    assert env["ELASTICSEARCH_URL"] == "http://elasticsearch:9200"
    # The secret comes from the operator's environment, never from the file.
    assert re.fullmatch(r"\$\{SECRET_KEY(:?\?[^}]*)?\}", env["SECRET_KEY"])


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_wait_for_healthy_backing_services(compose, service):
    depends_on = compose["services"][service]["depends_on"]
    for backing in ("postgres", "redis", "elasticsearch"):
        assert depends_on[backing]["condition"] == "service_healthy"
    assert depends_on["migrate"]["condition"] == "service_completed_successfully"


@pytest.mark.parametrize("service", ["web", "worker", "postgres", "redis", "elasticsearch"])
def test_services_have_healthchecks(compose, service):
    assert compose["services"][service]["healthcheck"]["test"]


def test_migrations_run_once_before_the_app(compose):
    migrate = compose["services"]["migrate"]
    assert command_text(migrate) == "python manage.py migrate --noinput"
    assert migrate["image"] == compose["services"]["web"]["image"]
    assert migrate["restart"] == "no"


def test_elasticsearch_is_single_node_without_security(compose):
    env = compose["services"]["elasticsearch"]["environment"]
    assert env["discovery.type"] == "single-node"
    assert str(env["xpack.security.enabled"]).lower() == "false"


# --- Dockerfile -------------------------------------------------------------------------


def test_dockerfile_installs_the_hashed_lock(dockerfile):
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.MULTILINE)
    assert "COPY requirements.lock" in dockerfile
    install = re.search(r"pip install[^\n]*--require-hashes[^\n]*-r requirements\.lock", dockerfile)
    assert install, "requirements.lock must be installed with --require-hashes"


def test_dockerfile_collects_static_with_a_build_only_secret_and_serves_gunicorn(dockerfile):
    assert re.search(r"SECRET_KEY=\S+\s.*collectstatic --noinput", dockerfile, re.DOTALL)
    assert re.search(r'^CMD \["gunicorn", "marketplace\.wsgi', dockerfile, re.MULTILINE)
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.MULTILINE)


# --- settings ---------------------------------------------------------------------------


# check --deploy lives in tests/reliability/test_check_deploy.py (fails on warnings too).


def test_production_settings_refuse_the_development_secret():
    result = run_python(
        "import django; django.setup()",
        {"DJANGO_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "marketplace.settings"},
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_embedded_default_needs_no_environment():
    code = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "debug": settings.DEBUG,
    "engine": db["ENGINE"],
    "name": str(db["NAME"]),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "cache": settings.CACHES["default"]["BACKEND"],
    "search": settings.SEARCH_BACKEND,
    "payment": settings.PAYMENT_PROVIDER,
}))
"""
    result = run_python(code, {"DJANGO_SETTINGS_MODULE": "marketplace.settings"})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "debug": True,
        "engine": "django.db.backends.sqlite3",
        "name": str(ROOT / "db.sqlite3"),
        "eager": True,
        "broker": "memory://",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "search": "db",
        "payment": "sandbox",
    }


def test_database_and_redis_urls_switch_to_postgresql_and_redis():
    code = """
import json
from django.conf import settings
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db": settings.DATABASES["default"]["NAME"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"]["LOCATION"],
    "broker": settings.CELERY_BROKER_URL,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
}))
"""
    result = run_python(code, {
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
        "DATABASE_URL": "postgres://shop@db.internal:5432/marketplace",
        "REDIS_URL": "redis://cache.internal:6379/1",
    })
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "engine": "django.db.backends.postgresql",
        "db": "marketplace",
        "cache": "django_redis.cache.RedisCache",
        "cache_location": "redis://cache.internal:6379/1",
        "broker": "redis://cache.internal:6379/1",
        "eager": False,
    }
