from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The top of the platform: home page, navigation, site-wide notices, the `demo` command.

    It sits above every domain app (see DESIGN.md) and may use all of them; no app imports it.
    """

    name = "smartregion.site"
    label = "site"
    verbose_name = _("Site")

    def ready(self) -> None:
        from . import checks  # noqa: F401 (registers the system check)
