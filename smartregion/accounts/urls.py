from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [path("<str:token>/", views.invitation_accept, name="invitation")]

# Mounted under the account area (see config/urls.py), in their own namespace.
api_token_urlpatterns = (
    [
        path("", views.api_tokens, name="list"),
        path("<int:pk>/revoke/", views.api_token_revoke_view, name="revoke"),
    ],
    "tokens",
)
