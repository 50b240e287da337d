"""Basket fork: say so when a posted basket line is not in the buyer's basket."""

from django.contrib import messages
from django.utils.translation import gettext as _
from oscar.apps.basket import views


class BasketView(views.BasketView):
    def formset_valid(self, formset):
        # Oscar drops forms whose line is not in this basket (deleted in another tab, or
        # another buyer's line id): nothing changes, and the buyer should hear why.
        if any(form.instance.pk is None for form in formset.forms):
            messages.warning(
                self.request, _("购物车中没有这件商品（可能已在其他页面删除），未做修改。")
            )
        return super().formset_valid(formset)
