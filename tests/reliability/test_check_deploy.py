"""Production settings pass ``manage.py check --deploy --fail-level WARNING`` with no warning.

Moved here from tests/test_deployment.py and made stricter: warnings fail the command itself,
the database and Redis of the run (CI: PostgreSQL + Redis) are the ones checked, and a
control case proves the check does fail when a production setting is weakened.
"""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Passed through when the run has them, so CI checks the PostgreSQL + Redis configuration.
BACKING_SERVICES = ("DATABASE_URL", "REDIS_URL", "CACHE_KEY_PREFIX")

pytestmark = [pytest.mark.reliability]


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(ROOT)),
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(64)),
        "ALLOWED_HOSTS": "shop.example.cn",
        # Never the developer's db.sqlite3; check --deploy does not open the database anyway.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    env.update({name: os.environ[name] for name in BACKING_SERVICES if os.environ.get(name)})
    env.update(overrides)
    return env


def check_deploy(env: dict[str, str]) -> tuple[int, str]:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    return result.returncode, result.stdout + result.stderr


def test_check_deploy_passes_without_warnings(tmp_path):
    # given the production environment (debug off, a long random secret, a real host name)
    env = production_env(tmp_path)
    # when
    returncode, output = check_deploy(env)
    # then
    assert returncode == 0, output
    assert "WARNINGS" not in output, output
    assert "System check identified some issues" not in output, output
    assert "System check identified no issues" in output, output


def test_check_deploy_fails_when_hsts_is_switched_off(tmp_path):
    # Control: the same command with one production setting weakened must fail, so the test
    # above would notice a regression instead of passing whatever the settings say.
    env = production_env(tmp_path, SECURE_HSTS_SECONDS="0")

    returncode, output = check_deploy(env)

    assert returncode != 0, output
    assert "security.W004" in output, output
