from django.urls import path

from . import views

app_name = "site"
urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("legal-notice/", views.legal_notice, name="legal"),
    path("privacy/", views.privacy, name="privacy"),
    path("contact/", views.contact, name="contact"),
    path("search/", views.search, name="search"),
]
