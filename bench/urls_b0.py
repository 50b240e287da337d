"""B0 baseline URLs: only the constant view."""

from django.urls import path

from bench.views import constant

urlpatterns = [path("__bench/b0/", constant)]
