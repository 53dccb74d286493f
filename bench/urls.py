import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as site_urlpatterns
from smartregion.diagnostic.models import Diagnostic
from smartregion.diagnostic.permissions import can_fill_diagnostic
from smartregion.diagnostic.services import AnswerConflict, answer_save


def minimal(request):
    return HttpResponse("ok")


@require_POST
@login_required
def answer(request, pk):
    """The answer_save service alone, to compare with the page's autosave endpoint."""
    diagnostic = get_object_or_404(Diagnostic.objects.select_related("municipality"), pk=pk)
    if not can_fill_diagnostic(request.user, diagnostic):
        return JsonResponse({}, status=403)
    data = json.loads(request.body)
    try:
        saved = answer_save(
            diagnostic=diagnostic,
            question_code=data["question"],
            value=data["value"],
            base_revision=data["base_revision"],
            user=request.user,
        )
    except AnswerConflict as conflict:
        return JsonResponse({"conflict": {"revision": conflict.revision}}, status=409)
    return JsonResponse({"revision": saved.revision})


urlpatterns = [
    path("bench/minimal", minimal),
    path("bench/answer/<int:pk>", answer),
    *site_urlpatterns,
]
