"""An edition of the 2025 barometer in German and Dutch: its title from the wave's, its questions
from the questionnaire's texts; a missing title falls back to French, marked lang="fr"."""

from __future__ import annotations

import pytest

from smartregion.barometer.models import Wave
from smartregion.observatory.services import edition_publish

pytestmark = pytest.mark.django_db


def test_an_edition_speaks_the_pages_language(client, closed_wave):
    Wave.objects.filter(pk=closed_wave.pk).update(title_de="Barometer 2025 (DE)")
    closed_wave.refresh_from_db()
    edition = edition_publish(wave=closed_wave, user=None)
    base = f"/{{}}/observatory/{edition.slug}/"

    german = client.get(base.format("de")).content.decode()
    dutch = client.get(base.format("nl")).content.decode()
    question = client.get(base.format("de") + "questions/strategy_formal/").content.decode()

    assert (edition.title_de, edition.title_nl) == ("Barometer 2025 (DE)", "")
    assert "<h1>Barometer 2025 (DE)</h1>" in german
    assert f'<h1 lang="fr">{closed_wave.title_fr}</h1>' in dutch
    assert "Verfügt Ihre Gemeinde über eine formalisierte Strategie" in question
    assert '<span lang="de">' not in question
