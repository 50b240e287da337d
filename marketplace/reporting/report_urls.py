"""URLs of the 数商兴农 reports, served under /dashboard/sales/reports/."""

from django.urls import path

from marketplace.reporting import report_views

app_name = "sales-reports"

urlpatterns = [
    path("", report_views.report_list, name="list"),
    path("<int:pk>/", report_views.report_detail, name="detail"),
    path("<int:pk>/status/", report_views.report_status, name="status"),
    path("<int:pk>/xlsx/", report_views.report_xlsx, name="xlsx"),
    path("<int:pk>/pdf/", report_views.report_pdf, name="pdf"),
]
