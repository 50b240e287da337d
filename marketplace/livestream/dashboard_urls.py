"""Host console, served under /dashboard/live/."""

from django.urls import path

from marketplace.livestream import dashboard_views as views

app_name = "livestream-dashboard"

urlpatterns = [
    path("", views.session_list, name="list"),
    path("new/", views.session_create, name="create"),
    path("<int:pk>/", views.console, name="console"),
    path("<int:pk>/figures.json", views.figures, name="figures"),
    path("<int:pk>/items/add/", views.item_add, name="item-add"),
    path("<int:pk>/status/", views.transition, name="transition"),
    path("<int:pk>/items/<int:item_pk>/pin/", views.pin, name="pin"),
    path("<int:pk>/unpin/", views.unpin, name="unpin"),
    path("<int:pk>/comments/<int:comment_pk>/hide/", views.comment_hide, name="comment-hide"),
]
