"""Catalogue listing, category listing and the product search page, on the DB backend."""

from urllib.parse import unquote

from django.conf import settings
from django.contrib import messages
from django.core.paginator import InvalidPage
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView
from oscar.core.loading import get_model

from search.backends import product_search
from search.forms import BrowseCategoryForm, SearchForm

Category = get_model("catalogue", "Category")


class BaseListingView(ListView):
    paginate_by = settings.OSCAR_PRODUCTS_PER_PAGE
    context_object_name = "products"
    form_class = SearchForm

    def get_form(self):
        form = self.form_class(self.request.GET or None)
        form.is_valid()
        return form

    def get_search_kwargs(self, form):
        data = getattr(form, "cleaned_data", {}) or {}
        return {"query": data.get("q") or "", "sort": data.get("sort_by") or "relevancy"}

    def get_queryset(self):
        self.form = self.get_form()
        return product_search(**self.get_search_kwargs(self.form))

    def paginate_queryset(self, queryset, page_size):
        try:
            return super().paginate_queryset(queryset, page_size)
        except (Http404, InvalidPage) as exc:
            raise Http404(str(exc)) from exc

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["form"] = self.form
        ctx["page"] = ctx["page_obj"]
        return ctx


class CatalogueView(BaseListingView):
    form_class = BrowseCategoryForm
    template_name = "oscar/catalogue/browse.html"

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            messages.error(request, _("页码无效，已为您跳转到第一页。"))
            return redirect("catalogue:index")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["summary"] = _("全部商品")
        return ctx


class ProductCategoryView(BaseListingView):
    form_class = BrowseCategoryForm
    template_name = "oscar/catalogue/category.html"

    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category, pk=self.kwargs["pk"])
        if not (self.category.is_public or request.user.is_staff):
            raise Http404()
        expected = self.category.get_absolute_url()
        if unquote(expected) != unquote(request.path):
            return HttpResponsePermanentRedirect(expected)
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            messages.error(request, _("页码无效，已为您跳转到第一页。"))
            return redirect(expected)

    def get_search_kwargs(self, form):
        kwargs = super().get_search_kwargs(form)
        kwargs["categories"] = self.category.get_descendants_and_self()
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["category"] = self.category
        ctx["summary"] = self.category.name
        return ctx


class FacetedSearchView(BaseListingView):
    template_name = "oscar/search/results.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["query"] = self.form.cleaned_data.get("q", "") if self.form.is_bound else ""
        ctx["search_form"] = self.form
        return ctx
