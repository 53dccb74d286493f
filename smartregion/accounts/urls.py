from django.urls import path

from . import views

# Mounted at the root of each language (see config/urls.py), before allauth's routes: the email
# and password pages take allauth's own addresses, so allauth's links land on them.
app_name = "accounts"
urlpatterns = [
    path("invitation/<str:token>/", views.invitation_accept, name="invitation"),
    path("accounts/settings/", views.account_settings, name="settings"),
    path("accounts/settings/export/", views.account_export, name="export"),
    path("accounts/settings/delete/", views.account_delete, name="delete"),
    path("accounts/email/", views.account_email, name="email"),
    path("accounts/password/change/", views.account_password, name="password"),
]

# Mounted under the account area (see config/urls.py), in their own namespace.
api_token_urlpatterns = (
    [
        path("", views.api_tokens, name="list"),
        path("<int:pk>/revoke/", views.api_token_revoke_view, name="revoke"),
    ],
    "tokens",
)
