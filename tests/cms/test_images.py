"""CMS images: a file that is not an image is refused with Wagtail's form error, every image
needs its alt text, and pages serve phone-sized WebP renditions in a <picture>."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from wagtail.blocks import StreamBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images import get_image_model
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms.blocks import ImageBlock
from tests import factories
from tests.cms import builders

pytestmark = pytest.mark.django_db

Image = get_image_model()


@pytest.fixture
def editor(client, admin_user):
    client.force_login(admin_user)
    return client


def upload(client, *, name="terrace.png", content=None, description="梯田里的红米稻穗"):
    return client.post(reverse("wagtailimages:add"), {
        "title": "梯田", "description": description, "tags": "",
        "file": SimpleUploadedFile(name, content if content is not None
                                   else factories.png_bytes(size=(400, 300))),
    })


def test_a_text_file_uploaded_as_an_image_is_refused_with_a_form_error(editor):
    response = upload(editor, name="notes.png", content="这不是图片，是一段文字。".encode())
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "file" in errors
    assert Image.objects.count() == 0


def test_a_file_with_a_text_extension_is_refused(editor):
    response = upload(editor, name="notes.txt", content=b"plain text")
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert Image.objects.count() == 0


def test_an_image_without_alt_text_is_refused(editor):
    response = upload(editor, description="")
    assert response.status_code == 200
    assert response.context["form"].errors["description"] == ["请填写替代文字（图片描述）。"]
    assert Image.objects.count() == 0


def test_an_image_with_alt_text_is_saved(editor):
    response = upload(editor, description="妙高梯田里成熟的红米稻穗")
    assert response.status_code == 302
    assert Image.objects.get().description == "妙高梯田里成熟的红米稻穗"


def test_image_block_without_alt_text_is_refused():
    image = builders.image()
    block = ImageBlock()
    with pytest.raises(StructBlockValidationError) as excinfo:
        block.clean(block.to_python({"image": image.pk, "alt": "", "caption": ""}))
    assert "alt" in excinfo.value.block_errors
    assert block.clean(block.to_python({"image": image.pk, "alt": "稻穗", "caption": ""}))


def test_admin_refuses_an_article_whose_image_block_has_no_alt_text(editor):
    image = builders.image()
    page = builders.article(title="红米丰收了")
    revisions = page.revisions.count()
    data = nested_form_data({
        "title": "红米丰收了（改）", "slug": page.slug, "date": str(timezone.localdate()),
        "kind": "news", "summary": page.summary,
        "body": streamfield([
            ("rich_text", rich_text("<p>正文</p>")),
            ("image", {"image": image.pk, "alt": "", "caption": ""}),
        ]),
        # drafts may leave required fields for later (Wagtail defers them); publishing may not
        "action-publish": "action-publish",
    })
    response = editor.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)
    assert response.status_code == 200
    assert "body" in response.context["form"].errors
    assert isinstance(response.context["form"].errors.as_data()["body"][0],
                      StreamBlockValidationError)
    assert page.revisions.count() == revisions


def test_pages_serve_phone_sized_webp_renditions_in_a_picture(client):
    image = builders.image(description="妙高梯田里成熟的红米稻穗")
    page = builders.article(cover_image=image, body=[
        builders.rich("正文"),
        {"type": "image", "value": {"image": image.pk, "alt": "晒谷场上的新米", "caption": ""}},
    ])
    html = client.get(page.url).content.decode()

    pictures = re.findall(r"<picture>.*?</picture>", html, re.S)
    assert len(pictures) == 2
    for picture in pictures:
        source = re.search(r'<source[^>]*type="image/webp"[^>]*>', picture).group(0)
        srcset = re.search(r'srcset="([^"]+)"', source).group(1)
        widths = [int(w) for w in re.findall(r"(\d+)w", srcset)]
        assert all(url.split()[0].endswith(".webp") for url in srcset.split(", "))
        assert min(widths) <= 480 and max(widths) <= 1200  # phone first
        assert 'loading="lazy"' in picture
    assert 'alt="妙高梯田里成熟的红米稻穗"' in pictures[0]  # the image's own alt text
    assert 'alt="晒谷场上的新米"' in pictures[1]  # the block's alt text wins
    # renditions are real WebP files
    rendition = image.renditions.filter(file__endswith=".webp").first()
    with rendition.file.open("rb") as f:
        head = f.read(12)
    assert head[:4] == b"RIFF" and head[8:12] == b"WEBP"
