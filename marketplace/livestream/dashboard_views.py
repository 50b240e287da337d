"""Host console (主播控制台): schedule sessions and items, go live, pin, hide comments, figures."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from marketplace.livestream import services
from marketplace.livestream.figures import session_figures
from marketplace.livestream.forms import ItemForm, SessionForm
from marketplace.livestream.models import Comment, LiveSession, PinEvent, SessionItem

SESSIONS_PER_PAGE = 30
COMMENTS_SHOWN = 50


def _has_dashboard_access(user) -> bool:
    return user.is_staff or user.has_perm("partner.dashboard_access")


def manageable_sessions(user) -> QuerySet[LiveSession]:
    """Sessions the console shows a user: all for platform staff; otherwise those they host
    and those of their cooperatives (the same rule as services.session_can_manage)."""
    queryset = LiveSession.objects.all()
    if user.is_staff:
        return queryset
    own = LiveSession.objects.filter(
        Q(host=user) | Q(cooperatives__partner__users=user)).values("pk")
    return queryset.filter(pk__in=own)


def console_login_required(view):
    """Anonymous people go to the dashboard login; inactive accounts and buyers who neither
    host nor work for a cooperative get a 404, so the console gives nothing away."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("dashboard:login"))
        if not user.is_active:
            raise Http404
        if not _has_dashboard_access(user) and not LiveSession.objects.filter(
                host=user).exists():
            raise Http404
        return never_cache(view)(request, *args, **kwargs)
    return wrapper


def _session_for(request, pk: int) -> LiveSession:
    # Another cooperative's session looks exactly like a missing one.
    return get_object_or_404(manageable_sessions(request.user), pk=pk)


@console_login_required
def session_list(request):
    sessions = (manageable_sessions(request.user).select_related("host")
                .prefetch_related("cooperatives")
                .annotate(item_count=Count("items", distinct=True))
                .order_by("-scheduled_start", "-pk"))
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "livestream/dashboard/list.html", {
        "page_obj": page,
        "can_create": _has_dashboard_access(request.user),
    })


@console_login_required
def session_create(request):
    if not _has_dashboard_access(request.user):
        raise Http404
    form = SessionForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                session = services.session_create(
                    host=request.user, cooperatives=list(data["cooperatives"]),
                    title=data["title"], scheduled_start=data["scheduled_start"],
                    scheduled_end=data["scheduled_end"], hls_url=data["hls_url"],
                    replay_url=data["replay_url"], description=data["description"],
                )
            except services.LiveError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已创建直播“%(title)s”，现在添加直播商品。")
                                 % {"title": session.title})
                return redirect("livestream-dashboard:item-add", pk=session.pk)
    return render(request, "livestream/dashboard/create.html", {"form": form}, status=status)


@console_login_required
def item_add(request, pk: int):
    session = _session_for(request, pk)
    form = ItemForm(request.POST or None, session=session)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = services.item_add(
                    session=session, product=data["product"], live_price=data["live_price"],
                    flash_quantity=data["flash_quantity"],
                    per_buyer_limit=data["per_buyer_limit"] or 0,
                    display_order=data["display_order"] or 0,
                    flash_ends_at=data["flash_ends_at"],
                )
            except services.LiveError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已添加“%(title)s”，直播价 ¥%(price)s。")
                                 % {"title": item.product.title, "price": item.live_price})
                return redirect("livestream-dashboard:item-add", pk=session.pk)
    items = SessionItem.objects.filter(session=session).select_related("product")
    return render(request, "livestream/dashboard/item_add.html", {
        "session": session, "form": form, "items": items,
    }, status=status)


def _console_context(request, session: LiveSession) -> dict:
    items = list(SessionItem.objects.filter(session=session).select_related("product"))
    pinned_id = (PinEvent.objects.filter(session=session, unpinned_at__isnull=True)
                 .values_list("item_id", flat=True).first())
    comments = list(Comment.objects.filter(session=session).select_related("user")
                    [:COMMENTS_SHOWN])
    for comment in comments:
        comment.author = console_author(comment.user)
    return {
        "session": session,
        "cooperatives": list(session.cooperatives.all()),
        "items": items,
        "pinned_id": pinned_id,
        "comments": comments,
        "comments_shown": COMMENTS_SHOWN,
        "figures": session_figures(session),
        "can_transition": services.session_can_transition(request.user, session),
    }


