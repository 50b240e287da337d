"""Livestream use cases: schedule, go live, pin, comment, and take or give back flash units.

Status changes are conditional UPDATEs (``WHERE status = <expected>``): two hosts pressing
"go live" at once change the session once, and a transition out of order is refused with a
message. Flash units and per-buyer units are taken with guarded UPDATEs inside the order's
transaction, exactly like storefront stock.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.cooperatives.models import Follow
from marketplace.livestream.models import (
    BuyerQuota,
    Comment,
    LiveSession,
    PinEvent,
    Reminder,
    SessionItem,
)
from marketplace.livestream.signals import session_status_changed
from marketplace.slugs import pinyin_slugify

COMMENT_MAX_LENGTH = 200
MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")


class LiveError(Exception):
    """A request the session cannot take; the message is shown to people (4xx)."""


class FlashUnavailable(LiveError):
    """The live units are gone, or this buyer reached the per-buyer limit (已抢光 / 限购)."""


# --- Who may do what -------------------------------------------------------------------------

def session_can_manage(user, session: LiveSession) -> bool:
    """The host, platform staff, or staff of one of the session's cooperatives."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or session.host_id == user.pk:
        return True
    return session.cooperatives.filter(partner__users=user).exists()


def session_can_transition(user, session: LiveSession) -> bool:
    """Going live, ending and cancelling belong to the host and platform staff only."""
    return user.is_authenticated and user.is_active and (
        user.is_staff or session.host_id == user.pk)


# --- Sessions and items ------------------------------------------------------------------------

@transaction.atomic
def session_create(*, host, cooperatives, title: str, scheduled_start: datetime,
                   scheduled_end: datetime, hls_url: str, description: str = "",
                   replay_url: str = "") -> LiveSession:
    if scheduled_end <= scheduled_start:
        raise LiveError(_("结束时间必须晚于开始时间。"))
    if not cooperatives:
        raise LiveError(_("请至少选择一个合作社。"))
    base = pinyin_slugify(title)[:60] or "live"
    session = LiveSession.objects.create(
        title=title, slug=f"{base}-{uuid.uuid4().hex[:6]}", host=host, description=description,
        scheduled_start=scheduled_start, scheduled_end=scheduled_end, hls_url=hls_url,
        replay_url=replay_url,
    )
    session.cooperatives.set(cooperatives)
    return session


def _normal_price(product) -> Decimal | None:
    record = product.stockrecords.order_by("price").first()
    return None if record is None else record.price


def _available(product) -> int:
    record = product.stockrecords.order_by("pk").first()
    if record is None:
        return 0
    return max(0, (record.num_in_stock or 0) - (record.num_allocated or 0))


@transaction.atomic
def item_add(*, session: LiveSession, product, live_price: Decimal, flash_quantity: int,
             per_buyer_limit: int = 0, display_order: int = 0,
             flash_ends_at: datetime | None = None) -> SessionItem:
    """Put a product on sale in a session; the live price must undercut the normal one and
    the flash units must exist in stock."""
    if session.status in (LiveSession.ENDED, LiveSession.CANCELLED):
        raise LiveError(_("直播已结束或已取消，不能再添加商品。"))
    partner_ids = set(session.cooperatives.values_list("partner_id", flat=True))
    if not product.stockrecords.filter(partner_id__in=partner_ids).exists():
        raise LiveError(_("只能添加本场直播合作社的商品。"))
    normal = _normal_price(product)
    if live_price is None or live_price <= 0:
        raise LiveError(_("直播价必须大于零。"))
    if normal is not None and live_price > normal:
        raise LiveError(_("直播价（¥%(live)s）不能高于原价（¥%(normal)s）。")
                        % {"live": live_price, "normal": normal})
    if flash_quantity <= 0:
        raise LiveError(_("直播专享数量必须大于零。"))
    if flash_quantity > _available(product):
        raise LiveError(_("直播专享数量（%(n)d）超过了现有库存（%(stock)d）。")
                        % {"n": flash_quantity, "stock": _available(product)})
    if per_buyer_limit < 0:
        raise LiveError(_("每人限购不能为负数。"))
    try:
        with transaction.atomic():
            return SessionItem.objects.create(
                session=session, product=product, live_price=live_price,
                flash_quantity=flash_quantity, per_buyer_limit=per_buyer_limit,
                display_order=display_order, flash_ends_at=flash_ends_at,
            )
    except IntegrityError as exc:
        raise LiveError(_("这件商品已经在本场直播中。")) from exc


