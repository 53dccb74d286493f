"""Placeholder: being written."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404


results = report_pdf = export = publish = _todo
