"""Host console, served under /dashboard/live/ (views being built)."""

app_name = "livestream-dashboard"

urlpatterns: list = []
