from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BarometerConfig(AppConfig):
    name = "smartregion.barometer"
    verbose_name = _("Barometer")

    def ready(self) -> None:
        from smartregion.instruments.registry import register_answer_checker

        from .models import ResponseAnswer

        register_answer_checker(
            lambda version: ResponseAnswer.objects.filter(
                response__wave__instrument_version=version
            ).exists()
        )
