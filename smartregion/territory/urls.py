from django.urls import path

from . import views

app_name = "territory"
urlpatterns = [
    path("", views.municipality_list, name="list"),
    path("map/", views.municipality_map, name="map"),
    path("<str:refnis>/", views.municipality_detail, name="detail"),
]
