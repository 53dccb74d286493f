from django.urls import path

from . import views_analyst, views_respondent

app_name = "barometer"
urlpatterns = [
    path("waves/", views_analyst.wave_list, name="waves"),
    path("waves/new/", views_analyst.wave_create, name="wave-create"),
    path("waves/<int:pk>/", views_analyst.wave_detail, name="wave"),
    path(
        "waves/<int:pk>/non-respondents.csv",
        views_analyst.non_respondents_csv,
        name="non-respondents",
    ),
    path(
        "waves/<int:pk>/<str:action>/",
        views_analyst.wave_action,
        name="wave-action",
    ),
    # The respondent's pages (no account: the token is the key). answer/ and submit/ come before
    # the section pattern, so they can never be read as section codes.
    path("r/<str:token>/", views_respondent.respond, name="respond"),
    path("r/<str:token>/answer/", views_respondent.answer, name="respond-answer"),
    path("r/<str:token>/submit/", views_respondent.submit, name="respond-submit"),
    path("r/<str:token>/<str:section>/", views_respondent.section, name="respond-section"),
]
