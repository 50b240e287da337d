"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
application = get_asgi_application()

# Oscar would otherwise create the "missing image" file inside the first requests, racing.
from marketplace.shop.catalogue.services import ensure_missing_image  # noqa: E402

ensure_missing_image()
