"""Public live pages (/live/): the listing, a session's viewer page, buy now, comments,
reminders, the polled state and viewer heartbeats."""

from __future__ import annotations

import hashlib
import re
import secrets

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from marketplace.livestream import ratelimit, selectors
from marketplace.livestream.models import LiveSession, SessionItem
from marketplace.livestream.services import (
    LiveError,
    basket_add_live_item,
    comment_post,
    reminder_add,
)
from marketplace.middleware import shared_by_all

VIEWER_COOKIE = "live_viewer"
_VIEWER_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,40}")
BUY_MAX_QUANTITY = 99
# How long a heartbeat trusts what it knows of a session (its id and status).
SESSION_LOOKUP_SECONDS = 5


def _detail_url(session: LiveSession) -> str:
    return reverse("livestream:detail", kwargs={"slug": session.slug})


def _wants_json(request) -> bool:
    return ("application/json" in request.headers.get("Accept", "")
            or request.headers.get("X-Requested-With") == "XMLHttpRequest")


# --- pages -----------------------------------------------------------------------------------

def index(request):
    return render(request, "livestream/index.html", selectors.sessions_index())


def detail(request, slug: str):
    session = get_object_or_404(LiveSession.objects.prefetch_related("cooperatives"), slug=slug)
    return _render_detail(request, session)


def _render_detail(request, session: LiveSession, *, status: int = 200,
                   comment_error: str = "", comment_text: str = ""):
    context = selectors.session_page(session, request.user)
    context.update(session=session, notice=selectors.status_notice(session),
                   comment_error=comment_error, comment_text=comment_text,
                   can_comment=session.status in (LiveSession.SCHEDULED, LiveSession.LIVE),
                   labels=_viewer_labels())
    # No cookie here: the first heartbeat gives an anonymous viewer its key, so the page is
    # the same for every anonymous visitor and the page cache can serve it.
    return render(request, "livestream/detail.html", context, status=status)


def _viewer_labels() -> dict[str, str]:
    """What viewer.js writes into the page, translated here (the script has no catalogue)."""
    return {
        "starts_in": _("距开播"), "starting": _("即将开播，正在刷新…"),
        "flash_left": _("秒杀剩余"), "flash_over": _("秒杀已结束"),
        "buy": _("立即抢购"), "sold_out": _("已抢光"), "buy_small": _("抢购"),
        "send_failed": _("发送失败，请稍后再试。"), "days": _("天"),
    }


# --- actions ---------------------------------------------------------------------------------

def _login_first(request, session: LiveSession, message: str):
    # Back to the session's page after logging in: the POST itself cannot be replayed.
    messages.info(request, message)
    return redirect_to_login(_detail_url(session))


@require_POST
def buy(request, slug: str, item_id: int):
    """Buy now: the item at its live price into the basket, then straight to checkout."""
    session = get_object_or_404(LiveSession, slug=slug)
    item = get_object_or_404(SessionItem.objects.select_related("product"), pk=item_id,
                             session=session)
    if not request.user.is_authenticated:
        return _login_first(request, session, _("请先登录再购买。"))
    try:
        quantity = int(request.POST.get("quantity", "1"))
    except ValueError:
        quantity = 0
    if not 1 <= quantity <= BUY_MAX_QUANTITY:
        messages.error(request, _("购买数量必须在 1 到 %(n)d 之间。") % {"n": BUY_MAX_QUANTITY})
        return redirect(_detail_url(session))
    item.session = session
    try:
        basket_add_live_item(basket=request.basket, item=item, quantity=quantity)
    except LiveError as exc:
        messages.error(request, str(exc))
        return redirect(_detail_url(session))
    messages.success(request, _("“%(title)s”已按直播价加入购物车。")
                     % {"title": item.product.get_title()})
    return redirect("checkout:index")


