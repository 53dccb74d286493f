from django.urls import path

from .views import analyst, respondent

app_name = "barometer"
urlpatterns = [
    path("waves/", analyst.wave_list, name="waves"),
    path("waves/new/", analyst.wave_create, name="wave-create"),
    path("waves/<int:pk>/", analyst.wave_detail, name="wave"),
    path(
        "waves/<int:pk>/non-respondents.csv",
        analyst.non_respondents_csv,
        name="non-respondents",
    ),
    path(
        "waves/<int:pk>/<str:action>/",
        analyst.wave_action,
        name="wave-action",
    ),
    # The respondent's pages (no account: the token is the key). answer/ and submit/ come before
    # the section pattern, so they can never be read as section codes.
    path("r/<str:token>/", respondent.respond, name="respond"),
    path("r/<str:token>/answer/", respondent.answer, name="respond-answer"),
    path("r/<str:token>/submit/", respondent.submit, name="respond-submit"),
    path("r/<str:token>/<str:section>/", respondent.section, name="respond-section"),
]
