"""Chinese first, English on request: the language switch and the English catalogue.

The project's own strings are Chinese msgids; English comes from locale/en/LC_MESSAGES/django.po
(compiled by `make messages`). Oscar's strings come from Oscar's own catalogues.
"""

import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation

from tests import factories

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

# printf-style placeholders as Python's % operator reads them: %(name)s, %(s).1f, %d, %%.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
HAN = re.compile(r"[\u3400-\u9fff\uff08\uff09\uff0c\u3002\uff1a\uff1b]")


@pytest.fixture(autouse=True)
def _restore_language():
    """Requests activate their language in this thread; don't leak English into other tests."""
    with translation.override(translation.get_language()):
        yield


def _switch_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/catalogue/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def _catalog():
    with PO.open("rb") as f:
        return read_po(f)


def _messages():
    """(msgid, msgstr) pairs; a plural message gives one pair per form."""
    pairs = []
    for message in _catalog():
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            singular, plural = message.id
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            pairs.append((singular, strings[0]))
            pairs.extend((plural, s) for s in strings[1:])
            assert len(strings) == 2, f"{singular!r}: English needs two plural forms"
        else:
            pairs.append((message.id, message.string))
    return pairs


# (a) default page is Chinese -------------------------------------------------------------------

def test_catalogue_is_chinese_by_default_even_for_an_english_browser(client, coop_a):
    factories.product(coop_a, title="妙高红米")
    response = client.get("/catalogue/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans"' in html
    assert "全部商品" in html          # our string (search/views.py)
    assert "价格从低到高" in html      # our sort option
    assert "购物车" in html            # Oscar's Chinese
    assert "All products" not in html
    assert "Add to cart" not in html


# (b) English after choosing it -----------------------------------------------------------------

def test_choosing_english_switches_our_strings_and_oscars(client, coop_a):
    factories.product(coop_a, title="妙高红米")
    _switch_to_english(client)
    response = client.get("/catalogue/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html
    # Ours, from locale/en: page title + shop name, the plural count, sort choices.
    assert "All products | Suichang Farm Produce" in html
    assert re.search(r">\s*1 product\s*<", html)
    assert "Price: low to high" in html
    assert "全部商品" not in html
    assert "价格从低到高" not in html
    # Oscar's own English.
    assert "Add to cart" in html
    assert "Your cart is empty" in html
    # Product data stays as entered.
    assert "妙高红米" in html


def test_english_plural_form_counts(client, coop_a):
    factories.product(coop_a)
    factories.product(coop_a)
    _switch_to_english(client)
    html = client.get("/catalogue/").content.decode()
    assert "2 products" in html


def test_switching_back_to_chinese(client, coop_a):
    _switch_to_english(client)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/catalogue/"})
    html = client.get("/catalogue/").content.decode()
    assert '<html lang="zh-hans"' in html
    assert "全部商品" in html


def test_unknown_language_cookie_falls_back_to_chinese(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = client.get("/catalogue/").content.decode()
    assert '<html lang="zh-hans"' in html


# (c) the catalogue is complete -----------------------------------------------------------------

def test_catalogue_header_is_english_and_not_fuzzy():
    catalog = _catalog()
    assert str(catalog.locale) == "en"
    assert not catalog.fuzzy
    assert catalog.num_plurals == 2


def test_every_message_has_an_english_translation():
    catalog = _catalog()
    assert len(catalog) > 100
    empty = [m.id for m in catalog if m.id and not all(m.string if isinstance(m.string, tuple)
                                                       else (m.string,))]
    assert empty == []
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert fuzzy == []
    still_chinese = [(i, s) for i, s in _messages() if HAN.search(s)]
    assert still_chinese == []


def test_placeholders_match():
    wrong = [
        (msgid, msgstr)
        for msgid, msgstr in _messages()
        if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(msgstr))
    ]
    assert wrong == []
    # Babel's own checks (python-format placeholders, plural count), as .ci/compile_messages.py.
    problems = [(m.id, [str(e) for e in errors]) for m, errors in _catalog().check()]
    assert problems == []


def test_placeholder_pattern_sees_every_kind_used():
    assert PLACEHOLDER.findall("用时 %(s).1f 秒，%(n)d 件，%(title)s，100%%") == [
        "%(s).1f", "%(n)d", "%(title)s", "%%"]


def test_compiled_mo_matches_po():
    """`make messages` was run after the last edit: the .mo Django loads holds every translation."""
    with MO.open("rb") as f:
        compiled = read_mo(f)
    for message in _catalog():
        if not message.id:
            continue
        assert message.id in compiled, f"{message.id!r} missing from django.mo"
        got, want = compiled[message.id].string, message.string
        if isinstance(want, tuple):
            got = tuple(got)
        assert got == want, message.id


def test_gettext_uses_the_catalogue():
    with translation.override("en"):
        assert translation.gettext("全部商品") == "All products"
        assert translation.gettext("购物车") in ("购物车", "Basket")  # not ours: untouched
        assert translation.gettext("沙箱支付（测试环境，不会真实扣款）") == (
            "Sandbox payment (test environment, no real money is taken)")
        assert translation.ngettext("共 %(num_results)s 件商品", "共 %(num_results)s 件商品", 3) % {
            "num_results": 3} == "3 products"
    with translation.override("zh-hans"):
        assert translation.gettext("全部商品") == "全部商品"


# (d) prices are yuan in both languages ---------------------------------------------------------

@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_prices_show_yuan_in_both_languages(client, coop_a, language):
    product = factories.product(coop_a, title="妙高红米", price="39.90")
    client.post("/i18n/setlang/", {"language": language, "next": "/catalogue/"})
    listing = client.get("/catalogue/").content.decode()
    detail = client.get(product.get_absolute_url()).content.decode()
    assert f'<html lang="{language}"' in detail
    for html in (listing, detail):
        assert "¥39.90" in html
        assert "CN¥" not in html
        assert "$39.90" not in html
