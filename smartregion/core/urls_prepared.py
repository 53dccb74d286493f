"""Routes of prepared files (language-neutral): the waiting page's status and staff's retry."""

from django.urls import path

from . import views_prepared

app_name = "prepared"
urlpatterns = [
    path("<uuid:public_id>/status.json", views_prepared.status, name="status"),
    path("<uuid:public_id>/retry", views_prepared.retry, name="retry"),
]
