"""Full-text search of published projects: the same answers on SQLite (FTS5) and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from smartregion.accounts.models import Organisation
from smartregion.projects.models import FundingSource, Indicator, Project, ProjectFunding
from smartregion.projects.search import (
    parse_query,
    project_index,
    project_reindex_all,
    project_search,
    project_unindex,
    terms,
    variants,
)
from smartregion.territory.models import Municipality
from tests.factories import ProjectFactory


def _indexed(municipality, **fields) -> Project:
    project = ProjectFactory(owner_municipality=municipality, **fields)
    project_index(project.pk)
    return project


def test_variants_fold_accents_and_stem_in_both_languages():
    assert variants("école") == ("ecole", "ecol")
    assert variants("vélos") == ("velos", "velo")
    assert variants("parking") == ("parking", "park")


def test_terms_of_rich_text_are_words_only():
    assert terms("L'École") == "l ecole ecol"


def test_parse_query_drops_stopwords_and_single_letters():
    parsed = parse_query("le vélo d'école")
    assert parsed is not None
    assert parsed.groups == (("velo",), ("ecole", "ecol"))
    # Only the last word's folded form is a prefix, never its stems.
    assert parsed.fts5() == '("velo") AND ("ecole"* OR "ecol")'
    assert parsed.tsquery() == "(velo) & (ecole:* | ecol)"


def test_parse_query_keeps_stopwords_when_nothing_else():
    parsed = parse_query("les")
    assert parsed is not None
    assert parsed.groups == (("les", "le"),)


@pytest.mark.parametrize("query", ["", "   ", "?!", "' \" * - : & | ! ( )", "a b c"])
def test_search_empty_or_punctuation_only_returns_nothing(namur, query):
    _indexed(namur)
    assert project_search(query) == []


def test_search_ignores_accents_and_case(namur):
    project = _indexed(namur, title_fr="Rénovation de l'École communale")
    assert project_search("ecole") == [project.pk]
    assert project_search("ÉCOLE") == [project.pk]
    assert project_search("renovation ecole") == [project.pk]


def test_search_french_stemming(namur):
    bikes = _indexed(namur, slug="velo", title_fr="Vélo partagé en centre-ville")
    _indexed(namur, slug="autre", title_fr="Éclairage public intelligent")
    assert project_search("vélos") == [bikes.pk]
    assert project_search("velos partages") == [bikes.pk]


def test_search_english_stemming(namur):
    parks = _indexed(
        namur, slug="parks", title_fr="Capteurs de stationnement", title_en="Smart parks"
    )
    parking = _indexed(namur, slug="parking", title_fr="Smart parking au centre")
    assert sorted(project_search("parking")) == sorted([parks.pk, parking.pk])
    assert sorted(project_search("parks")) == sorted([parks.pk, parking.pk])


def test_search_last_word_is_a_prefix(namur):
    project = _indexed(namur, title_fr="Bibliothèque numérique")
    assert project_search("biblioth") == [project.pk]
    assert project_search("numérique bibli") == [project.pk]
    # Only the last word is a prefix.
    assert project_search("biblioth numerique") == []


def test_search_all_words_must_match(namur):
    project = _indexed(namur, title_fr="Vélo partagé")
    assert project_search("vélo partagé") == [project.pk]
    assert project_search("vélo électrique") == []


def test_search_ranks_title_above_summary_above_description(namur):
    in_description = _indexed(
        namur, slug="c", title_fr="Plan communal", description_fr="<p>Un volet <b>compost</b>.</p>"
    )
    in_title = _indexed(namur, slug="a", title_fr="Compost collectif")
    in_summary = _indexed(
        namur, slug="b", title_fr="Quartier durable", summary_fr="Du compost dans chaque rue."
    )
    assert project_search("compost") == [in_title.pk, in_summary.pk, in_description.pk]


def test_search_finds_communes_actors_indicators_and_fundings(namur):
    lead = Organisation.objects.create(
        name="Intercommunale BEP", slug="bep", kind=Organisation.Kind.INTERMUNICIPAL
    )
    partner = Organisation.objects.create(
        name="Université de Namur", slug="unamur", kind=Organisation.Kind.RESEARCH
    )
    project = ProjectFactory(
        owner_municipality=namur, lead=lead, lessons_fr="Impliquer les riverains tôt."
    )
    project.partners.add(partner)
    Indicator.objects.create(project=project, name_fr="Tonnes de déchets évitées")
    ProjectFunding.objects.create(project=project, source=FundingSource.EU, label="FEDER 2021-2027")
    project_index(project.pk)
    for query in ("namur", "bep", "universite", "dechets", "feder", "riverains", "european"):
        assert project_search(query) == [project.pk], query


def test_search_never_finds_unpublished_projects(namur):
    for state in ("draft", "submitted", "changes_requested", "rejected"):
        project = ProjectFactory(
            owner_municipality=namur, slug=state, title_fr="Compost", state=state
        )
        project_index(project.pk)
    assert project_search("compost") == []


def test_index_follows_edits_and_withdrawals(namur):
    project = _indexed(namur, title_fr="Compost")
    project.title_fr = "Potager partagé"
    project.save()
    project_index(project.pk)
    assert project_search("compost") == []
    assert project_search("potager") == [project.pk]

    Project.objects.filter(pk=project.pk).update(state=Project.State.SUBMITTED)
    project_index(project.pk)
    assert project_search("potager") == []


def test_stale_index_rows_are_never_returned(namur):
    project = _indexed(namur, title_fr="Compost")
    Project.objects.filter(pk=project.pk).update(state=Project.State.SUBMITTED)
    assert project_search("compost") == []
    project_unindex(project.pk)
    assert project_search("compost") == []


def test_reindex_all_indexes_published_projects_only(namur):
    published = ProjectFactory(owner_municipality=namur, slug="a", title_fr="Compost")
    ProjectFactory(owner_municipality=namur, slug="b", title_fr="Compost aussi", state="draft")
    assert project_search("compost") == []
    assert project_reindex_all(batch_size=1) == 1
    assert project_search("compost") == [published.pk]
    assert project_reindex_all() == 1
    assert project_search("compost") == [published.pk]


def test_reindex_command(namur, capsys):
    project = ProjectFactory(owner_municipality=namur, title_fr="Compost")
    call_command("projects", "reindex")
    assert capsys.readouterr().out == "1 published project(s) indexed\n"
    assert project_search("compost") == [project.pk]


@pytest.mark.parametrize(
    "query",
    [
        '"compost',
        'compost"',
        "compost NEAR potager",
        "NEAR(compost potager)",
        "compost*",
        "*compost",
        "-compost",
        "compost -potager",
        "potager:compost",
        "compost:*",
        "compost & potager",
        "compost | potager",
        "!compost",
        "compost)",
        "(compost",
        "compost AND OR NOT",
        "^compost",
        "compost\x00",
        "compost " * 5_000,
    ],
)
def test_search_hostile_input_is_searched_as_words(namur, query):
    project = _indexed(namur, title_fr="Compost et potager, and or not near")
    assert project_search(query) == [project.pk]


def test_search_hostile_input_without_match_returns_nothing(namur):
    _indexed(namur, title_fr="Compost")
    assert project_search('" OR 1=1 --') == []
    assert project_search("compost; DROP TABLE projects_search; --") == []
    assert project_search("compost " + "a" * 10_000) == []
    assert project_search("compost") != []
    assert project_search("x" * 100_000) == []


def _published_on(municipality, slug: str, day: int, **fields) -> Project:
    when = timezone.make_aware(dt.datetime(2026, 2, day, 10, 0))
    return _indexed(municipality, slug=slug, published_at=when, first_published_at=when, **fields)


def test_equal_scores_rank_newest_first_then_highest_id(namur):
    older = _published_on(namur, "older", 1, title_fr="Compost")
    newer = _published_on(namur, "newer", 2, title_fr="Compost")
    same_day = _published_on(namur, "same-day", 2, title_fr="Compost")
    assert project_search("compost") == [same_day.pk, newer.pk, older.pk]


def test_a_theme_named_outranks_a_summary_mention(namur):
    summary_only = _published_on(
        namur, "summary", 2, themes=["data"], summary_fr="Les données de mobilité publiées."
    )
    themed = _published_on(namur, "themed", 1, themes=["mobility"], summary_fr="Des navettes.")
    in_description = _published_on(
        namur, "description", 3, themes=["data"], description_fr="<p>Volet mobilité.</p>"
    )
    assert project_search("mobilité") == [themed.pk, summary_only.pk, in_description.pk]


def test_part_of_a_theme_name_is_not_the_theme(namur):
    in_title = _published_on(namur, "title", 1, themes=["data"], title_fr="Jumeau numérique")
    themed = _published_on(namur, "themed", 2, themes=["digital_inclusion"], title_fr="Ateliers")
    # "numérique" is only half of "Inclusion numérique": the title match comes first.
    assert project_search("numérique") == [in_title.pk, themed.pk]
    assert project_search("inclusion numérique") == [themed.pk]


def test_theme_and_commune_names_in_every_language_are_searchable(namur):
    liege = Municipality.objects.get(refnis="62063")
    project = _indexed(liege, themes=["environment"], title_fr="Compost")
    for query in ("Umwelt", "milieu", "environment", "Lüttich", "Luik", "Liege", "LIÈGE"):
        assert project_search(query) == [project.pk], query
