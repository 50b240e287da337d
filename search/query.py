"""The one query interface both search backends answer: what a buyer asked for
(``SearchRequest``, parsed and checked from the query string) and what comes back
(``SearchResult`` with hits in order, the total and facet counts).

Nothing here touches a database or Elasticsearch; the backends in search/backends/ do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

# Facets a buyer can filter by (query string names) and which the result counts.
FACETS = ("category", "certification", "county", "town", "cooperative", "price", "in_stock",
          "live_now")
# Filters with a list of values (ids or codes); the others are booleans or the price range.
LIST_FILTERS = ("category", "certification", "county", "town", "cooperative")
SORTS = ("relevance", "price_asc", "price_desc", "sales", "newest")
# Price ranges shown as a facet (yuan): [low, high), None = open.
PRICE_RANGES = ((None, Decimal(20)), (Decimal(20), Decimal(50)), (Decimal(50), Decimal(100)),
                (Decimal(100), Decimal(200)), (Decimal(200), None))
PER_PAGE = 24
MAX_PAGE = 400  # deeper pages are refused: nobody reads them, and they cost the most
MAX_QUERY_CHARS = 100  # longer text is cut (a 5,000-character paste still searches)
MAX_FILTER_VALUES = 20
SUGGEST_LIMIT = 8


class SearchInputError(ValueError):
    """A query string the search cannot answer; the message is for the buyer (a 400)."""


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # LIST_FILTERS only
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    in_stock: bool | None = None
    live_now: bool | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class FacetValue:
    value: str  # what goes back into the query string
    label: str  # what the buyer reads
    count: int
    selected: bool = False


@dataclass
class SearchResult:
    product_ids: list[int]  # this page's hits, best first
    total: int
    facets: dict[str, list[FacetValue]]
    request: SearchRequest
    # The query actually searched when a Latin term was corrected for a typo ("hongmu" →
    # "hongmi"), else None.
    corrected: str | None = None

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.request.per_page))


@dataclass(frozen=True)
class Suggestion:
    text: str  # the product title (or a category name)
    product_id: int | None
    url: str


def clean_text(text: str) -> str:
    """A query as the backends receive it: control characters dropped, whitespace squeezed,
    cut to MAX_QUERY_CHARS. Punctuation, emoji and query-syntax characters stay (the
    backends treat the text as words, never as query syntax)."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(text or ""))
    text = "".join(ch for ch in text if not 0xD800 <= ord(ch) <= 0xDFFF)
    return " ".join(text.split())[:MAX_QUERY_CHARS].strip()


def _price(value: str, name: str) -> Decimal | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        price = Decimal(value)
    except InvalidOperation:
        raise SearchInputError(_("价格必须是数字。")) from None
    if not price.is_finite() or price < 0:
        raise SearchInputError(_("价格不能为负数。"))
    if price > Decimal("1000000"):
        raise SearchInputError(_("价格太大。"))
    return price.quantize(Decimal("0.01"))


def _flag(value: str | None) -> bool | None:
    if value in (None, ""):
        return None
    if value in ("1", "true", "on", "yes"):
        return True
    if value in ("0", "false", "off", "no"):
        return False
    raise SearchInputError(_("筛选条件的值只能是 1 或 0。"))


KNOWN_PARAMS = {"q", "sort", "page", "price_min", "price_max", "in_stock", "live_now",
                *LIST_FILTERS}


def parse_request(params, *, per_page: int = PER_PAGE) -> SearchRequest:
    """A SearchRequest from a query string (a QueryDict or a dict of lists). Unknown
    parameter names are refused (a typo'd facet would otherwise silently filter nothing)."""
    getlist = params.getlist if hasattr(params, "getlist") else (
        lambda k: list(params.get(k) or []) if isinstance(params.get(k), (list, tuple))
        else ([params[k]] if k in params else []))
    unknown = sorted(k for k in params if k not in KNOWN_PARAMS)
    if unknown:
        raise SearchInputError(_("不支持的筛选条件：%(names)s") % {"names": "、".join(unknown[:5])})

    def one(name: str) -> str:
        values = getlist(name)
        return str(values[-1]) if values else ""

    filters = {}
    for name in LIST_FILTERS:
        values = tuple(dict.fromkeys(clean_text(v)[:40] for v in getlist(name) if clean_text(v)))
        if len(values) > MAX_FILTER_VALUES:
            raise SearchInputError(_("筛选条件太多。"))
        if values:
            filters[name] = values
    sort = one("sort") or "relevance"
    if sort not in SORTS:
        raise SearchInputError(_("不支持的排序方式。"))
    page_text = one("page") or "1"
    if not page_text.isdigit() or not 1 <= int(page_text[:6]) <= MAX_PAGE or len(page_text) > 6:
        raise SearchInputError(_("页码无效（1 到 %(max)d）。") % {"max": MAX_PAGE})
    price_min, price_max = _price(one("price_min"), "min"), _price(one("price_max"), "max")
    if price_min is not None and price_max is not None and price_min > price_max:
        raise SearchInputError(_("最低价不能高于最高价。"))
    return SearchRequest(
        q=clean_text(one("q")), filters=filters, price_min=price_min, price_max=price_max,
        in_stock=_flag(one("in_stock") or None), live_now=_flag(one("live_now") or None),
        sort=sort, page=int(page_text), per_page=per_page)


def _yuan(amount: Decimal) -> str:
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def price_range_value(low: Decimal | None, high: Decimal | None) -> str:
    """The facet value of one PRICE_RANGES entry: "0-20", "20-50", "200-" (open high end)."""
    return f"{_yuan(low or Decimal(0))}-{'' if high is None else _yuan(high)}"


def price_range_label(low: Decimal | None, high: Decimal | None) -> str:
    if low is None:
        return _("%(high)s 元以下") % {"high": _yuan(high)}
    if high is None:
        return _("%(low)s 元以上") % {"low": _yuan(low)}
    return _("%(low)s–%(high)s 元") % {"low": _yuan(low), "high": _yuan(high)}
