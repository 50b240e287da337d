"""The project's URLs with the B1 baseline view in front of Wagtail's catch-all."""

from django.urls import path

from bench.views import constant
from marketplace.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("__bench/b1/", constant), *project_urlpatterns]
