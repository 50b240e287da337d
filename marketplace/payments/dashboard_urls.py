"""Dashboard URLs of payments (refunds), served under /dashboard/refunds/."""

app_name = "payments-dashboard"

urlpatterns: list = []
