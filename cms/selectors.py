"""Live commerce data for CMS pages, loaded in batches.

A page's stream fields hold products, live sessions, cooperatives and categories by id. When
the page renders, ``load_live_data`` walks its stream fields once, collects the ids of each
kind over the whole page and loads each kind in one query (products through the catalogue's
``product_listing``, so a card's price and stock are the stock records' current values).
Blocks then look their objects up in the result (``cms_live`` in the template context); an
object that is gone, unpublished or not browsable is simply absent, and its block renders
nothing.

Queries per page render, whatever the number of objects:
- the stream's chooser values: one ``in_bulk`` per block type holding a chooser (Wagtail);
- products: one ``product_listing`` query plus its prefetches, one query for 直播中;
- each category or cooperative rail: one small id query for its newest products;
- live sessions: one query (+ their cooperatives); cooperatives: one (+ certifications).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Case, Q, Value, When
from django.utils import timezone
from oscar.core.loading import get_model
from wagtail.blocks import StreamValue

from marketplace.shop.catalogue.selectors import product_listing, products_featured

HOME_SESSIONS = 4


@dataclass
class LiveData:
    """What a page's blocks read while rendering: live rows by id."""

    products: dict[int, object] = field(default_factory=dict)
    live_products: dict[int, object] = field(default_factory=dict)  # product id -> session
    sessions: dict[int, object] = field(default_factory=dict)
    cooperatives: dict[int, object] = field(default_factory=dict)
    # id(rail value) -> its products, in order, only those that can be shown. Keyed by the
    # value's identity: the template renders the very StreamValue children that were walked
    # (a page's stream field is converted once per page instance).
    rails: dict[int, list] = field(default_factory=dict)

    def rail_products(self, rail) -> list:
        return self.rails.get(id(rail), [])

    def product(self, product):
        return self.products.get(getattr(product, "pk", product)) if product else None

    def session(self, session):
        return self.sessions.get(getattr(session, "pk", session)) if session else None

    def cooperative(self, cooperative):
        if not cooperative:
            return None
        return self.cooperatives.get(getattr(cooperative, "pk", cooperative))


@dataclass
class _Wanted:
    product_ids: set[int] = field(default_factory=set)
    session_ids: set[int] = field(default_factory=set)
    cooperative_ids: set[int] = field(default_factory=set)
    rails: list = field(default_factory=list)


def _pk(obj) -> int | None:
    return getattr(obj, "pk", None) if obj is not None else None


def _collect(streams: Iterable, wanted: _Wanted) -> None:
    from cms.blocks import CooperativeBlock, LiveSessionBlock, ProductCardBlock, ProductRailBlock

    for stream in streams:
        if not isinstance(stream, StreamValue):
            continue
        # Commerce blocks sit at the top level of every stream (no block nests them).
        for child in stream:
            block, value = child.block, child.value
            if isinstance(block, ProductCardBlock):
                if pk := _pk(value.get("product")):
                    wanted.product_ids.add(pk)
            elif isinstance(block, ProductRailBlock):
                wanted.rails.append(value)
            elif isinstance(block, LiveSessionBlock):
                if pk := _pk(value.get("session")):
                    wanted.session_ids.add(pk)
            elif isinstance(block, CooperativeBlock):
                if pk := _pk(value.get("cooperative")):
                    wanted.cooperative_ids.add(pk)


def _rail_product_ids(rail) -> list[int]:
    """The product ids a rail asks for, in display order (before visibility checks)."""
    from cms.blocks import ProductRailBlock

    limit = rail.get("limit") or 8
    source = rail.get("source")
    if source == ProductRailBlock.SOURCE_PRODUCTS:
        ids = [_pk(p) for p in rail.get("products") or []]
        return [pk for pk in ids if pk][:limit]
    Product = get_model("catalogue", "Product")
    qs = Product.objects.browsable().order_by("-date_created", "-id")
    if source == ProductRailBlock.SOURCE_CATEGORY and rail.get("category"):
        category = rail["category"]
        # A category rail shows its subcategories' products too.
        qs = qs.filter(categories__path__startswith=category.path).distinct()
    elif source == ProductRailBlock.SOURCE_COOPERATIVE and rail.get("cooperative"):
        qs = qs.filter(stockrecords__partner__cooperative=rail["cooperative"]).distinct()
    else:
        return []
    return list(qs.values_list("id", flat=True)[:limit])


