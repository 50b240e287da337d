"""URLs of the traceability staff dashboard, served under /dashboard/trace/."""

from django.urls import path

from marketplace.traceability import views

app_name = "trace-dashboard"

urlpatterns = [
    path("", views.batch_list, name="batch-list"),
    path("batches/new/", views.batch_create, name="batch-create"),
    path("batches/<int:pk>/", views.batch_detail, name="batch-detail"),
    path("batches/<int:pk>/edit/", views.batch_edit, name="batch-edit"),
    path("batches/<int:pk>/inputs/", views.input_add, name="input-add"),
    path("batches/<int:pk>/inspections/", views.inspection_add, name="inspection-add"),
    path("batches/<int:pk>/codes/", views.codes_issue, name="codes-issue"),
    path("batches/<int:pk>/labels.pdf", views.batch_labels, name="batch-labels"),
    path("orders/<str:number>/", views.order_pack, name="order-pack"),
    path("lines/<int:pk>/", views.line_pack, name="line-pack"),
]
