"""Start reminders (开播提醒) for the followers of a session's cooperatives: one in-site
notification and one e-mail per (session, buyer), however the buyer qualifies and however
often (or concurrently) the beat task runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.cooperatives.services import cooperative_follow, cooperative_unfollow
from marketplace.livestream import services, tasks
from marketplace.livestream.models import Reminder
from tests import factories
from tests.livestream.conftest import new_session
from tests.reliability.helpers import at_once, buyers_in_bulk, require_postgres

Notification = get_model("communication", "Notification")


def due(session) -> dt.datetime:
    """A moment ten minutes before the session's start: inside the 15-minute window."""
    return session.scheduled_start - dt.timedelta(minutes=10)


def due_start() -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=1)


def send(session, **kwargs) -> int:
    return services.reminders_send_due(minutes=15, now=due(session), **kwargs)


def notes(user) -> list:
    return list(Notification.objects.filter(recipient=user))


def mails_to(mailoutbox, user) -> list:
    return [m for m in mailoutbox if user.email in m.to]


@pytest.mark.django_db
def test_follower_is_told_once_when_the_beat_task_runs_twice(
    session, coop_a, buyer, mailoutbox, settings
):
    # given a buyer following the session's cooperative, the session due within the window
    cooperative_follow(user=buyer, cooperative=coop_a)
    settings.LIVE_REMINDER_MINUTES = 90  # the session starts in an hour

    # when the beat task runs twice (here, in this process, whatever the broker)
    first = tasks.reminders_send.apply().get()
    second = tasks.reminders_send.apply().get()

    # then one notification and one e-mail, naming the session and linking to it
    assert (first, second) == (1, 0)
    [note] = notes(buyer)
    [mail] = mails_to(mailoutbox, buyer)
    assert session.title in note.subject and session.title in mail.subject
    assert f"/live/{session.slug}/" in note.body
    assert "关注的合作社" in mail.body


@pytest.mark.django_db
def test_nothing_is_sent_before_the_window(session, coop_a, buyer, mailoutbox):
    cooperative_follow(user=buyer, cooperative=coop_a)
    early = session.scheduled_start - dt.timedelta(minutes=20)

    assert services.reminders_send_due(minutes=15, now=early) == 0

    assert notes(buyer) == [] and mailoutbox == []
    assert not Reminder.objects.filter(user=buyer).exists()


@pytest.mark.django_db
def test_follower_who_also_pressed_remind_me_is_told_once(session, coop_a, buyer, mailoutbox):
    services.reminder_add(session_id=session.pk, user=buyer)
    cooperative_follow(user=buyer, cooperative=coop_a)

    assert send(session) == 1
    assert send(session) == 0

    assert len(notes(buyer)) == 1
    assert len(mails_to(mailoutbox, buyer)) == 1
    # they asked for this very session, so the message says so
    assert "您预约的直播" in notes(buyer)[0].body
    assert Reminder.objects.get(user=buyer).via == Reminder.BUTTON


@pytest.mark.django_db
def test_follower_of_two_of_the_sessions_cooperatives_is_told_once(
    coop_a, coop_b, host, buyer, mailoutbox
):
    joint = services.session_create(
        host=host,
        cooperatives=[coop_a, coop_b],
        title="两社联合直播",
        scheduled_start=due_start(),
        scheduled_end=due_start() + dt.timedelta(hours=1),
        hls_url="https://live.example.cn/joint.m3u8",
    )
    cooperative_follow(user=buyer, cooperative=coop_a)
    cooperative_follow(user=buyer, cooperative=coop_b)

    assert send(joint) == 1
    assert send(joint) == 0

    assert len(notes(buyer)) == 1
    assert len(mails_to(mailoutbox, buyer)) == 1


@pytest.mark.django_db
def test_a_buyer_who_unfollowed_is_not_told(session, coop_a, buyer, mailoutbox):
    cooperative_follow(user=buyer, cooperative=coop_a)
    cooperative_unfollow(user=buyer, cooperative=coop_a)

    assert send(session) == 0

    assert notes(buyer) == [] and mailoutbox == []


@pytest.mark.django_db
def test_a_cancelled_session_tells_nobody(session, coop_a, host, buyer, mailoutbox):
    cooperative_follow(user=buyer, cooperative=coop_a)
    pressed = factories.user(email="pressed@example.com")
    services.reminder_add(session_id=session.pk, user=pressed)
    services.session_cancel(session_id=session.pk, user=host)

    assert send(session) == 0

    assert notes(buyer) == [] and notes(pressed) == [] and mailoutbox == []