def _transition(session_id: int, *, user, frm: tuple[str, ...], to: str, refused: str,
                **fields) -> LiveSession:
    session = LiveSession.objects.get(pk=session_id)
    if not session_can_transition(user, session):
        raise PermissionError("not the host")
    changed = LiveSession.objects.filter(pk=session_id, status__in=frm).update(status=to,
                                                                             **fields)
    if changed != 1:
        raise LiveError(refused)
    session.refresh_from_db()
    _pages_changed()
    session_status_changed.send(sender=LiveSession, session_id=session_id, status=to)
    return session


def _pages_changed() -> None:
    """Cached anonymous pages show live badges ("直播中" on product pages): a session going
    live or ending, or a pin moving, makes them stale once the change commits."""
    from marketplace.pagecache import pagecache_bump

    transaction.on_commit(pagecache_bump)


@transaction.atomic
def session_go_live(*, session_id: int, user) -> LiveSession:
    return _transition(session_id, user=user, frm=(LiveSession.SCHEDULED,), to=LiveSession.LIVE,
                       refused=_("只有预告中的直播可以开播（不能重复开播）。"),
                       started_at=timezone.now())


@transaction.atomic
def session_end(*, session_id: int, user) -> LiveSession:
    session = _transition(session_id, user=user, frm=(LiveSession.LIVE,), to=LiveSession.ENDED,
                          refused=_("只有正在直播的场次可以结束。"), ended_at=timezone.now())
    PinEvent.objects.filter(session=session, unpinned_at__isnull=True).update(
        unpinned_at=session.ended_at)
    return session


@transaction.atomic
def session_cancel(*, session_id: int, user) -> LiveSession:
    return _transition(session_id, user=user, frm=(LiveSession.SCHEDULED,),
                       to=LiveSession.CANCELLED, refused=_("只有预告中的直播可以取消。"))


# --- Pins --------------------------------------------------------------------------------------

@transaction.atomic
def item_pin(*, session_id: int, item_id: int, user) -> PinEvent:
    """Show one item on camera; the one shown before is unpinned at the same instant."""
    session = LiveSession.objects.select_for_update().get(pk=session_id)
    if not session_can_manage(user, session):
        raise PermissionError("cannot manage this session")
    if session.status != LiveSession.LIVE:
        raise LiveError(_("只有直播中才能讲解商品。"))
    item = SessionItem.objects.filter(pk=item_id, session=session).first()
    if item is None:
        raise LiveError(_("这件商品不属于本场直播。"))
    now = timezone.now()
    current = PinEvent.objects.filter(session=session, unpinned_at__isnull=True).first()
    if current is not None:
        if current.item_id == item.pk:
            return current
        current.unpinned_at = now
        current.save(update_fields=["unpinned_at"])
    _pages_changed()
    return PinEvent.objects.create(session=session, item=item, pinned_at=now, pinned_by=user)


@transaction.atomic
def item_unpin(*, session_id: int, user) -> None:
    session = LiveSession.objects.select_for_update().get(pk=session_id)
    if not session_can_manage(user, session):
        raise PermissionError("cannot manage this session")
    if PinEvent.objects.filter(session=session, unpinned_at__isnull=True).update(
            unpinned_at=timezone.now()):
        _pages_changed()


# --- Comments and reminders -------------------------------------------------------------------

def comment_post(*, session_id: int, user, text: str) -> Comment:
    """Plain text only: markup is refused (and everything is escaped when shown)."""
    text = (text or "").strip()
    if not text:
        raise LiveError(_("评论不能为空。"))
    if len(text) > COMMENT_MAX_LENGTH:
        raise LiveError(_("评论最多 %(n)d 个字。") % {"n": COMMENT_MAX_LENGTH})
    if MARKUP.search(text):
        raise LiveError(_("评论只能是纯文字，不能包含 HTML 标签。"))
    if not text.isprintable():
        raise LiveError(_("评论包含无法显示的字符。"))
    session = LiveSession.objects.get(pk=session_id)
    if session.status not in (LiveSession.SCHEDULED, LiveSession.LIVE):
        raise LiveError(_("直播已结束，不能再评论。"))
    return Comment.objects.create(session=session, user=user, text=text)


def comment_hide(*, comment_id: int, user) -> None:
    comment = Comment.objects.select_related("session").get(pk=comment_id)
    if not session_can_manage(user, comment.session):
        raise PermissionError("cannot manage this session")
    Comment.objects.filter(pk=comment.pk).update(hidden=True)


