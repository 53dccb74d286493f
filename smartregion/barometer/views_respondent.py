"""Placeholder: the respondent's questionnaire (reuses the diagnostic's question partials)."""

from django.http import Http404


def respond(request, token, section=None):
    raise Http404