@require_POST
def comment(request, slug: str):
    """Post a comment: JSON for the page's script, the page itself (with the reason) for a
    plain form. Refusals: 400 bad text, 429 too fast, 403 not logged in (JSON)."""
    session = get_object_or_404(LiveSession, slug=slug)
    as_json = _wants_json(request)
    if not request.user.is_authenticated:
        if as_json:
            return JsonResponse({"error": _("请先登录再评论。")}, status=403)
        return _login_first(request, session, _("请先登录再评论。"))
    text = request.POST.get("text", "")

    def refuse(message: str, status: int):
        if as_json:
            return JsonResponse({"error": message}, status=status)
        return _render_detail(request, session, status=status, comment_error=message,
                              comment_text=text[:200])

    refusal = ratelimit.comment_allowed(request.user.pk)
    if refusal is not None:
        return refuse(refusal, 429)
    try:
        posted = comment_post(session_id=session.pk, user=request.user, text=text)
    except LiveError as exc:
        ratelimit.comment_refused(request.user.pk)
        return refuse(str(exc), 400)
    ratelimit.comment_counted(request.user.pk)
    if as_json:
        return JsonResponse({"comment": {
            "id": posted.pk, "user": selectors.commenter_name(request.user),
            "text": posted.text, "at": posted.created_at.isoformat()}}, status=201)
    return redirect(_detail_url(session) + "#comments")


@require_POST
def remind(request, slug: str):
    session = get_object_or_404(LiveSession, slug=slug)
    if not request.user.is_authenticated:
        return _login_first(request, session, _("请先登录再设置开播提醒。"))
    try:
        created = reminder_add(session_id=session.pk, user=request.user)
    except LiveError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已设置开播提醒，开播前会通知你。") if created
                         else _("你已经设置过开播提醒。"))
    return redirect(_detail_url(session))


# --- polled by the viewer page ---------------------------------------------------------------

@require_GET
@shared_by_all
def state(request, slug: str):
    """The session's state as JSON, from the cache (rebuilt at most once a second): no query
    on a hit, 304 when the viewer already has it, and cacheable by a CDN for a second (the
    same body for every viewer and language, so no Vary)."""
    found = selectors.cached_state(slug)
    if found is None:
        raise Http404
    return state_response(request, *found)


def state_response(request, body: bytes, etag: str):
    """The state's answer, shared with the fast path (livestream.middleware): 304 when the
    viewer already has this ETag."""
    known = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
    if etag in known or "*" in known:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={selectors.STATE_SECONDS}"
    return response


def _session_brief(slug: str) -> tuple[int, str] | None:
    """(id, status) of a session, cached briefly: heartbeats come from every viewer every
    10 s and need no more than this."""
    key = "live:brief:" + hashlib.sha1(slug.encode(), usedforsecurity=False).hexdigest()
    brief = cache.get(key)
    if brief is None:
        row = LiveSession.objects.filter(slug=slug).values_list("pk", "status").first()
        if row is None:
            return None
        brief = tuple(row)
        cache.set(key, brief, SESSION_LOOKUP_SECONDS)
    return brief


def _set_viewer_cookie(response, token: str) -> None:
    response.set_cookie(VIEWER_COOKIE, token, max_age=365 * 24 * 3600, httponly=True,
                        samesite="Lax")


@require_POST
def heartbeat(request, slug: str):
    """A viewer page is open: counted among viewers now while the session is live. Signed-in
    viewers are their user; anonymous ones a random key from their cookie (or, where cookies
    are cleared, the key the page keeps in localStorage and posts)."""
    brief = _session_brief(slug)
    if brief is None:
        raise Http404
    session_id, status = brief
    new_token = None
    if request.user.is_authenticated:
        viewer_key = f"u{request.user.pk}"
    else:
        token = request.COOKIES.get(VIEWER_COOKIE, "")
        if not _VIEWER_TOKEN.fullmatch(token):
            token = request.POST.get("viewer", "")
            if not _VIEWER_TOKEN.fullmatch(token):
                token = new_token = secrets.token_urlsafe(18)
        viewer_key = f"a{token}"
    if status == LiveSession.LIVE:
        selectors.viewer_heartbeat(session_id=session_id, viewer_key=viewer_key)
    response = JsonResponse({"viewers": selectors.viewers_now(session_id)})
    if new_token is not None:
        _set_viewer_cookie(response, new_token)
    response["Cache-Control"] = "no-store"
    return response
