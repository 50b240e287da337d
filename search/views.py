"""Catalogue and category listings (SQL, search.backends.listing), the product search page
and the search box's suggestions (both through the configured backend, get_backend())."""

import json
import logging
from decimal import Decimal
from urllib.parse import unquote

from django.conf import settings
from django.contrib import messages
from django.core.paginator import InvalidPage
from django.http import Http404, HttpResponsePermanentRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.generic import ListView, View
from oscar.core.loading import get_model

from marketplace.middleware import shared_by_all
from search.backends import get_backend, product_search
from search.backends.base import SearchUnavailable
from search.forms import BrowseCategoryForm, SearchForm
from search.query import (
    FACETS,
    LIST_FILTERS,
    MAX_PAGE,
    SearchInputError,
    SearchRequest,
    SearchResult,
    clean_text,
    parse_request,
    price_range_label,
)
from search.selectors import products_for_hits
from search.suggestcache import body_store, cached_body, json_response

Category = get_model("catalogue", "Category")


class BaseListingView(ListView):
    paginate_by = settings.OSCAR_PRODUCTS_PER_PAGE
    context_object_name = "products"
    form_class = SearchForm

    def get_form(self):
        form = self.form_class(self.request.GET or None)
        form.is_valid()
        return form

    def get_search_kwargs(self, form):
        data = getattr(form, "cleaned_data", {}) or {}
        return {"query": data.get("q") or "", "sort": data.get("sort_by") or "relevancy"}

    def get_queryset(self):
        self.form = self.get_form()
        return product_search(**self.get_search_kwargs(self.form))

    def paginate_queryset(self, queryset, page_size):
        try:
            return super().paginate_queryset(queryset, page_size)
        except (Http404, InvalidPage) as exc:
            raise Http404(str(exc)) from exc

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["form"] = self.form
        ctx["page"] = ctx["page_obj"]
        return ctx


class CatalogueView(BaseListingView):
    form_class = BrowseCategoryForm
    template_name = "oscar/catalogue/browse.html"

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            messages.error(request, _("页码无效，已为您跳转到第一页。"))
            return redirect("catalogue:index")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["summary"] = _("全部商品")
        return ctx


class ProductCategoryView(BaseListingView):
    form_class = BrowseCategoryForm
    template_name = "oscar/catalogue/category.html"

    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category, pk=self.kwargs["pk"])
        if not (self.category.is_public or request.user.is_staff):
            raise Http404()
        expected = self.category.get_absolute_url()
        if unquote(expected) != unquote(request.path):
            return HttpResponsePermanentRedirect(expected)
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            messages.error(request, _("页码无效，已为您跳转到第一页。"))
            return redirect(expected)

    def get_search_kwargs(self, form):
        kwargs = super().get_search_kwargs(form)
        kwargs["categories"] = self.category.get_descendants_and_self()
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["category"] = self.category
        ctx["summary"] = self.category.name
        return ctx


logger = logging.getLogger(__name__)
# What a backend raises when its store cannot answer now: the buyer gets a 503 saying so.
BACKEND_DOWN = SearchUnavailable

# --- the search page ------------------------------------------------------------------

FACET_LABELS = {
    "category": _("分类"), "certification": _("认证"), "county": _("区县"), "town": _("乡镇"),
    "cooperative": _("合作社"), "price": _("价格"), "in_stock": _("有货"),
    "live_now": _("直播中"),
}
SORT_CHOICES = (
    ("relevance", _("综合排序")), ("sales", _("销量优先")), ("newest", _("最新上架")),
    ("price_asc", _("价格从低到高")), ("price_desc", _("价格从高到低")),
)
# Links made before the search page had its own parameters (and the listings' sort select)
# say sort_by=price-asc; they keep working.
LEGACY_SORTS = {"relevancy": "relevance", "newest": "newest", "price-asc": "price_asc",
                "price-desc": "price_desc"}