def reminder_add(*, session_id: int, user) -> bool:
    """Returns False when this buyer had already asked."""
    session = LiveSession.objects.get(pk=session_id)
    if session.status != LiveSession.SCHEDULED:
        raise LiveError(_("只有预告中的直播可以设置提醒。"))
    reminder, created = Reminder.objects.get_or_create(session=session, user=user)
    if not created and reminder.via == Reminder.FOLLOW:
        # Made for a follower; now asked for in person, it holds even if they unfollow.
        Reminder.objects.filter(pk=reminder.pk).update(via=Reminder.BUTTON)
        return True
    return created


# --- Flash units -------------------------------------------------------------------------------

def item_is_active(item: SessionItem, *, now: datetime | None = None,
                   grace_seconds: int = 0) -> bool:
    """The live price holds while the session is live (or ended less than the grace ago)
    and before the item's own flash deadline."""
    now = now or timezone.now()
    session = item.session
    if item.flash_ends_at is not None and now >= item.flash_ends_at:
        return False
    if session.status == LiveSession.LIVE:
        return True
    return (session.status == LiveSession.ENDED and session.ended_at is not None
            and (now - session.ended_at).total_seconds() <= grace_seconds)


def flash_take(*, item_id: int, user_id: int, quantity: int) -> None:
    """Take ``quantity`` live units for one buyer: both counters move or neither does.

    Must run inside the order's transaction (a failure rolls back the stock taken before).
    """
    if quantity <= 0:
        raise FlashUnavailable(_("数量必须大于零。"))
    with transaction.atomic():
        item = SessionItem.objects.select_related("product").get(pk=item_id)
        taken = SessionItem.objects.filter(
            pk=item_id, flash_sold__lte=F("flash_quantity") - quantity
        ).update(flash_sold=F("flash_sold") + quantity)
        if taken != 1:
            raise FlashUnavailable(_("“%(title)s”的直播专享数量已抢光。")
                                   % {"title": item.product.get_title()})
        if item.per_buyer_limit:
            BuyerQuota.objects.get_or_create(item_id=item_id, user_id=user_id)
            allowed = BuyerQuota.objects.filter(
                item_id=item_id, user_id=user_id,
                quantity__lte=item.per_buyer_limit - quantity,
            ).update(quantity=F("quantity") + quantity)
            if allowed != 1:
                raise FlashUnavailable(_("“%(title)s”每人限购 %(n)d 件。")
                                       % {"title": item.product.get_title(),
                                          "n": item.per_buyer_limit})


def flash_release(*, item_id: int, user_id: int | None, quantity: int) -> None:
    """Give live units back (order cancelled, payment failed or expired)."""
    SessionItem.objects.filter(pk=item_id, flash_sold__gte=quantity).update(
        flash_sold=F("flash_sold") - quantity)
    if user_id is not None:
        BuyerQuota.objects.filter(item_id=item_id, user_id=user_id,
                                  quantity__gte=quantity).update(
            quantity=F("quantity") - quantity)


@transaction.atomic
def basket_add_live_item(*, basket, item: SessionItem, quantity: int = 1):
    """"Buy now" from a live page: a basket line of its own, tagged with the item, so the
    strategy prices it live and order placement takes its flash units.

    The per-buyer limit and units left are checked here for a clear early answer; the
    guarded updates at order placement are what really holds them.
    """
    if quantity <= 0:
        raise LiveError(_("数量必须大于零。"))
    # The session's status right now, not as the caller loaded it.
    item = SessionItem.objects.select_related("session", "product").get(pk=item.pk)
    if not item_is_active(item):
        raise LiveError(_("直播未开始或已结束，直播价不可用。"))
    if item.units_left < quantity:
        raise FlashUnavailable(_("“%(title)s”的直播专享数量已抢光。")
                               % {"title": item.product.get_title()})
    stock_info = basket.get_stock_info(item.product, [])
    if stock_info.stockrecord is None or not stock_info.availability.is_available_to_buy:
        raise FlashUnavailable(_("“%(title)s”已售罄。") % {"title": item.product.get_title()})
    if not basket.id:
        basket.save()
    reference = f"live-{item.pk}-{stock_info.stockrecord.pk}"
    line, created = basket.lines.get_or_create(
        line_reference=reference, product=item.product, stockrecord=stock_info.stockrecord,
        defaults={"quantity": quantity, "price_excl_tax": item.live_price,
                  "price_incl_tax": item.live_price, "price_currency": basket.currency
                  or stock_info.price.currency, "live_item": item},
    )
    if not created:
        line.quantity += quantity
    if item.per_buyer_limit and line.quantity > item.per_buyer_limit:
        raise FlashUnavailable(_("“%(title)s”每人限购 %(n)d 件。")
                               % {"title": item.product.get_title(), "n": item.per_buyer_limit})
    if not created:
        line.save(update_fields=["quantity"])
    SessionItem.objects.filter(pk=item.pk).update(basket_adds=F("basket_adds") + 1)
    basket.reset_offer_applications()
    return line


