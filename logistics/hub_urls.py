"""Hub dashboard (分拨中心): joint delivery runs, manifests, labels, SLA watch; under
/logistics/hub/."""

from django.urls import path

from logistics import hub_views as views

app_name = "logistics-hub"
urlpatterns = [
    path("", views.hub_index, name="index"),
    path("<int:hub_id>/", views.hub_detail, name="detail"),
    path("<int:hub_id>/plan/", views.runs_plan, name="plan"),
    path("<int:hub_id>/runs/<int:run_id>/", views.run_detail, name="run"),
    path("<int:hub_id>/runs/<int:run_id>/manifest.pdf", views.run_manifest, name="manifest"),
    path("<int:hub_id>/runs/<int:run_id>/dispatch/", views.run_dispatch, name="dispatch"),
    path("label/<str:code>.pdf", views.label, name="label"),
    path("labels/", views.labels_index, name="labels"),
    path("labels/<int:partner_id>/sheet.pdf", views.label_sheet, name="label-sheet"),
]
