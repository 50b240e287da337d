"""Count the SQL queries of one page view the way a returning visitor's request runs them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

# Cookies a first request sets that would change what the measured request shows:
# Oscar's recently-viewed products and flashed messages.
_TRANSIENT_COOKIES = (settings.OSCAR_RECENTLY_VIEWED_COOKIE_NAME, "messages")


@dataclass
class Visit:
    """A page, who looks at it, and what their session or cookies hold."""

    url: str
    user: object = None
    session: dict = field(default_factory=dict)
    cookies: dict = field(default_factory=dict)
    status: int = 200
    headers: dict = field(default_factory=dict)


def page_queries(visit: Visit) -> tuple[int, list[str]]:
    """(number of queries, their SQL) for one GET of ``visit.url`` by a fresh client.

    The page is fetched once beforehand so per-process caches (content types, sites,
    thumbnails, translations) are warm: what is measured is what every request costs.
    """
    client = Client(**visit.headers)
    if visit.user is not None:
        client.force_login(visit.user)
    if visit.session:
        session = client.session
        session.update(visit.session)
        session.save()
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    for name, value in visit.cookies.items():
        client.cookies[name] = value
    client.get(visit.url)
    for name in _TRANSIENT_COOKIES:
        client.cookies.pop(name, None)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(visit.url)
    assert response.status_code == visit.status, (visit.url, response.status_code)
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def growth_message(url: str, small: list[str], large: list[str]) -> str:
    """The queries the larger page ran in addition, to point at the N+1."""
    def shape(sql):
        return re.sub(r"'[^']*'|\d+", "?", sql)

    extra = [shape(sql) for sql in large]
    for sql in small:
        if shape(sql) in extra:
            extra.remove(shape(sql))
    shown = "\n".join(sql[:300] for sql in extra[:8])
    return f"{url}: {len(small)} queries with few objects, {len(large)} with many; extra:\n{shown}"
