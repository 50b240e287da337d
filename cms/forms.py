"""Admin forms for the CMS: Wagtail's image form with the alt text (description) required."""

from django.utils.translation import gettext_lazy as _
from wagtail.images.forms import BaseImageForm


class ImageForm(BaseImageForm):
    """Every image needs the text a screen reader speaks in its place (替代文字): it becomes
    the alt attribute wherever the image is shown without one of its own."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("description")
        if field is not None:
            field.required = True
            field.label = _("替代文字（图片描述）")
            field.help_text = _(
                "描述图片内容，例如“妙高梯田里成熟的红米稻穗”；看不到图片的读者会听到这段文字。"
            )
            field.error_messages["required"] = _("请填写替代文字（图片描述）。")
