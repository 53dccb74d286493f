from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "smartregion.knowledge"
    verbose_name = _("Knowledge and method")

    def ready(self) -> None:
        from . import signals

        signals.connect()