def load_live_data(streams: Iterable, *, extra_product_ids: Iterable[int] = (),
                   extra_cooperative_ids: Iterable[int] = (),
                   loaded_products: Iterable = ()) -> LiveData:
    """Load every product, session and cooperative the given stream values show.

    ``extra_product_ids``: more products the page shows outside its streams, loaded in the
    same batch; ``loaded_products``: products already loaded through ``product_listing``
    (not loaded again, but their 直播中 badges are read with the others)."""
    loaded = {p.pk: p for p in loaded_products}
    wanted = _Wanted()
    _collect(streams, wanted)
    wanted.product_ids.update(extra_product_ids)
    wanted.cooperative_ids.update(extra_cooperative_ids)
    rail_ids = []
    for rail in wanted.rails:
        ids = _rail_product_ids(rail)
        rail_ids.append((rail, ids))
        wanted.product_ids.update(ids)

    data = LiveData()
    missing = wanted.product_ids - set(loaded)
    data.products = {**loaded, **(products_by_id(missing) if missing else {})}
    if data.products:
        data.live_products = live_sessions_for_products(data.products)
    for rail, ids in rail_ids:
        data.rails[id(rail)] = [data.products[pk] for pk in ids if pk in data.products]
    if wanted.session_ids:
        data.sessions = sessions_by_id(wanted.session_ids)
    if wanted.cooperative_ids:
        data.cooperatives = cooperatives_by_id(wanted.cooperative_ids)
    return data


def products_by_id(ids: Iterable[int]) -> dict[int, object]:
    """Browsable products with what their cards show, in one batch (no query per product)."""
    return {p.pk: p for p in product_listing().filter(pk__in=list(ids))}


def live_sessions_for_products(products: dict[int, object]) -> dict[int, object]:
    """Product id -> the live session selling it right now (直播中), one query."""
    from marketplace.livestream.models import LiveSession, SessionItem

    if not products:
        return {}
    items = (SessionItem.objects.filter(product_id__in=list(products),
                                        session__status=LiveSession.LIVE)
             .select_related("session").only("product_id", "session__slug",
                                             "session__title", "session__status")
             .order_by("session__started_at"))
    return {item.product_id: item.session for item in items}


def sessions_by_id(ids: Iterable[int]) -> dict[int, object]:
    """Live sessions that are still worth showing (not cancelled), with their cooperatives."""
    from marketplace.livestream.models import LiveSession

    qs = (LiveSession.objects.filter(pk__in=list(ids)).exclude(status=LiveSession.CANCELLED)
          .prefetch_related("cooperatives"))
    return {s.pk: s for s in qs}


def cooperatives_by_id(ids: Iterable[int]) -> dict[int, object]:
    from marketplace.cooperatives.selectors import cooperatives_with_valid_certifications

    return {c.pk: c for c in cooperatives_with_valid_certifications().filter(pk__in=list(ids))}


# --- page contexts ---------------------------------------------------------------------------

def _children(page, model):
    return model.objects.child_of(page).live().public()


def home_sessions() -> tuple[list, list]:
    """(live now, upcoming) sessions for the home page, at most HOME_SESSIONS of each, in
    one query (plus their cooperatives): live ones first, each group soonest first."""
    from marketplace.livestream.models import LiveSession

    live_first = Case(When(status=LiveSession.LIVE, then=Value(0)), default=Value(1))
    sessions = (LiveSession.objects
                .filter(Q(status=LiveSession.LIVE)
                        | Q(status=LiveSession.SCHEDULED, scheduled_end__gte=timezone.now()))
                .order_by(live_first, "scheduled_start", "pk")
                .prefetch_related("cooperatives")[:HOME_SESSIONS * 2])
    live_now, upcoming = [], []
    for session in sessions:
        group = live_now if session.status == LiveSession.LIVE else upcoming
        if len(group) < HOME_SESSIONS:
            group.append(session)
    return live_now, upcoming