REMINDER_BATCH = 1000


def _reminder_due_filter(*, minutes: int, now: datetime, prefix: str = "") -> dict:
    """Sessions still scheduled whose start is within ``minutes`` (and not over an hour
    late: a session that never went live is not announced forever)."""
    return {
        f"{prefix}status": LiveSession.SCHEDULED,
        f"{prefix}scheduled_start__lte": now + timedelta(minutes=minutes),
        f"{prefix}scheduled_start__gt": now - timedelta(hours=1),
    }


def reminders_for_followers_create(*, minutes: int, now: datetime | None = None) -> int:
    """Give every follower of a due session's cooperatives a reminder of that session
    (via "follow"), unless they already have one (pressed the button, or an earlier run).

    One query finds the missing (session, user) pairs of all due sessions, whatever the
    number of followers; they are inserted in batches with ON CONFLICT DO NOTHING, so a
    concurrent run or a button pressed meanwhile cannot make a second row. A follower who
    follows two of the session's cooperatives is one pair.
    """
    now = now or timezone.now()
    due = LiveSession.objects.filter(**_reminder_due_filter(minutes=minutes, now=now))
    pairs = (
        Follow.objects.filter(cooperative__live_sessions__in=due.values("pk"))
        .annotate(session_id=F("cooperative__live_sessions"))
        .exclude(
            Exists(
                Reminder.objects.filter(
                    session_id=OuterRef("session_id"), user_id=OuterRef("user_id")
                )
            )
        )
        .order_by()
        .values_list("session_id", "user_id")
        .distinct()
    )
    missing = list(pairs)
    for start in range(0, len(missing), REMINDER_BATCH):
        Reminder.objects.bulk_create(
            [
                Reminder(session_id=session_id, user_id=user_id, via=Reminder.FOLLOW)
                for session_id, user_id in missing[start : start + REMINDER_BATCH]
            ],
            ignore_conflicts=True,
        )
    return len(missing)


def reminders_send_due(*, minutes: int, now: datetime | None = None) -> int:
    """Tell buyers who pressed "remind me", and the followers of the session's cooperatives,
    that a session starts within ``minutes``: an in-site notification and an e-mail, once
    per (session, buyer) however often this runs, and at once.

    Followers first get reminder rows of their own (``reminders_for_followers_create``);
    the unique (session, user) row is what makes it once. Each reminder is claimed by a
    conditional UPDATE, and marked sent with its message created in one transaction; a mail
    failure rolls both back for the next run to retry.
    """
    from django.core.mail import send_mail
    from django.urls import reverse
    from oscar.core.loading import get_model

    Notification = get_model("communication", "Notification")
    now = now or timezone.now()
    reminders_for_followers_create(minutes=minutes, now=now)
    still_following = Follow.objects.filter(
        user_id=OuterRef("user_id"), cooperative__live_sessions=OuterRef("session_id")
    )
    due = (
        Reminder.objects.filter(
            sent_at__isnull=True,
            **_reminder_due_filter(minutes=minutes, now=now, prefix="session__"),
        )
        # A follower's reminder left unsent by an earlier run (a mail error) stays unsent
        # once they stop following every cooperative of the session.
        .filter(Q(via=Reminder.BUTTON) | Exists(still_following))
        .select_related("session", "user")
        .order_by("pk")
    )
    sent = 0
    for reminder in due:
        with transaction.atomic():
            claimed = Reminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(
                sent_at=now
            )
            if claimed != 1:
                continue  # another run took it
            session = reminder.session
            start = timezone.localtime(session.scheduled_start)
            subject = _("直播提醒：%(title)s") % {"title": session.title}
            params = {
                "title": session.title,
                "time": start.strftime("%m-%d %H:%M"),
                "path": reverse("livestream:detail", kwargs={"slug": session.slug}),
            }
            if reminder.via == Reminder.FOLLOW:
                body = _("您关注的合作社的直播“%(title)s”将于 %(time)s 开始：%(path)s") % params
            else:
                body = _("您预约的直播“%(title)s”将于 %(time)s 开始：%(path)s") % params
            Notification.objects.create(recipient=reminder.user, subject=subject, body=body)
            if reminder.user.email:
                send_mail(subject, body, None, [reminder.user.email])
            sent += 1
    return sent


def pinned_item(session: LiveSession) -> SessionItem | None:
    pin = (PinEvent.objects.filter(session=session, unpinned_at__isnull=True)
           .select_related("item__product").first())
    return None if pin is None else pin.item

