"""Public live pages, served under /live/ (views being built)."""

app_name = "livestream"

urlpatterns: list = []
