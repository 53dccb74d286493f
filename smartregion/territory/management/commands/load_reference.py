from django.core.management.base import BaseCommand

from smartregion.territory.services import territory_load_reference


class Command(BaseCommand):
    help = "Load regions, provinces, municipalities and mergers from the REFNIS reference data."

    def handle(self, *args: object, **options: object) -> None:
        result = territory_load_reference()
        self.stdout.write(
            f"Reference data loaded: {result.regions} regions, {result.provinces} provinces, "
            f"{result.municipalities} current and {result.historical} former municipalities, "
            f"{result.successions} successions."
        )
