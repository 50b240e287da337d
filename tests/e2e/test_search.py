"""The buyer types pinyin into the header search box on a phone and lands on the product."""

import re

import pytest
from playwright.sync_api import expect

from search.backends import get_backend
from tests import factories

pytestmark = [pytest.mark.e2e]

TITLE = "遂昌红米 5斤装"


def open_header_search(page):
    # The toggler does nothing until Bootstrap's deferred script has run: after a navigation
    # (Enter on a suggestion) the URL changes before that, so wait for the page's load event.
    page.wait_for_load_state("load")
    box = page.locator("nav form[action*='search'] [name=q]").first
    if not box.is_visible():
        # On a phone the menu holding the search box is collapsed behind its toggler.
        page.locator("nav:has([name=q]) .navbar-toggler").first.click()
    expect(box).to_be_visible()
    return box


def test_buyer_types_pinyin_and_taps_the_suggestion(
    base_data_tx, live_server, phone, shot, coop_a, coop_b
):
    # given red rice of cooperative A and tea of B in the search index
    rice = factories.product(coop_a, title=TITLE, image=True, price="59.00")
    tea = factories.product(coop_b, title="湖山高山云雾茶 250克", category="茶叶")
    get_backend().index_products([rice.pk, tea.pk])

    # when the buyer types "hongmi" into the header box, as a phone keyboard sends it
    page = phone()
    page.goto("/")
    box = open_header_search(page)
    box.press_sequentially("hongmi", delay=60)

    # then the suggestion list opens under the box with the red rice and not the tea
    listbox = page.get_by_role("listbox")
    suggestion = listbox.get_by_role("option").filter(has_text=TITLE)
    expect(suggestion).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(listbox.get_by_text("湖山高山云雾茶")).to_have_count(0)
    shot(page, "suggestions")

    # when the buyer taps it, the product's page opens
    suggestion.get_by_role("link").tap()
    expect(page).to_have_url(re.compile(re.escape(rice.get_absolute_url()) + "$"))
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    shot(page, "product")


def test_the_box_submits_without_a_suggestion(base_data_tx, live_server, phone, shot, coop_a):
    # given a product in the index
    rice = factories.product(coop_a, title=TITLE)
    get_backend().index_products([rice.pk])
    # when the buyer types and presses enter without picking a suggestion
    page = phone()
    page.goto("/")
    box = open_header_search(page)
    box.fill("红米")
    box.press("Enter")
    # then the search page lists the product
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    expect(page.get_by_role("link", name=TITLE).first).to_be_visible()
    # and the filter panel opens with a tap
    page.locator("details.search-filters summary").tap()
    expect(page.locator(".search-facet").first).to_be_visible()
    shot(page, "search-results")


def test_keyboard_picks_a_suggestion(base_data_tx, live_server, phone, coop_a):
    # given red rice in the index
    rice = factories.product(coop_a, title=TITLE)
    get_backend().index_products([rice.pk])
    # when the buyer types its initials, moves down to the suggestion and presses Enter
    page = phone()
    page.goto("/")
    box = open_header_search(page)
    box.press_sequentially("hm", delay=60)
    expect(page.get_by_role("option").filter(has_text=TITLE)).to_be_visible()
    box.press("ArrowDown")
    expect(page.get_by_role("option", selected=True)).to_have_text(TITLE)
    box.press("Enter")
    # then the product's page opens (not the search page)
    expect(page).to_have_url(re.compile(re.escape(rice.get_absolute_url()) + "$"))
    # and Escape closes a list that is open
    box = open_header_search(page)
    box.press_sequentially("hm", delay=60)
    expect(page.get_by_role("listbox")).to_be_visible()
    box.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
