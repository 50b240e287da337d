"""The county marketplace: Django project and commerce core."""

from marketplace.celery import app as celery_app

__all__ = ["celery_app"]
