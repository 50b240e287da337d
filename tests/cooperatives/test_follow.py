"""Following a cooperative (关注) from its public page: the button, the count, who may, and
what the anonymous page cache serves to whom."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from marketplace.cooperatives.models import Follow
from marketplace.cooperatives.services import cooperative_follow, cooperative_unfollow
from marketplace.pagecache import pagecache_bump
from tests import factories
from tests.query_budget import Visit, page_queries

FOLLOW_BUTTON = 'data-follow="off"'
UNFOLLOW_BUTTON = 'data-follow="on"'


def logged_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def page_url(coop) -> str:
    return f"/cooperatives/{coop.slug}/"


def body(client, coop) -> str:
    response = client.get(page_url(coop))
    assert response.status_code == 200
    return response.content.decode()


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_buyer_follows_then_unfollows_from_the_page(coop_a, buyer):
    client = logged_in(buyer)
    before = body(client, coop_a)
    assert FOLLOW_BUTTON in before and "关注" in before
    assert "0 人关注" in before

    followed = client.post(f"/cooperatives/{coop_a.slug}/follow/")

    assert followed.status_code == 302
    assert followed["Location"] == page_url(coop_a)
    assert any("已关注" in t for t in texts(followed))
    after = body(client, coop_a)
    assert UNFOLLOW_BUTTON in after and "已关注 · 取消关注" in after
    assert "1 人关注" in after
    assert Follow.objects.filter(user=buyer, cooperative=coop_a).count() == 1

    unfollowed = client.post(f"/cooperatives/{coop_a.slug}/unfollow/")

    assert unfollowed.status_code == 302
    assert unfollowed["Location"] == page_url(coop_a)
    assert any("已取消关注" in t for t in texts(unfollowed))
    again = body(client, coop_a)
    assert FOLLOW_BUTTON in again and UNFOLLOW_BUTTON not in again
    assert "0 人关注" in again
    assert not Follow.objects.filter(user=buyer).exists()


def test_following_twice_keeps_one_follow(coop_a, buyer):
    client = logged_in(buyer)
    client.post(f"/cooperatives/{coop_a.slug}/follow/")

    second = client.post(f"/cooperatives/{coop_a.slug}/follow/")

    assert second.status_code == 302
    assert any("已经关注" in t for t in texts(second))
    assert Follow.objects.filter(user=buyer, cooperative=coop_a).count() == 1
    assert "1 人关注" in body(client, coop_a)


def test_follow_services_are_idempotent(coop_a, buyer):
    assert cooperative_follow(user=buyer, cooperative=coop_a) is True
    assert cooperative_follow(user=buyer, cooperative=coop_a) is False
    assert Follow.objects.count() == 1
    assert cooperative_unfollow(user=buyer, cooperative=coop_a) is True
    assert cooperative_unfollow(user=buyer, cooperative=coop_a) is False
    assert Follow.objects.count() == 0


def test_unfollowing_what_one_does_not_follow_just_says_so(coop_a, buyer):
    response = logged_in(buyer).post(f"/cooperatives/{coop_a.slug}/unfollow/")
    assert response.status_code == 302
    assert any("没有关注" in t for t in texts(response))


def test_the_count_is_everyones_and_the_button_is_each_buyers_own(coop_a, coop_b, buyer):
    for _ in range(3):
        cooperative_follow(user=factories.user(), cooperative=coop_a)
    cooperative_follow(user=buyer, cooperative=coop_b)

    page = body(logged_in(buyer), coop_a)

    assert "3 人关注" in page
    assert FOLLOW_BUTTON in page  # following B says nothing about A


@pytest.mark.parametrize("action", ["follow", "unfollow"])
def test_anonymous_visitor_is_sent_to_login_and_back(coop_a, action):
    response = Client().post(f"/cooperatives/{coop_a.slug}/{action}/")

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/cooperatives/{coop_a.slug}/"
    assert not Follow.objects.exists()


@pytest.mark.parametrize("action", ["follow", "unfollow"])
@pytest.mark.parametrize("who", ["anonymous", "buyer"])
def test_get_is_not_allowed(coop_a, buyer, action, who):
    client = logged_in(buyer) if who == "buyer" else Client()

    response = client.get(f"/cooperatives/{coop_a.slug}/{action}/")

    assert response.status_code == 405
    assert not Follow.objects.exists()


@pytest.mark.parametrize("action", ["follow", "unfollow"])
@pytest.mark.parametrize("who", ["anonymous", "buyer"])
def test_unknown_cooperative_is_404(buyer, action, who):
    client = logged_in(buyer) if who == "buyer" else Client()
    assert client.post(f"/cooperatives/no-such-coop/{action}/").status_code == 404


@pytest.mark.parametrize("action", ["follow", "unfollow"])
def test_a_post_without_csrf_token_is_refused(coop_a, buyer, action):
    cooperative_follow(user=buyer, cooperative=coop_a)
    before = Follow.objects.count()
    client = logged_in(buyer, enforce_csrf_checks=True)

    response = client.post(f"/cooperatives/{coop_a.slug}/{action}/")

    assert response.status_code == 403
    assert Follow.objects.count() == before


def test_the_pages_own_form_passes_the_csrf_check(coop_a, buyer):
    client = logged_in(buyer, enforce_csrf_checks=True)
    page = body(client, coop_a)
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]

    response = client.post(f"/cooperatives/{coop_a.slug}/follow/", {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert Follow.objects.filter(user=buyer, cooperative=coop_a).exists()


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("/accounts/profile/", "/accounts/profile/"),
        ("https://evil.example.com/", None),
        ("//evil.example.com/", None),
    ],
    ids=["own-page", "other-site", "scheme-relative"],
)
def test_going_back_stays_on_this_site(coop_a, buyer, next_url, lands_on):
    response = logged_in(buyer).post(f"/cooperatives/{coop_a.slug}/follow/", {"next": next_url})
    assert response["Location"] == (lands_on or page_url(coop_a))


def test_page_queries_do_not_grow_with_followers(coop_a, buyer):
    def counts() -> tuple[int, int]:
        anonymous, _sql = page_queries(Visit(page_url(coop_a)))
        signed_in, _sql = page_queries(Visit(page_url(coop_a), user=buyer))
        return anonymous, signed_in

    cooperative_follow(user=buyer, cooperative=coop_a)
    few = counts()
    for _ in range(15):
        cooperative_follow(user=factories.user(), cooperative=coop_a)
    many = counts()

    assert few == many
    assert "16 人关注" in body(logged_in(buyer), coop_a)


# --- the anonymous page cache ---------------------------------------------------------------


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60
    pagecache_bump()  # entries of earlier tests (another database's rows) are never reused


def test_cached_anonymous_page_never_shows_a_buyers_follow_state(coop_a, buyer, page_cache_on):
    # given the profile cached for anonymous visitors, and a buyer who follows the cooperative
    Client().get(page_url(coop_a))
    fan = logged_in(buyer)
    fan.post(f"/cooperatives/{coop_a.slug}/follow/")

    # when the follower, another buyer and an anonymous visitor open the page
    fan_page = fan.get(page_url(coop_a))
    other_page = logged_in(factories.user()).get(page_url(coop_a))
    anonymous_page = Client().get(page_url(coop_a))

    # then the follower sees their own state, fresh; the others see the follow button
    assert "X-Page-Cache" not in fan_page
    assert UNFOLLOW_BUTTON in fan_page.content.decode()
    assert "1 人关注" in fan_page.content.decode()
    assert "X-Page-Cache" not in other_page
    assert FOLLOW_BUTTON in other_page.content.decode()
    assert anonymous_page["X-Page-Cache"] == "hit"
    assert FOLLOW_BUTTON in anonymous_page.content.decode()
    assert UNFOLLOW_BUTTON not in anonymous_page.content.decode()


def test_follow_button_of_a_cached_page_leads_an_anonymous_visitor_to_login(coop_a, page_cache_on):
    Client().get(page_url(coop_a))  # someone else cached it
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(page_url(coop_a))
    assert page["X-Page-Cache"] == "hit"
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="', 1)[1]
    token = token.split('"', 1)[0]

    response = visitor.post(f"/cooperatives/{coop_a.slug}/follow/", {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/cooperatives/{coop_a.slug}/"


def test_unfollowing_removes_only_ones_own_follow(coop_a, buyer):
    neighbour = factories.user()
    cooperative_follow(user=neighbour, cooperative=coop_a)
    cooperative_follow(user=buyer, cooperative=coop_a)

    logged_in(buyer).post(f"/cooperatives/{coop_a.slug}/unfollow/")

    assert list(Follow.objects.values_list("user_id", flat=True)) == [neighbour.pk]


# --- the buyer's account page ---------------------------------------------------------------


def test_account_page_lists_followed_cooperatives_with_unfollow(coop_a, coop_b, buyer):
    cooperative_follow(user=buyer, cooperative=coop_a)
    client = logged_in(buyer)
    profile = client.get("/accounts/profile/").content.decode()
    assert "关注的合作社" in profile
    assert coop_a.legal_name in profile
    assert coop_b.legal_name not in profile
    assert f'action="/cooperatives/{coop_a.slug}/unfollow/"' in profile

    response = client.post(f"/cooperatives/{coop_a.slug}/unfollow/", {"next": "/accounts/profile/"})

    assert response["Location"] == "/accounts/profile/"
    after = client.get("/accounts/profile/").content.decode()
    assert f"/cooperatives/{coop_a.slug}/" not in after
    assert "还没有关注任何合作社" in after


def test_account_page_queries_do_not_grow_with_followed_cooperatives(buyer):
    cooperative_follow(user=buyer, cooperative=factories.cooperative())
    one, _sql = page_queries(Visit("/accounts/profile/", user=buyer))
    for _ in range(8):
        cooperative_follow(user=buyer, cooperative=factories.cooperative())
    many, _sql = page_queries(Visit("/accounts/profile/", user=buyer))
    assert one == many
