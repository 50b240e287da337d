"""The embedded search backend: SearchEntry rows (search/models.py) matched through SQLite
FTS5 or a PostgreSQL tsvector, ranked title > pinyin/initials > category, cooperative and
region > description; the hits are one query and every facet count with the total one more
(a CTE and a UNION ALL of GROUP BYs), whatever the number of hits."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models import BooleanField, F, FloatField, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from search import text
from search.backends.base import SearchBackend
from search.documents import product_documents
from search.models import SearchEntry, SearchFacet, SearchWord
from search.query import (
    FACETS,
    PRICE_RANGES,
    SUGGEST_LIMIT,
    FacetValue,
    SearchRequest,
    SearchResult,
    Suggestion,
    clean_text,
    price_range_label,
    price_range_value,
)
from search.suggestcache import index_changed

FTS = "search_fts"
ENTRY = SearchEntry._meta.db_table
# bm25 column weights (title_terms, pinyin, initials, terms, description_terms).
BM25 = f"bm25({FTS}, 10.0, 6.0, 6.0, 3.0, 1.0)"
# PostgreSQL: the same columns as tsvector weights (A 1.0, B 0.4, C 0.2, D 0.1).
PG_WEIGHTS = (("A", "title_terms"), ("B", "pinyin"), ("B", "initials"), ("C", "terms"),
              ("D", "description_terms"))
FACET_LIMIT = 50
ALWAYS = Q(pk__isnull=False)


def fulltext_schema_create(conn) -> None:
    """The database-specific part of the index (idempotent; run by the migration and after
    every migrate, since test databases are built without migrations)."""
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(title_terms, pinyin, "
                "initials, terms, description_terms, tokenize = 'unicode61')")
        elif conn.vendor == "postgresql":
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute(f"ALTER TABLE {ENTRY} ADD COLUMN IF NOT EXISTS vector tsvector")
            cursor.execute(f"CREATE INDEX IF NOT EXISTS search_entry_vector ON {ENTRY} "
                           "USING gin (vector)")
            cursor.execute(f"CREATE INDEX IF NOT EXISTS search_entry_suggest_trgm ON {ENTRY} "
                           "USING gin (suggest_text gin_trgm_ops)")


def fulltext_schema_drop(conn) -> None:
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute(f"DROP TABLE IF EXISTS {FTS}")
        elif conn.vendor == "postgresql":
            cursor.execute("DROP INDEX IF EXISTS search_entry_suggest_trgm")
            cursor.execute("DROP INDEX IF EXISTS search_entry_vector")
            cursor.execute(f"ALTER TABLE {ENTRY} DROP COLUMN IF EXISTS vector")


def _certification_labels() -> dict[str, str]:
    from marketplace.cooperatives.models import Certification

    return {str(k): str(v) for k, v in Certification.Kind.choices}


def _entry_fields(doc: dict) -> tuple[SearchEntry, list[SearchFacet], dict[str, list[str]]]:
    meta = " ".join([doc["category_path"].replace(">", " "), doc["cooperative"], doc["county"],
                     doc["town"], doc["village"], doc["storage"]])
    pinyin, initials = text.title_pinyin(doc["title"])
    words = {
        "title_terms": text.index_words(doc["title"]),
        "pinyin": pinyin,
        "initials": initials,
        "terms": text.index_words(meta),
        "description_terms": text.index_words(doc["description"]),
    }
    bigrams = [run[i:i + 2] for run in text.han_runs(doc["title"]) for i in range(len(run) - 1)]
    suggest = text.segments(doc["title"]) + bigrams + pinyin + initials
    entry = SearchEntry(
        product_id=doc["id"], title=doc["title"][:255], description=doc["description"],
        url=doc["url"][:255], category_path=doc["category_path"][:255],
        cooperative_id=doc["cooperative_id"], cooperative=doc["cooperative"][:128],
        certifications=" ".join(doc["certifications"]), county_code=doc["county_code"],
        town_code=doc["town_code"], county=doc["county"][:64], town=doc["town"][:64],
        village=doc["village"][:64], storage=doc["storage"][:64], price=doc["price"],
        in_stock=doc["in_stock"], sales=doc["sales"], live_now=doc["live_now"],
        date_created=doc["date_created"],
        suggest_text=" " + " ".join(dict.fromkeys(suggest)) + " ",
        **{name: " ".join(values) for name, values in words.items()},
    )
    labels = _certification_labels()
    facets = [SearchFacet(entry_id=doc["id"], name="category", value=str(pk), label=name[:128])
              for pk, name in dict(zip(doc["category_ids"], doc["category_names"],
                                       strict=False)).items()]
    facets += [SearchFacet(entry_id=doc["id"], name="certification", value=kind,
                           label=labels.get(kind, kind)) for kind in dict.fromkeys(
                               doc["certifications"])]
    return entry, facets, words


def _tsvector(words: dict[str, list[str]]) -> str:
    """A tsvector literal with positions and weights (lexemes taken as they are, no parser:
    PostgreSQL's default parser does not know Chinese words)."""
    positions: dict[str, list[str]] = {}
    pos = 0
    for weight, column in PG_WEIGHTS:
        for word in words[column]:
            pos = min(pos + 1, 16383)
            slots = positions.setdefault(word, [])
            if len(slots) < 256:
                slots.append(f"{pos}{weight}")
    return " ".join("'" + w.replace("\\", "\\\\").replace("'", "''") + "':" + ",".join(p)
                    for w, p in positions.items())


def _vocabulary(words: dict[str, list[str]]) -> set[str]:
    found = set(words["pinyin"])
    for column in ("title_terms", "terms"):
        found.update(w for w in words[column] if text.LATIN.match(w))
    return {w for w in found if 2 <= len(w) <= 64 and text.LATIN.match(w)}


class DatabaseBackend(SearchBackend):
    name = "db"

    # --- indexing -----------------------------------------------------------------------
    def index_products(self, product_ids: Iterable[int]) -> int:
        ids = list(dict.fromkeys(int(i) for i in product_ids))
        written = 0
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            with transaction.atomic():
                written += self._write(product_documents(chunk), remove=chunk)
        index_changed()
        return written

    def rebuild(self, *, progress: Callable[[int, int], None] | None = None,
                batch_size: int = 500) -> int:
        """Everything in one transaction: searches see the old index until it commits."""
        Product = get_model("catalogue", "Product")
        ids = list(Product.objects.browsable().order_by("pk").values_list("pk", flat=True))
        written = 0
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM search_searchfacet")
                cursor.execute("DELETE FROM search_searchword")
                cursor.execute("DELETE FROM search_searchentry")
                if connection.vendor == "sqlite":
                    cursor.execute("DELETE FROM search_fts")
            for start in range(0, len(ids), batch_size):
                written += self._write(product_documents(ids[start:start + batch_size]),
                                       remove=[])
                if progress:
                    progress(min(start + batch_size, len(ids)), len(ids))
        if progress and not ids:
            progress(0, 0)
        # Fresh planner statistics: with none after a bulk fill, PostgreSQL nested-loops the
        # facet queries over every row (27 ms → 2 ms a facet at 10,000 products).
        with connection.cursor() as cursor:
            for table in ("search_searchentry", "search_searchfacet"):
                cursor.execute(f"ANALYZE {table}")
        index_changed()
        return written

    def _write(self, docs: list[dict], *, remove: list[int]) -> int:
        if remove:
            SearchFacet.objects.filter(entry_id__in=remove)._raw_delete(connection.alias)
            SearchEntry.objects.filter(pk__in=remove)._raw_delete(connection.alias)
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    # Only placeholders are formatted in; the ids are parameters.
                    marks = ", ".join(["%s"] * len(remove))
                    cursor.execute(f"DELETE FROM search_fts WHERE rowid IN ({marks})",  # noqa: S608  # nosec B608
                                   remove)
        if not docs:
            return 0
        entries, facets, vocabulary, fulltext = [], [], set(), []
        for doc in docs:
            entry, entry_facets, words = _entry_fields(doc)
            entries.append(entry)
            facets.extend(entry_facets)
            vocabulary |= _vocabulary(words)
            fulltext.append((doc["id"], words))
        SearchEntry.objects.bulk_create(entries)
        SearchFacet.objects.bulk_create(facets)
        SearchWord.objects.bulk_create([SearchWord(word=w) for w in sorted(vocabulary)],
                                       ignore_conflicts=True)
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.executemany(
                    "INSERT INTO search_fts (rowid, title_terms, pinyin, initials, terms, "
                    "description_terms) VALUES (%s, %s, %s, %s, %s, %s)",
                    [(pk, *(" ".join(words[c]) for _w, c in PG_WEIGHTS)) for pk, words
                     in fulltext])
            elif connection.vendor == "postgresql":
                rows = [(pk, _tsvector(words)) for pk, words in fulltext]
                values = ", ".join(["(%s::integer, %s::text)"] * len(rows))
                cursor.execute(
                    "UPDATE search_searchentry AS e SET vector = v.vec::tsvector "  # noqa: S608  # nosec B608
                    f"FROM (VALUES {values}) AS v(id, vec) WHERE e.product_id = v.id",
                    [value for row in rows for value in row])
        return len(entries)

    # --- searching ----------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResult:
        words = text.query_words(request.q)
        if request.q and not words:
            return SearchResult([], 0, {name: [] for name in FACETS}, request)
        words, corrected = self._correct(words, request.q)
        ranked = self._matching(words)
        hits = self._ordered(self._filtered(ranked, request), request, bool(words))
        product_ids = list(hits.values_list("pk", flat=True)[
            request.offset:request.offset + request.per_page])
        facets, total = self._facets(words, request)
        return SearchResult(product_ids, total, facets, request, corrected)

    def _correct(self, words: list[tuple[str, bool]], q: str):
        """Latin words (4+ letters) not in the vocabulary are replaced by a neighbour one edit
        away that is ("hongmu" → "hongmi"): one query for all of them."""
        latin = [w for w, _p in words if text.LATIN.match(w) and 4 <= len(w) <= 20][:3]
        if not latin:
            return words, None
        candidates = {w: text.edits1(w) for w in latin}
        known = set(SearchWord.objects.filter(
            word__in=set(latin).union(*candidates.values())).values_list("word", flat=True))
        replace = {}
        for word in latin:
            if word in known:
                continue
            found = sorted(candidates[word] & known,
                           key=lambda c: (not c.startswith(word[:-1]), len(c) != len(word), c))
            if found:
                replace[word] = found[0]
        if not replace:
            return words, None
        fixed = [(replace.get(w, w), p) for w, p in words]
        corrected = " ".join(replace.get(part, part) for part in clean_text(q).lower().split())
        for old, new in replace.items():
            corrected = corrected.replace(old, new)
        return list(dict.fromkeys(fixed)), corrected

    def _matching(self, words: list[tuple[str, bool]]):
        """The matching entries with a ``rank`` for ordering. Only parameters carry the
        query's words; the SQL around them is constant."""
        qs = SearchEntry.objects.all()
        if not words:
            return qs
        if connection.vendor == "postgresql":
            tsquery = " & ".join(f"'{w}'" + (":*" if prefix else "") for w, prefix in words)
            return qs.filter(RawSQL("vector @@ %s::tsquery", [tsquery],
                                    output_field=BooleanField())).annotate(rank=RawSQL(
                "ts_rank(vector, %s::tsquery)", [tsquery], output_field=FloatField()))
        match = " AND ".join(f'"{w}"' + ("*" if prefix else "") for w, prefix in words)
        # Joined, not a subquery: bm25() needs the FTS table in the ranked query itself.
        return qs.extra(  # noqa: S610  # nosec B610
            tables=["search_fts"], where=["search_fts.rowid = search_searchentry.product_id",
                                          "search_fts MATCH %s"],
            params=[match], select={"rank": f"-{BM25}"})

    @staticmethod
    def _list_filter(name: str, values: tuple[str, ...]) -> Q:
        if name in ("category", "certification"):
            return Q(pk__in=SearchFacet.objects.filter(name=name, value__in=values)
                     .values("entry_id"))
        if name == "cooperative":
            return Q(cooperative_id__in=[int(v) for v in values if v.isdigit() and len(v) < 10])
        return Q(**{f"{name}_code__in": values})

    @staticmethod
    def _flag_filters(request: SearchRequest) -> dict[str, Q]:
        price = ALWAYS
        if request.price_min is not None:
            price &= Q(price__gte=request.price_min)
        if request.price_max is not None:
            price &= Q(price__lte=request.price_max)
        return {
            "price": price,
            "in_stock": ALWAYS if request.in_stock is None else Q(in_stock=request.in_stock),
            "live_now": ALWAYS if request.live_now is None else Q(live_now=request.live_now),
        }

    def _filtered(self, qs, request: SearchRequest, *, skip: str | None = None,
                  flags: bool = True):
        for name, values in request.filters.items():
            if name != skip:
                qs = qs.filter(self._list_filter(name, values))
        if flags:
            for name, condition in self._flag_filters(request).items():
                if name != skip:
                    qs = qs.filter(condition)
        return qs

    @staticmethod
    def _ordered(qs, request: SearchRequest, ranked: bool):
        if request.sort == "price_asc":
            return qs.order_by(F("price").asc(nulls_last=True), "-sales", "pk")
        if request.sort == "price_desc":
            return qs.order_by(F("price").desc(nulls_last=True), "-sales", "pk")
        if request.sort == "sales":
            return qs.order_by("-sales", "-date_created", "-pk")
        if request.sort == "newest":
            return qs.order_by("-date_created", "-pk")
        if ranked:
            return qs.order_by("-rank", "-sales", "-pk")
        return qs.order_by("-sales", "-date_created", "-pk")

    def _text_sql(self, words) -> tuple[str, list]:
        if not words:
            return "1 = 1", []
        if connection.vendor == "postgresql":
            return "vector @@ %s::tsquery", [
                " & ".join(f"'{w}'" + (":*" if prefix else "") for w, prefix in words)]
        return ("product_id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)",
                [" AND ".join(f'"{w}"' + ("*" if prefix else "") for w, prefix in words)])

    @staticmethod
    def _filter_sql(request: SearchRequest) -> dict[str, tuple[str, list]]:
        """Each filter of the request as SQL over the CTE ``m`` (values are parameters)."""
        out: dict[str, tuple[str, list]] = {}
        for name, values in request.filters.items():
            if name in ("category", "certification"):
                marks = ", ".join(["%s"] * len(values))
                out[name] = (f"m.product_id IN (SELECT entry_id FROM search_searchfacet WHERE "  # noqa: S608  # nosec B608
                             f"name = %s AND value IN ({marks}))", [name, *values])
                continue
            if name == "cooperative":
                values = tuple(int(v) for v in values if v.isdigit() and len(v) < 10) or (-1,)
            column = "cooperative_id" if name == "cooperative" else f"{name}_code"
            out[name] = (f"m.{column} IN ({', '.join(['%s'] * len(values))})", list(values))
        price = []
        if request.price_min is not None:
            price.append(("m.price >= %s", [request.price_min]))
        if request.price_max is not None:
            price.append(("m.price <= %s", [request.price_max]))
        if price:
            out["price"] = (" AND ".join(c for c, _p in price), [v for _c, p in price for v in p])
        for name in ("in_stock", "live_now"):
            if getattr(request, name) is not None:
                out[name] = (f"m.{name} = %s", [getattr(request, name)])
        return out

    def _facets(self, words, request: SearchRequest) -> tuple[dict[str, list[FacetValue]], int]:
        """Every facet's counts and the total in ONE statement: the text is matched once (a
        CTE), then each UNION ALL branch counts with all filters but its own. The SQL is put
        together from constant fragments and %s placeholders; every value is a parameter."""
        text_sql, text_params = self._text_sql(words)
        filters = self._filter_sql(request)

        def where(*extra: tuple[str, list], skip: str | None = None) -> tuple[str, list]:
            parts = [f for name, f in filters.items() if name != skip] + list(extra)
            if not parts:
                return "", []
            return " WHERE " + " AND ".join(f"({c})" for c, _p in parts), [
                v for _c, p in parts for v in p]

        branches: list[tuple[str, list]] = []
        for name in ("category", "certification"):
            cond, params = where(skip=name)
            branches.append((
                "SELECT %s, f.value, f.label, COUNT(*) FROM m JOIN search_searchfacet f "  # noqa: S608  # nosec B608
                f"ON f.entry_id = m.product_id AND f.name = %s{cond} GROUP BY f.value, f.label",
                [name, name, *params]))
        for name, value, label in (("county", "m.county_code", "m.county"),
                                   ("town", "m.town_code", "m.town"),
                                   ("cooperative", "CAST(m.cooperative_id AS TEXT)",
                                    "m.cooperative")):
            cond, params = where((f"{label} <> ''", []), skip=name)
            branches.append((f"SELECT %s, {value}, {label}, COUNT(*) FROM m{cond} "  # noqa: S608  # nosec B608
                             f"GROUP BY {value}, {label}", [name, *params]))
        cond, params = where()
        branches.append((f"SELECT 'n_total', '', '', COUNT(*) FROM m{cond}", params))  # noqa: S608  # nosec B608
        ranges = {price_range_value(low, high): (low, high) for low, high in PRICE_RANGES}
        for value, (low, high) in ranges.items():
            bounds = [("m.price IS NOT NULL", [])]
            if low is not None:
                bounds.append(("m.price >= %s", [low]))
            if high is not None:
                bounds.append(("m.price < %s", [high]))
            cond, params = where(*bounds, skip="price")
            branches.append((f"SELECT 'price', %s, '', COUNT(*) FROM m{cond}", [value, *params]))  # noqa: S608  # nosec B608
        for name in ("in_stock", "live_now"):
            cond, params = where((f"m.{name} = %s", [True]), skip=name)
            branches.append((f"SELECT %s, '1', '', COUNT(*) FROM m{cond}", [name, *params]))  # noqa: S608  # nosec B608
        materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
        sql = (f"WITH m AS {materialized}(SELECT product_id, county_code, county, town_code, "  # noqa: S608  # nosec B608
               "town, cooperative_id, cooperative, price, in_stock, live_now "
               f"FROM search_searchentry WHERE {text_sql}) "
               + " UNION ALL ".join(b for b, _p in branches))
        with connection.cursor() as cursor:
            cursor.execute(sql, [*text_params, *(v for _b, p in branches for v in p)])
            rows = cursor.fetchall()

        grouped: dict[str, list[tuple[str, str, int]]] = {}
        for name, value, label, n in rows:
            grouped.setdefault(name, []).append((str(value), label, int(n)))
        total = grouped.pop("n_total", [("", "", 0)])[0][2]
        facets: dict[str, list[FacetValue]] = {}
        for name in ("category", "certification", "county", "town", "cooperative"):
            found = sorted((r for r in grouped.get(name, []) if r[2]),
                           key=lambda r: (-r[2], r[1]))[:FACET_LIMIT]
            if name == "certification":
                labels = _certification_labels()
                found = [(v, labels.get(v, label), n) for v, label, n in found]
            facets[name] = self._values(name, found, request.filters.get(name, ()))
        price_counts = {value: n for value, _l, n in grouped.get("price", [])}
        chosen = (request.price_min or 0, request.price_max)
        facets["price"] = [
            FacetValue(value, price_range_label(low, high), price_counts.get(value, 0),
                       chosen == (low or 0, high))
            for value, (low, high) in ranges.items()
            if price_counts.get(value) or chosen == (low or 0, high)]
        for name, label in (("in_stock", _("有货")), ("live_now", _("直播中"))):
            n = grouped.get(name, [("", "", 0)])[0][2]
            selected = getattr(request, name) is True
            facets[name] = [FacetValue("1", label, n, selected)] if n or selected else []
        return facets, total

    @staticmethod
    def _values(name, rows, selected: tuple[str, ...]) -> list[FacetValue]:
        out = [FacetValue(value, label, n, value in selected) for value, label, n in rows]
        seen = {v.value for v in out}
        out += [FacetValue(value, value, 0, True) for value in selected if value not in seen]
        return out

    # --- suggest ------------------------------------------------------------------------
    def suggest(self, prefix: str, *, limit: int = SUGGEST_LIMIT) -> list[Suggestion]:
        prefix = clean_text(prefix).lower()
        compact = "".join(c for c in prefix if c.isalnum())[:text.MAX_WORD]
        if not compact:
            return []
        rows = (SearchEntry.objects.filter(Q(title__startswith=prefix)
                                           | Q(suggest_text__contains=" " + compact))
                .order_by("-sales", "-pk").values_list("pk", "title", "url")[:max(1, min(
                    limit, SUGGEST_LIMIT))])
        return [Suggestion(text=title, product_id=pk, url=url) for pk, title, url in rows]
