from django.urls import path

from .views import analyst, communes, respondent

app_name = "barometer"
urlpatterns = [
    path("waves/", analyst.wave_list, name="waves"),
    path("waves/new/", analyst.wave_create, name="wave-create"),
    path("waves/<int:pk>/", analyst.wave_detail, name="wave"),
    path("waves/<int:pk>/links/", analyst.wave_links, name="wave-links"),
    path("waves/<int:pk>/links.csv", analyst.wave_links_csv, name="wave-links-csv"),
    path(
        "waves/<int:pk>/non-respondents.csv",
        analyst.non_respondents_csv,
        name="non-respondents",
    ),
    path("waves/<int:pk>/answer/<str:refnis>/", communes.answer, name="answer"),
    path(
        "waves/<int:pk>/<str:action>/",
        analyst.wave_action,
        name="wave-action",
    ),
    path("contacts/", communes.contacts, name="contacts"),
    path("contacts/<str:refnis>/", communes.contacts_edit, name="contacts-edit"),
    # The respondent's pages (no account: the token is the key). answer/ and submit/ come before
    # the section pattern, so they can never be read as section codes.
    path("r/<str:token>/", respondent.respond, name="respond"),
    path("r/<str:token>/answer/", respondent.answer, name="respond-answer"),
    path("r/<str:token>/submit/", respondent.submit, name="respond-submit"),
    path("r/<str:token>/<str:section>/", respondent.section, name="respond-section"),
]
