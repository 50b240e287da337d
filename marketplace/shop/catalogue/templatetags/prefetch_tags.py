"""Template filter that loads the related rows a page shows for all its objects at once."""

from django import template
from django.db.models import Model, prefetch_related_objects

register = template.Library()


@register.filter
def prefetched(objects, lookups: str):
    """``{% with orders=orders|prefetched:"lines" %}{{ block.super }}{% endwith %}``: the
    objects (a list, or the one object given) with the comma-separated ``lookups`` loaded,
    so an Oscar template that reads them per row needs no change and no query per row."""
    names = [name.strip() for name in lookups.split(",") if name.strip()]
    if isinstance(objects, Model):
        prefetch_related_objects([objects], *names)
        return objects
    objects = list(objects or [])
    prefetch_related_objects(objects, *names)
    return objects


@register.filter
def prefetched_instances(formset, lookups: str):
    """The formset unchanged, with ``lookups`` loaded for all its forms' instances (a model
    formset's rows are loaded before the template can prefetch through a queryset)."""
    prefetched([form.instance for form in formset], lookups)
    return formset
