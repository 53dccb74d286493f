from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiagnosticConfig(AppConfig):
    name = "smartregion.diagnostic"
    verbose_name = _("Maturity diagnostic")

    def ready(self) -> None:
        from smartregion.instruments.registry import register_answer_checker

        from .models import DiagnosticAnswer

        register_answer_checker(
            lambda version: DiagnosticAnswer.objects.filter(
                diagnostic__instrument_version=version
            ).exists()
        )
