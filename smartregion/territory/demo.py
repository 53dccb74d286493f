"""The territory's part of `smartregion demo`: `load_reference`, i.e. the registry and the real
open reference figures and outlines shipped with the platform (no synthetic figure)."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO

from django.core.management import call_command


def load(*, out: Callable[[str], None], err: Callable[[str], None]) -> None:
    stdout, stderr = StringIO(), StringIO()
    call_command("load_reference", stdout=stdout, stderr=stderr)
    for line in stdout.getvalue().splitlines():
        out(f"Territory: {line}" if line.strip() else line)
    for line in stderr.getvalue().splitlines():
        err(line)