def home_page_context(*, page) -> dict:
    live_now, upcoming = home_sessions()
    featured = products_featured(limit=page.featured_count)
    return {
        "cms_live": load_live_data([page.body], loaded_products=featured),
        "featured_products": featured,
        "live_now": live_now,
        "upcoming_sessions": upcoming,
        "festival": home_festival(page=page),
    }


def home_festival(*, page):
    """The festival the home page shows: the editor's choice while it is live and not over,
    else the current festival or the next one to start."""
    from cms.models import FestivalPage

    now = timezone.now()
    chosen = page.festival_banner
    if chosen is not None and chosen.live and chosen.ends_at >= now:
        return chosen
    return (FestivalPage.objects.live().public().filter(ends_at__gte=now)
            .select_related("cover_image").order_by("starts_at").first())


def story_index_context(*, page) -> dict:
    from cms.models import CooperativeStoryPage

    stories = (_children(page, CooperativeStoryPage)
               .select_related("cooperative", "cover_image")
               .prefetch_related("cover_image__renditions").order_by("-first_published_at"))
    return {"stories": list(stories)}


def story_page_context(*, page) -> dict:
    from cms.blocks import RAIL_MAX

    Product = get_model("catalogue", "Product")
    coop_product_ids = list(
        Product.objects.browsable()
        .filter(stockrecords__partner__cooperative=page.cooperative_id).distinct()
        .order_by("-date_created", "-id").values_list("id", flat=True)[:RAIL_MAX]
    )
    live = load_live_data([page.body], extra_product_ids=coop_product_ids,
                          extra_cooperative_ids=[page.cooperative_id])
    return {
        "cms_live": live,
        "cooperative": live.cooperatives.get(page.cooperative_id),
        "cooperative_products": [live.products[pk] for pk in coop_product_ids
                                 if pk in live.products],
    }


def festival_index_context(*, page) -> dict:
    from cms.models import FestivalPage

    now = timezone.now()
    festivals = (_children(page, FestivalPage).select_related("cover_image")
                 .prefetch_related("cover_image__renditions"))
    return {
        "current_festivals": list(festivals.filter(ends_at__gte=now).order_by("starts_at")),
        "past_festivals": list(festivals.filter(ends_at__lt=now).order_by("-starts_at")),
        "now": now,
    }


def festival_page_context(*, page) -> dict:
    return {
        "cms_live": load_live_data([page.body]),
        "online_offer": festival_offer(page=page),
    }


@dataclass
class OnlineOffer:
    """The festival's voucher or offer, with whether a buyer can still use it now."""

    name: str
    code: str
    start: object
    end: object
    is_valid: bool
    description: str = ""


def festival_offer(*, page) -> OnlineOffer | None:
    now = timezone.now()
    if page.voucher_id:
        Voucher = get_model("voucher", "Voucher")
        voucher = Voucher.objects.filter(pk=page.voucher_id).first()
        if voucher is not None:
            return OnlineOffer(
                name=voucher.name, code=voucher.code, start=voucher.start_datetime,
                end=voucher.end_datetime, is_valid=voucher.is_active(now),
            )
    if page.offer_id:
        ConditionalOffer = get_model("offer", "ConditionalOffer")
        offer = ConditionalOffer.objects.filter(pk=page.offer_id).first()
        if offer is not None:
            return OnlineOffer(
                name=offer.name, code="", start=offer.start_datetime, end=offer.end_datetime,
                is_valid=offer.is_available(test_date=now),
                description=offer.description or "",
            )
    return None


ARTICLES_PER_PAGE = 12


def article_index_context(*, page, kind: str = "", page_number: str | None = None) -> dict:
    """Articles newest first, optionally of one kind, a page of them at a time (an unknown
    kind shows them all; a page number out of range shows the last page)."""
    from django.core.paginator import Paginator

    from cms.models import ArticlePage

    articles = (_children(page, ArticlePage).select_related("cover_image")
                .prefetch_related("cover_image__renditions").order_by("-date", "-pk"))
    if kind in ArticlePage.Kind.values:
        articles = articles.filter(kind=kind)
    else:
        kind = ""
    articles_page = Paginator(articles, ARTICLES_PER_PAGE).get_page(page_number)
    return {"articles": articles_page, "kind": kind, "kinds": ArticlePage.Kind.choices}


def article_page_context(*, page) -> dict:
    return {"cms_live": load_live_data([page.body])}
