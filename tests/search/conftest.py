"""Search tests against a real Elasticsearch (only when ELASTICSEARCH_URL is set): each test
reads and writes its own alias, deleted afterwards, since the test database's rollback does
not reach the cluster (documents of an earlier test would be found by the next)."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture(autouse=True)
def _own_elasticsearch_alias(request):
    from django.conf import settings

    if not settings.ELASTICSEARCH_URL:
        yield
        return
    django_settings = request.getfixturevalue("settings")
    alias = f"test-products-{uuid.uuid4().hex[:12]}"
    django_settings.ELASTICSEARCH_INDEX = alias
    yield
    from search.backends.elasticsearch import _client

    client = _client(settings.ELASTICSEARCH_URL)
    # By name: deleting by wildcard is refused by default (action.destructive_requires_name).
    for index in client.indices.get(index=f"{alias}-*", ignore_unavailable=True):
        client.indices.delete(index=index, ignore_unavailable=True)
