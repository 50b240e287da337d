"""The baseline view: a short constant body, the least work a Django response can be."""

from django.http import HttpResponse


def constant(request):
    return HttpResponse(b"ok", content_type="text/plain")
