"""OpenAPI schema scope: our own API under /api/ only (not Wagtail's admin API, which is
DRF too but internal to the CMS and not documented for other platforms)."""


def only_our_api(endpoints):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]