def _search_params(query: QueryDict) -> QueryDict:
    params = query.copy()
    if "sort_by" in params:
        legacy = params.pop("sort_by")[-1]
        if legacy and "sort" not in params:
            params["sort"] = LEGACY_SORTS.get(legacy, legacy)
    return params


def _link(params: QueryDict, **changes) -> str:
    """The search page with these parameters changed (a value of None drops it); page 1."""
    params = params.copy()
    params.pop("page", None)
    for name, value in changes.items():
        params.pop(name, None)
        if isinstance(value, list):
            params.setlist(name, value)
        elif value not in (None, ""):
            params[name] = value
    return "?" + params.urlencode() if params else "?"


def _toggle(params: QueryDict, name: str, value: str, selected: bool) -> str:
    """Link that picks this facet value, or drops it when it is already picked."""
    if name == "price":
        if selected:
            return _link(params, price_min=None, price_max=None)
        low, _sep, high = value.partition("-")
        return _link(params, price_min=None if low in ("", "0") else low,
                     price_max=high or None)
    if name in LIST_FILTERS:
        kept = [v for v in params.getlist(name) if clean_text(v)[:40] != value]
        return _link(params, **{name: kept if selected else [*kept, value]})
    return _link(params, **{name: None if selected else value})


def _facet_panel(params: QueryDict, result: SearchResult) -> list[dict]:
    panel = []
    for name in FACETS:
        values = [
            {"label": v.label, "count": v.count, "selected": v.selected,
             "url": _toggle(params, name, v.value, v.selected)}
            for v in result.facets.get(name, ()) if v.count or v.selected
        ]
        if values:
            panel.append({"name": name, "label": FACET_LABELS[name], "values": values,
                          "open": any(v["selected"] for v in values)})
    return panel


def _active_filters(params: QueryDict, req: SearchRequest, result: SearchResult) -> list[dict]:
    """What narrows the hits now, each with a link that removes it."""
    active = []
    for name in LIST_FILTERS:
        labels = {v.value: v.label for v in result.facets.get(name, ())}
        for value in req.filters.get(name, ()):
            active.append({"label": f"{FACET_LABELS[name]}：{labels.get(value, value)}",
                           "url": _toggle(params, name, value, True)})
    if req.price_min is not None or req.price_max is not None:
        low = req.price_min or None  # "0-20" reads as "20 元以下"
        label = (price_range_label(Decimal(0), None) if low is None and req.price_max is None
                 else price_range_label(low, req.price_max))
        active.append({"label": f"{FACET_LABELS['price']}：{label}",
                       "url": _link(params, price_min=None, price_max=None)})
    for name in ("in_stock", "live_now"):
        flag = getattr(req, name)
        if flag is not None:
            label = FACET_LABELS[name] if flag else _("%(name)s：否") % {
                "name": FACET_LABELS[name]}
            active.append({"label": label, "url": _link(params, **{name: None})})
    return active


PAGE_HITS_MAX = 5


def _page_hits(query: str) -> list[dict]:
    """Other content for the query (相关内容: stories, festivals, articles), from the functions
    named in settings.SEARCH_PAGE_SECTIONS, at most PAGE_HITS_MAX in all. A section that
    fails is logged and left out: the products still show."""
    hits: list[dict] = []
    if not query:
        return hits
    for path in getattr(settings, "SEARCH_PAGE_SECTIONS", ()):
        if len(hits) >= PAGE_HITS_MAX:
            break
        try:
            hits.extend(import_string(path)(query, PAGE_HITS_MAX - len(hits)))
        except Exception:
            logger.exception("search page section %s failed", path)
    return hits[:PAGE_HITS_MAX]


def _pagination(params: QueryDict, result: SearchResult) -> dict | None:
    last = min(result.num_pages, MAX_PAGE)
    page = result.request.page
    if last <= 1 and page == 1:
        return None

    def url(number):
        return _link(params, page=str(number) if number > 1 else None)

    numbers = range(max(1, page - 2), min(last, page + 2) + 1)
    return {
        "page": page, "last": last,
        "previous": url(page - 1) if page > 1 else None,
        "next": url(page + 1) if page < last else None,
        "first": url(1) if page > 3 else None,
        "numbers": [{"number": n, "url": url(n), "current": n == page} for n in numbers],
    }


