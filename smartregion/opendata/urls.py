"""The catalogue's routes, without a language prefix (see config/urls.py: under /data/)."""

from django.urls import path

from . import views

app_name = "opendata"
urlpatterns = [
    path("catalog.ttl", views.catalogue_file, {"extension": "ttl"}, name="catalogue-ttl"),
    path("catalog.jsonld", views.catalogue_file, {"extension": "jsonld"}, name="catalogue-jsonld"),
]
