"""Placeholder: being written."""

from django.http import Http404


def invitation_accept(request, token):
    raise Http404
