from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "smartregion.knowledge"
    verbose_name = _("Knowledge and method")

    def ready(self) -> None:
        from . import glossary, signals

        glossary.connect_signals()  # a saved term refreshes the linked phrases and SKOS files
        signals.connect()  # the site search index follows resources and terms