@console_login_required
def console(request, pk: int):
    session = _session_for(request, pk)
    return render(request, "livestream/dashboard/console.html",
                  _console_context(request, session))


def _refused(request, session: LiveSession, message: str, status: int):
    """The console again, with the reason the action was refused on top."""
    context = _console_context(request, session)
    context["error"] = message
    return render(request, "livestream/dashboard/console.html", context, status=status)


@console_login_required
@require_POST
def transition(request, pk: int):
    session = _session_for(request, pk)
    action = request.POST.get("action")
    actions = {
        "go_live": (services.session_go_live, _("已开播。")),
        "end": (services.session_end, _("直播已结束。")),
        "cancel": (services.session_cancel, _("直播已取消。")),
    }
    if action not in actions:
        return _refused(request, session, _("未知的操作。"), 400)
    service, done = actions[action]
    try:
        service(session_id=session.pk, user=request.user)
    except PermissionError:
        # A colleague from the same cooperative sees the session but may not run it.
        return _refused(request, session,
                        _("只有本场主播或平台管理员可以开播、结束或取消直播。"), 403)
    except services.LiveError as exc:
        return _refused(request, session, str(exc), 400)
    messages.success(request, done)
    return redirect("livestream-dashboard:console", pk=session.pk)


@console_login_required
@require_POST
def pin(request, pk: int, item_pk: int):
    session = _session_for(request, pk)
    try:
        event = services.item_pin(session_id=session.pk, item_id=item_pk, user=request.user)
    except PermissionError as exc:
        raise Http404 from exc
    except services.LiveError as exc:
        return _refused(request, session, str(exc), 400)
    messages.success(request, _("正在讲解“%(title)s”。") % {"title": event.item.product.title})
    return redirect("livestream-dashboard:console", pk=session.pk)


@console_login_required
@require_POST
def unpin(request, pk: int):
    session = _session_for(request, pk)
    try:
        services.item_unpin(session_id=session.pk, user=request.user)
    except PermissionError as exc:
        raise Http404 from exc
    messages.success(request, _("已取消讲解。"))
    return redirect("livestream-dashboard:console", pk=session.pk)


@console_login_required
@require_POST
def comment_hide(request, pk: int, comment_pk: int):
    session = _session_for(request, pk)
    comment = get_object_or_404(Comment, pk=comment_pk, session=session)
    try:
        services.comment_hide(comment_id=comment.pk, user=request.user)
    except PermissionError as exc:
        raise Http404 from exc
    messages.success(request, _("已隐藏评论。"))
    return redirect("livestream-dashboard:console", pk=session.pk)


@console_login_required
def figures(request, pk: int):
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    session = _session_for(request, pk)
    data = session_figures(session)
    # The console passes the newest comment it shows; it gets what came after (newest first).
    after = request.GET.get("after", "")
    if after.isdigit() and len(after) <= 18:
        fresh = (Comment.objects.filter(session=session, pk__gt=int(after))
                 .select_related("user")[:COMMENTS_SHOWN])
        data["comments"] = [{
            "id": c.pk, "author": console_author(c.user), "text": c.text,
            "at": timezone.localtime(c.created_at).strftime("%H:%M:%S"),
            "hide_url": reverse("livestream-dashboard:comment-hide",
                                kwargs={"pk": session.pk, "comment_pk": c.pk}),
        } for c in fresh]
    return JsonResponse(data)


def console_author(user) -> str:
    """How the console names a commenter: the full name, else the user's number (hosts may
    need to tell repeat commenters apart, but never see an e-mail address)."""
    return user.get_full_name() or _("观众 #%(n)s") % {"n": user.pk}
