"""The accounts' part of `smartregion demo`: the demo logins (`services.demo_accounts_create`)."""

from __future__ import annotations

from collections.abc import Callable

from .services import DEMO_PASSWORD, DemoAccount, demo_accounts, demo_accounts_create

__all__ = ["DEMO_PASSWORD", "load", "logins"]


def load(*, out: Callable[[str], None], err: Callable[[str], None]) -> None:
    demo_accounts_create()


def logins() -> list[DemoAccount]:
    """The demo accounts, for the command's closing summary."""
    return demo_accounts()
