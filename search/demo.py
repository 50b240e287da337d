"""The seed_demo step that leaves the demo searchable (see marketplace/demo/services.py)."""

from __future__ import annotations

import logging

from search.backends import get_backend

logger = logging.getLogger(__name__)


def demo_search_index_rebuild(*, ctx) -> None:
    """Index every demo product (a missing search cluster is reported, not fatal: the shop
    works without search and `manage.py search_index --rebuild` fills it later)."""
    backend = get_backend()
    try:
        written = backend.rebuild()
    except Exception as exc:
        logger.exception("search index rebuild failed")
        ctx.log(f"search: index not rebuilt ({backend.name}: {exc}); run "
                "manage.py search_index --rebuild")
        return
    ctx.log(f"search: {written} products indexed ({backend.name})")