class FacetedSearchView(View):
    """/search/: the query string parsed once (query.parse_request; what it refuses is a 400
    saying why), searched by the configured backend, the page's hits shown as the listings'
    product cards with facets, active filters, sort and pages that keep every filter."""

    template_name = "oscar/search/results.html"
    error_template_name = "oscar/search/bad_request.html"

    def get(self, request, *args, **kwargs):
        params = _search_params(request.GET)
        try:
            req = parse_request(params)
        except SearchInputError as exc:
            return render(request, self.error_template_name,
                          {"message": str(exc), "query": clean_text(request.GET.get("q", ""))},
                          status=400)
        try:
            result = get_backend().search(req)
        except BACKEND_DOWN as exc:
            logger.warning("search unavailable: %s", exc)
            response = render(request, self.error_template_name, {
                "message": _("搜索暂时不可用，请稍后再试；也可以先按分类浏览商品。"),
                "query": req.q, "unavailable": True}, status=503)
            response["Retry-After"] = "30"
            return response
        return render(request, self.template_name, {
            "query": req.q,
            "corrected": result.corrected if result.corrected != req.q else None,
            "result": result,
            "products": products_for_hits(result.product_ids),
            "facet_panel": _facet_panel(params, result),
            "active_filters": _active_filters(params, req, result),
            "clear_filters_url": _link(QueryDict(mutable=True), q=req.q or None,
                                       sort=params.get("sort")),
            "sort_choices": SORT_CHOICES,
            "sort": req.sort,
            "sort_hidden": [(name, value) for name, values in params.lists()
                            if name not in ("sort", "page") for value in values],
            "pagination": _pagination(params, result),
            "page_hits": _page_hits(req.q) if req.page == 1 else [],
        })


# --- suggestions for the search box -----------------------------------------------------

SUGGEST_MAX_INPUT = 50  # a prefix this long matches no title; not worth a lookup
EMPTY_SUGGESTIONS = b'{"suggestions":[]}'


def _worth_suggesting(text: str) -> bool:
    """Something to look up: a letter, digit or 汉字, and more than one Latin character
    (one letter would match most of the catalogue by initials)."""
    if not any(ch.isalnum() for ch in text):
        return False
    return not (text.isascii() and len(text) < 2)


def suggest_text(raw: str) -> str:
    """The text to look up for what the box sent, or "" when nothing can start with it
    (empty, one Latin letter, punctuation or emoji only, very long)."""
    text = clean_text(raw)
    if len(raw) > SUGGEST_MAX_INPUT or not _worth_suggesting(text):
        return ""
    return text


@require_GET
@shared_by_all
def suggest(request):
    """/search/suggest/?q=hong: {"suggestions": [{"text", "url"}]} for the search box, the
    same for every visitor (cacheable by a CDN for a minute; kept in the shared cache per
    text, see search.suggestcache). Input that cannot be a prefix of anything answers an
    empty list without asking the backend."""
    text = suggest_text(request.GET.get("q", ""))
    if not text:
        return json_response(EMPTY_SUGGESTIONS)
    body = cached_body(text)
    if body is None:
        try:
            found = get_backend().suggest(text)
        except BACKEND_DOWN as exc:
            # The box still submits; an empty list must not be cached as the answer.
            logger.warning("search suggestions unavailable: %s", exc)
            response = json_response(EMPTY_SUGGESTIONS, status=503)
            response["Retry-After"] = "30"
            return response
        body = json.dumps({"suggestions": [{"text": s.text, "url": s.url} for s in found]},
                          ensure_ascii=False, separators=(",", ":")).encode()
        body_store(text, body)
    return json_response(body)
