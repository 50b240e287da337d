"""Every logistics route (console, hub, tracking, API) is in one of the logistics access
matrices: each tests/logistics/test_access_*.py module lists the routes it checks in
``ROUTES_CHECKED`` (Django route strings, as ``resolve(path).route`` gives them)."""

from __future__ import annotations

import importlib
from pathlib import Path

from tests.reliability.test_access_matrix import COVERED_ELSEWHERE, _route, _walk


def _checked_routes() -> dict[str, str]:
    found = {}
    for file in sorted(Path(__file__).parent.glob("test_access_*.py")):
        if file.stem == "test_access_complete":
            continue
        module = importlib.import_module(f"tests.logistics.{file.stem}")
        for route in getattr(module, "ROUTES_CHECKED", ()):
            found[route] = file.stem
    return found


def test_every_logistics_route_is_in_a_logistics_access_matrix():
    routes = {_route(chain) for chain in _walk()}
    ours = sorted(r for r in routes if r.startswith(tuple(COVERED_ELSEWHERE)))
    checked = _checked_routes()

    missing = [r for r in ours if r not in checked]
    stale = sorted(set(checked) - routes)

    assert not missing, "logistics routes outside every access matrix:\n" + "\n".join(missing)
    assert not stale, f"matrices list routes that no longer exist: {stale}"