@pytest.mark.django_db
def test_followers_of_one_cooperative_hear_nothing_of_anothers_session(
    coop_a, coop_b, buyer, mailoutbox
):
    # given a session of cooperative B only; the buyer follows A, someone else follows B
    host_b = factories.coop_staff(coop_b, email="host-b@example.com")
    session_b = new_session(coop_b, host_b, title="湖山白茶直播")
    tea_fan = factories.user(email="tea-fan@example.com")
    cooperative_follow(user=buyer, cooperative=coop_a)
    cooperative_follow(user=tea_fan, cooperative=coop_b)

    assert send(session_b) == 1

    assert notes(buyer) == []
    assert len(notes(tea_fan)) == 1
    assert [m.to for m in mailoutbox] == [[tea_fan.email]]


@pytest.mark.django_db
def test_someone_who_follows_after_a_run_is_told_on_the_next(session, coop_a, buyer, mailoutbox):
    early_fan = factories.user(email="early@example.com")
    cooperative_follow(user=early_fan, cooperative=coop_a)
    assert send(session) == 1

    cooperative_follow(user=buyer, cooperative=coop_a)  # a few minutes before the start
    assert send(session) == 1

    assert len(notes(buyer)) == 1 and len(notes(early_fan)) == 1
    assert len(mailoutbox) == 2


@pytest.mark.django_db
def test_follower_without_email_still_gets_the_in_site_notification(session, coop_a, mailoutbox):
    no_mail = factories.user(email="nomail@example.com")
    type(no_mail).objects.filter(pk=no_mail.pk).update(email="")
    cooperative_follow(user=no_mail, cooperative=coop_a)

    assert send(session) == 1

    assert len(notes(no_mail)) == 1
    assert mailoutbox == []


@pytest.mark.django_db
def test_making_followers_reminders_takes_the_same_queries_for_one_or_many(db):
    def queries_for(n_followers: int) -> int:
        coop = factories.cooperative()
        session = new_session(coop, factories.coop_staff(coop), title=f"直播{n_followers}")
        for user in buyers_in_bulk(n_followers, prefix=f"fan{n_followers}-"):
            cooperative_follow(user=user, cooperative=coop)
        with CaptureQueriesContext(connection) as ctx:
            made = services.reminders_for_followers_create(minutes=15, now=due(session))
        assert made == n_followers
        assert Reminder.objects.filter(session=session, via=Reminder.FOLLOW).count() == made
        return len(ctx.captured_queries)

    one = queries_for(1)
    many = queries_for(120)

    # one query finds who is missing a reminder, one INSERT makes them (per 1000)
    assert one == many == 2


@pytest.mark.postgres
@pytest.mark.reliability
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_tell_every_follower_exactly_once(base_data_tx, mailoutbox):
    require_postgres()
    # given 40 followers of a cooperative, 10 of whom also pressed "remind me"
    coop = factories.cooperative()
    host = factories.coop_staff(coop, email="race-host@example.com")
    session = new_session(coop, host, title="并发提醒直播")
    fans = buyers_in_bulk(40, prefix="racefan")
    for i, fan in enumerate(fans):
        cooperative_follow(user=fan, cooperative=coop)
        if i % 4 == 0:
            services.reminder_add(session_id=session.pk, user=fan)

    # when four beat runs start at the same moment, each on its own connection
    results = at_once([lambda: send(session)] * 4)

    # then every follower got one notification and one e-mail, no more
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 40
    per_user = {fan.email: Notification.objects.filter(recipient=fan).count() for fan in fans}
    assert set(per_user.values()) == {1}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(f.email for f in fans)
    assert Reminder.objects.filter(session=session).count() == 40


@pytest.mark.django_db
def test_a_follower_who_unfollows_after_the_reminder_was_made_is_not_told(
    session, coop_a, buyer, mailoutbox
):
    # given a run that made the follower's reminder but did not send it (a mail error)
    cooperative_follow(user=buyer, cooperative=coop_a)
    services.reminders_for_followers_create(minutes=15, now=due(session))
    assert Reminder.objects.filter(user=buyer, sent_at__isnull=True).exists()
    # when they unfollow before the next run
    cooperative_unfollow(user=buyer, cooperative=coop_a)

    assert send(session) == 0

    assert notes(buyer) == [] and mailoutbox == []


@pytest.mark.django_db
def test_pressing_remind_me_keeps_the_reminder_after_unfollowing(
    session, coop_a, buyer, mailoutbox
):
    cooperative_follow(user=buyer, cooperative=coop_a)
    services.reminders_for_followers_create(minutes=15, now=due(session))
    assert services.reminder_add(session_id=session.pk, user=buyer) is True
    cooperative_unfollow(user=buyer, cooperative=coop_a)

    assert send(session) == 1

    assert "您预约的直播" in notes(buyer)[0].body
    assert len(mailoutbox) == 1
