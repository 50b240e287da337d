"""The search page shows stories, festivals and articles (相关内容) beside the products, found
through Wagtail's search index by any Chinese word of their title or text."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.search import page_hits
from tests import factories
from tests.cms import builders


@pytest.fixture
def page_index(db):
    """Wagtail's SQLite index as its migration makes it: tests build tables without
    migrations, which leaves the FTS5 table a plain one that cannot MATCH. (PostgreSQL needs
    nothing.) The test's transaction takes the change back."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for sql in SQLITE_FTS_SQL:
            cursor.execute(sql)


# What wagtail/search/migrations/0006_customise_indexentry.py does on SQLite.
SQLITE_FTS_SQL = [
    "DROP TABLE IF EXISTS wagtailsearch_indexentry_fts",
    "CREATE VIRTUAL TABLE wagtailsearch_indexentry_fts USING fts5(autocomplete, body, title)",
    "CREATE TRIGGER insert_wagtailsearch_indexentry_fts AFTER INSERT ON wagtailsearch_indexentry"
    " BEGIN INSERT INTO wagtailsearch_indexentry_fts(title, body, autocomplete, rowid)"
    " VALUES (NEW.title, NEW.body, NEW.autocomplete, NEW.id); END",
    "CREATE TRIGGER update_wagtailsearch_indexentry_fts AFTER UPDATE ON wagtailsearch_indexentry"
    " BEGIN UPDATE wagtailsearch_indexentry_fts SET title=NEW.title, body=NEW.body,"
    " autocomplete=NEW.autocomplete WHERE rowid=NEW.id; END",
    "CREATE TRIGGER delete_wagtailsearch_indexentry_fts AFTER DELETE ON wagtailsearch_indexentry"
    " BEGIN DELETE FROM wagtailsearch_indexentry_fts WHERE rowid=OLD.id; END",
]


def search(client, q):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def test_a_published_story_is_found_by_a_word_inside_its_title(client, page_index, coop_a):
    story = builders.story(coop_a, title="妙高红米合作社的故事", summary="高山梯田里的红米")
    factories.product(coop_a, title="妙高红米")

    html = search(client, "红米")

    assert "相关内容" in html
    assert f'href="{story.url}"' in html
    assert "妙高红米合作社的故事" in html
    assert "高山梯田里的红米" in html
    assert "妙高红米" in html  # the product is still there


def test_an_article_is_found_by_a_word_in_its_body(client, page_index):
    article = builders.article(title="政策解读", summary="扶持政策",
                               body=[builders.rich("县里对合作社开网店给予一次性补贴。")])

    hits = page_hits("开网店", 5)

    assert [h["url"] for h in hits] == [article.url]
    assert hits[0]["title"] == "政策解读"
    assert hits[0]["kind"] == "政策·数商兴农"
    assert "政策解读" in search(client, "一次性补贴")


def test_festival_found_by_its_place(client, page_index):
    festival = builders.festival(title="开镰节", place_name="妙高街道红星村")
    hits = page_hits("红星村", 5)
    assert [(h["url"], h["kind"]) for h in hits] == [(festival.url, "农事节庆")]


def test_unpublished_and_draft_only_text_is_not_found(client, page_index, coop_a):
    builders.story(coop_a, title="未发布的黑茶故事", live=False)
    live = builders.story(coop_a, title="湖山白茶的故事")
    live.title = "草稿里的黑茶故事"
    live.save_revision()  # a draft: the published page still says 白茶

    assert page_hits("黑茶", 5) == []
    html = search(client, "黑茶")
    assert "相关内容" not in html
    assert "黑茶故事" not in html
    assert [h["title"] for h in page_hits("白茶", 5)] == ["湖山白茶的故事"]


def test_no_section_without_a_query_or_without_hits(client, page_index, coop_a):
    builders.story(coop_a, title="妙高红米合作社的故事")

    assert "相关内容" not in search(client, "")
    assert "相关内容" not in search(client, "猕猴桃")
    assert page_hits("", 5) == []
    assert page_hits("！？", 5) == []


def test_at_most_five_pages_are_shown(client, page_index, coop_a):
    for n in range(7):
        builders.story(coop_a, title=f"红米故事{n}号")
    assert len(page_hits("红米故事", 5)) == 5
    assert search(client, "红米故事").count('class="search-pages__item"') == 5


def test_search_page_queries_do_not_grow_with_the_page_hits(client, page_index, coop_a):
    factories.product(coop_a, title="妙高红米")
    builders.story(coop_a, title="红米的故事一")
    builders.festival(title="红米开镰节")
    builders.article(title="红米收购价")
    search(client, "红米")  # warm the site root paths and the like

    with CaptureQueriesContext(connection) as one_each:
        html = search(client, "红米")
    assert html.count('class="search-pages__item"') == 3

    builders.story(coop_a, title="红米的故事二")
    builders.festival(title="红米尝新节")
    with CaptureQueriesContext(connection) as more:
        html = search(client, "红米")
    assert html.count('class="search-pages__item"') == 5

    assert len(more) <= len(one_each)
