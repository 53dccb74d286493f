from django.urls import path

from .views import fill, overview, results, space

app_name = "diagnostic"
urlpatterns = [
    path("space/", space.my_space, name="space"),
    path("space/<str:refnis>/", space.commune_space, name="commune"),
    path("space/<str:refnis>/start/", space.start, name="start"),
    path("space/<str:refnis>/invite/", space.invite, name="invite"),
    path("diagnostics/overview/", overview.overview, name="overview"),
    path("diagnostics/<int:pk>/", fill.fill, name="fill"),
    path("diagnostics/<int:pk>/section/<str:section>/", fill.section, name="section"),
    path("diagnostics/<int:pk>/answer/", fill.answer, name="answer"),
    path("diagnostics/<int:pk>/submit/", fill.submit, name="submit"),
    path("diagnostics/<int:pk>/targets/", fill.targets, name="targets"),
    path("diagnostics/<int:pk>/results/", results.results, name="results"),
    path("diagnostics/<int:pk>/report.pdf", results.report_pdf, name="pdf"),
    path("diagnostics/<int:pk>/export.<str:fmt>", results.export, name="export"),
    path("diagnostics/<int:pk>/publish/", results.publish, name="publish"),
]
