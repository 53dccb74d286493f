"""The site layer: home page, main navigation, site-wide notices, the demo command's steps."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from smartregion.accounts import demo as accounts_demo
from smartregion.accounts.models import User
from smartregion.accounts.services import DEMO_PASSWORD
from smartregion.site.management.commands.demo import STEPS
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="main-nav"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<li><a href="([^"]+)"( aria-current="page")?>([^<]+)</a></li>')


def _navigation(html: str) -> list[tuple[str, bool, str]]:
    links = LINK.findall(NAV.search(html)[1])
    return [(href, bool(current), label) for href, current, label in links]


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("fr", "Smart Region : la boîte à outils des communes intelligentes et durables"),
        ("en", "Smart Region: the toolbox for smart and sustainable communes"),
    ],
)
def test_home_in_each_language(client, territory, language, heading):
    html = client.get(f"/{language}/").content.decode()

    assert f'<html lang="{language}">' in html
    assert f"<h1>{heading}</h1>" in html
    assert 'href="#main"' in html
    assert '<a class="brand" href="/' + language + '/">' in html


def test_navigation_marks_the_current_page_for_anonymous_visitors(client, territory):
    html = client.get("/en/communes/").content.decode()

    assert _navigation(html) == [
        ("/en/", False, "Home"),
        ("/en/communes/", True, "Communes"),
        ("/en/communes/map/", False, "Map"),
        ("/en/projects/", False, "Projects"),
        ("/en/knowledge/resources/", False, "Resources"),
        ("/en/observatory/", False, "Observatory"),
        ("/api/v1/docs", False, "API"),
    ]


def test_navigation_adds_my_space_for_signed_in_users(client, member):
    client.force_login(member)

    html = client.get("/fr/").content.decode()

    assert _navigation(html)[0] == ("/fr/", True, "Accueil")
    assert _navigation(html)[-1] == (reverse("diagnostic:space"), False, "Mon espace")


def test_login_redirects_to_the_site_home(client, member):
    response = client.post("/en/accounts/login/", {"login": member.email, "password": PASSWORD})

    assert (response.status_code, response["Location"]) == (302, "/en/")


def test_demo_command_calls_each_apps_demo_in_dependency_order():
    assert [(step.__module__, step.__name__) for step in STEPS] == [
        ("smartregion.territory.demo", "load"),
        ("smartregion.accounts.demo", "load"),
        ("smartregion.instruments.demo", "load"),
        ("smartregion.diagnostic.demo", "load"),
        ("smartregion.barometer.demo", "load"),
        ("smartregion.observatory.demo", "load"),
        ("smartregion.projects.demo", "load"),
        ("smartregion.knowledge.demo", "load"),
    ]


def test_accounts_demo_step_makes_the_logins_the_command_prints(territory):
    printed: list[str] = []

    accounts_demo.load(out=printed.append, err=printed.append)

    logins = [(a.role, a.email) for a in accounts_demo.logins()]
    assert printed == []
    assert logins == [
        ("centre admin", "admin@demo.smartregion.example"),
        ("centre editor", "editor@demo.smartregion.example"),
        ("commune manager", "manager.namur@demo.smartregion.example"),
        ("commune member", "member.namur@demo.smartregion.example"),
        ("actor member", "member.actor@demo.smartregion.example"),
    ]
    assert sorted(User.objects.values_list("email", flat=True)) == sorted(e for _, e in logins)
    assert User.objects.get(email=logins[0][1]).check_password(DEMO_PASSWORD)
