"""The search rows of the bench: the product index built once for the bench data, and what
buyers type into the search page and the search box (search_anon, suggest_anon)."""

from __future__ import annotations

import io
import random
import time
from urllib.parse import urlencode

from bench import spec as specmod

SORTS = ("price_asc", "price_desc", "sales", "newest")
QUERIES = 400  # distinct search URLs: most miss the anonymous page cache on a 20 s run
PREFIXES = 400
SEED = 7


def index_ready() -> tuple[bool, int, int]:
    """(whether the DB index holds one entry per browsable product, entries, products):
    a cheap staleness check that a fresh or rebuilt bench database fails."""
    from django.conf import settings
    from oscar.core.loading import get_model

    from search.models import SearchEntry

    products = get_model("catalogue", "Product").objects.browsable().count()
    if settings.SEARCH_BACKEND != "db":
        return True, 0, products  # Elasticsearch: the run rebuilds its own index
    entries = SearchEntry.objects.count()
    return entries == products and products > 0, entries, products


def search_targets(words: list[str], category_ids: list[int], *, seed: int = SEED,
                   queries: int = QUERIES, prefixes: int = PREFIXES) -> dict:
    """Search URLs and suggest prefixes as buyers type them: half Han words, a quarter their
    pinyin, a quarter initials; one search in three with a category filter, one in three
    sorted; prefixes of 1-3 Han characters, 2-6 pinyin letters, or initials."""
    from search.documents import pinyin_of

    rng = random.Random(seed)
    spelled = {w: pinyin_of(w) for w in words}
    urls: list[str] = []
    for _ in range(queries):
        word = rng.choice(words)
        roll = rng.random()
        q = word if roll < 0.5 else spelled[word][0] if roll < 0.75 else spelled[word][1]
        params = {"q": q}
        if category_ids and rng.random() < 1 / 3:
            params["category"] = str(rng.choice(category_ids))
        if rng.random() < 1 / 3:
            params["sort"] = rng.choice(SORTS)
        urls.append("/search/?" + urlencode(params))
    typed: list[str] = []
    for _ in range(prefixes):
        word = rng.choice(words)
        full, initials = spelled[word]
        roll = rng.random()
        if roll < 0.4:
            typed.append(word[:rng.randint(1, min(3, len(word)))])
        elif roll < 0.8:
            typed.append(full[:rng.randint(2, min(6, len(full)))])
        else:
            typed.append(initials)
    return {"search_urls": urls,
            "suggest_urls": ["/search/suggest/?" + urlencode({"q": p}) for p in typed]}


def search_prepare(*, log=print) -> dict:
    """Rebuild the DB search index when it is missing or stale (about 30 s for 10,000
    products), then return the scenarios' URLs."""
    from django.core.management import call_command
    from oscar.core.loading import get_model

    ready, entries, products = index_ready()
    if not ready:
        started = time.monotonic()
        log(f"search: index has {entries} entries for {products} products, rebuilding ...")
        # The progress bar (a line per batch) is not for the bench's log.
        call_command("search_index", rebuild=True, stdout=io.StringIO(), stderr=io.StringIO())
        log(f"search: index rebuilt in {time.monotonic() - started:.0f} s")
    Category = get_model("catalogue", "Category")
    categories = list(Category.objects.filter(depth=1, name__in=specmod.CATEGORIES)
                      .order_by("pk").values_list("pk", flat=True))
    words = sorted({w for ws in specmod.PRODUCE.values() for w in ws})
    return search_targets(words, categories)

