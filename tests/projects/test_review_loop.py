"""The review loop: what editors review, what the team reads back, form errors, messages, rows."""

from __future__ import annotations

import importlib
import io
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django import forms
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from smartregion.projects.forms import RowForm, make_formsets, rows_of
from smartregion.projects.models import Project, ProjectFunding
from smartregion.projects.services import (
    ProjectInput,
    project_create,
    project_document_add,
    project_image_add,
    project_publish,
    project_reject,
    project_request_changes,
    project_submit,
    project_update,
)
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def _data(namur, organisation=None, **changes) -> ProjectInput:
    values = {
        "title_fr": "Budget participatif numérique",
        "summary_fr": "Les habitants proposent et votent en ligne.",
        "description_fr": "<p>Une plateforme de vote en ligne.</p>",
        "status": Project.Status.PLANNED,
        "themes": ["participation"],
        "municipality_ids": [namur.pk],
        "fundings": [{"source": "own", "label": "Budget communal", "amount_eur": "12000"}],
        "indicators": [{"name_fr": "Votes exprimés", "unit": "votes", "target": "1000"}],
        "locations": [{"label": "Hôtel de ville", "latitude": "50.4669", "longitude": "4.8675"}],
        "partner_ids": [organisation.pk] if organisation else [],
    }
    values.update(changes)
    return ProjectInput(**values)


@pytest.fixture
def draft(namur, member, organisation) -> Project:
    return project_create(user=member, owner_municipality=namur, data=_data(namur, organisation))


@pytest.fixture
def submitted(draft, member) -> Project:
    return project_submit(project=draft, user=member)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (0, 90, 80)).save(out, format="PNG")
    return out.getvalue()


class _FormData(HTMLParser):
    """What a browser sends for a page's form #`form_id` when nobody touches a field."""

    def __init__(self, form_class: str) -> None:
        super().__init__()
        self.form_class, self.inside, self.data = form_class, False, []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = self.form_class in (attrs.get("class") or "").split()
        if not self.inside:
            return
        if tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("file", "submit"):
                self.data.append(
                    (attrs["name"], attrs.get("value", "on" if kind == "checkbox" else ""))
                )
        elif tag == "select":
            self._select, self._options = attrs["name"], []
            self._multiple = "multiple" in attrs
        elif tag == "option" and self._select:
            self._options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.data.append((self._textarea, ""))

    def handle_data(self, data):
        if self.inside and self._textarea:
            name, value = self.data.pop()
            self.data.append((name, value + data))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea:
            name, value = self.data.pop()
            self.data.append((name, value.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select:
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not self._multiple and self._options:
                chosen = [self._options[0][0]]  # a single list sends its first option
            self.data += [(self._select, value) for value in chosen]
            self._select = None


def _browser_post(html: str, form_class: str = "project-form") -> dict[str, list[str]]:
    parser = _FormData(form_class)
    parser.feed(html)
    posted: dict[str, list[str]] = {}
    for name, value in parser.data:
        posted.setdefault(name, []).append(value)
    return posted


# --- empty formset rows -------------------------------------------------------------------------


def test_saving_the_edit_page_untouched_adds_no_row(client, member, draft):
    client.force_login(member)
    page = client.get(f"/fr/projects/{draft.slug}/edit/").content.decode()
    posted = _browser_post(page)
    assert posted["fundings-TOTAL_FORMS"] == ["2"]  # the saved line and one extra row

    for _ in range(2):
        response = client.post(f"/fr/projects/{draft.slug}/edit/", posted)
        assert response.status_code == 302
        posted = _browser_post(client.get(f"/fr/projects/{draft.slug}/edit/").content.decode())

    rows = list(draft.fundings.values_list("source", "label", "amount_eur"))
    assert rows == [("own", "Budget communal", Decimal("12000.00"))]
    assert list(draft.indicators.values_list("name_fr", flat=True)) == ["Votes exprimés"]
    assert list(draft.locations.values_list("label", flat=True)) == ["Hôtel de ville"]


def test_a_row_filled_in_the_extra_funding_row_is_saved(client, member, draft):
    client.force_login(member)
    posted = _browser_post(client.get(f"/fr/projects/{draft.slug}/edit/").content.decode())
    posted.update({"fundings-1-source": ["eu"], "fundings-1-amount_eur": ["5000"]})

    client.post(f"/fr/projects/{draft.slug}/edit/", posted)

    assert list(draft.fundings.values_list("source", "amount_eur")) == [
        ("own", Decimal("12000.00")),
        ("eu", Decimal("5000.00")),
    ]


def test_an_amount_without_source_is_a_form_error(client, member, draft):
    client.force_login(member)
    posted = _browser_post(client.get(f"/fr/projects/{draft.slug}/edit/").content.decode())
    posted.update({"fundings-1-amount_eur": ["5000"]})

    response = client.post(f"/fr/projects/{draft.slug}/edit/", posted)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_fundings-1-source"' in html
    assert 'aria-describedby="id_fundings-1-source_error"' in html
    assert draft.fundings.count() == 1


class _Row(RowForm):
    """A row whose fields all show a value before anyone types: a list without a blank option,
    an initial value, a checkbox."""

    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])
    count = forms.IntegerField(initial=1)
    done = forms.BooleanField(required=False)
    note = forms.CharField(required=False)


def test_untouched_rows_with_default_values_are_neither_validated_nor_kept():
    factory = forms.formset_factory(_Row, extra=2, can_delete=True)
    posted = {
        "r-TOTAL_FORMS": "2",
        "r-INITIAL_FORMS": "0",
        "r-0-kind": "a",  # as the page showed it
        "r-0-count": "1",
        "r-1-kind": "b",  # chosen
        "r-1-count": "1",
    }
    formset = factory(posted, prefix="r")

    assert formset.is_valid()
    assert rows_of(formset) == [{"kind": "b", "count": 1, "done": False, "note": ""}]


def test_the_project_form_formsets_all_use_row_forms():
    assert {name: issubclass(fs.form, RowForm) for name, fs in make_formsets().items()} == {
        "fundings": True,
        "indicators": True,
        "locations": True,
    }


def test_migration_removes_blank_regional_call_lines_only(namur):
    project = ProjectFactory(owner_municipality=namur)
    lines = [
        ("regional_call", "", None),  # what the form used to add: removed
        ("regional_call", "Territoire intelligent 2023", None),
        ("regional_call", "", Decimal("1000")),
        ("own", "", None),  # a source the team chose
    ]
    for position, (source, label, amount) in enumerate(lines):
        ProjectFunding.objects.create(
            project=project, source=source, label=label, amount_eur=amount, position=position
        )
    migration = importlib.import_module(
        "smartregion.projects.migrations.0004_remove_blank_fundings"
    )

    migration.remove_blank_fundings(apps, None)

    assert list(project.fundings.values_list("source", "label", "amount_eur")) == lines[1:]


# --- the review page ----------------------------------------------------------------------------

ROLES = ["anonymous", "other_member", "member", "manager", "organisation_member", "staff_user"]
DENIED = {
    "anonymous": 302,
    "other_member": 404,
    "member": 403,
    "manager": 403,
    "organisation_member": 404,
    "staff_user": 404,
}


@pytest.fixture
def as_role(request, client):
    def login(role: str) -> Client:
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return login


@pytest.mark.parametrize("role", ROLES)
def test_review_page_is_denied_to_everyone_but_editors(role, as_role, submitted):
    client = as_role(role)

    get = client.get(f"/en/projects/{submitted.slug}/review/")
    post = client.post(f"/en/projects/{submitted.slug}/review/", {"action": "publish"})

    submitted.refresh_from_db()
    assert (get.status_code, post.status_code, submitted.state) == (
        DENIED[role],
        DENIED[role],
        "submitted",
    )


def test_review_page_shows_what_the_public_page_will(
    client, editor, member, submitted, organisation
):
    project_image_add(
        project=submitted,
        user=member,
        upload=SimpleUploadedFile("p.png", _png()),
        alt_fr="Vue du guichet",
        credit="Ville de Namur",
    )
    document = project_document_add(
        project=submitted,
        user=member,
        upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n"),
        title="Plan du projet",
    )
    client.force_login(editor)

    html = client.get(f"/fr/projects/{submitted.slug}/review/").content.decode()

    assert "<p>Une plateforme de vote en ligne.</p>" in html  # description
    assert '<th scope="row">Votes exprimés</th>' in html  # indicators
    assert 'alt="Vue du guichet"' in html  # images
    assert f'href="/fr/projects/files/document/{document.pk}/">Plan du projet</a>' in html
    assert "Hôtel de ville" in html  # places
    assert "Budget communal" in html and "12 000" in html.replace("\u202f", " ").replace(
        "\xa0", " "
    )  # funding
    assert f'href="/fr/projects/actors/{organisation.slug}/">{organisation.name}</a>' in html
    assert 'id="similar-heading"' not in html


def test_review_page_shows_the_changes_since_the_last_publication(
    client, editor, member, namur, draft, organisation
):
    project_publish(project=draft, user=editor)
    draft.refresh_from_db()
    project_update(
        project=draft,
        user=member,
        data=_data(namur, organisation, title_fr="Budget participatif 2027"),
        expected_version=draft.version,
    )
    client.force_login(editor)

    html = client.get(f"/en/projects/{draft.slug}/review/").content.decode()

    assert 'id="changes-title"' in html
    assert "Budget participatif 2027" in html


@pytest.mark.parametrize("action", ["request_changes", "reject"])
def test_decision_needing_a_comment_without_one_is_a_form_error(client, editor, submitted, action):
    client.force_login(editor)

    response = client.post(
        f"/en/projects/{submitted.slug}/review/", {"action": action, "comment": "  "}
    )

    html = response.content.decode()
    submitted.refresh_from_db()
    assert (response.status_code, submitted.state) == (200, "submitted")
    assert (
        '<a href="#id_comment">Comment for the team: Say why, so the team knows what to do.</a>'
        in html
    )
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_comment_helptext id_comment_error"' in html
    assert '<ul class="errorlist" id="id_comment_error">' in html
    assert submitted.revisions.count() == 2  # created, submitted: nothing recorded


def test_withdrawal_without_a_comment_is_a_form_error(client, editor, draft):
    project_publish(project=draft, user=editor)
    client.force_login(editor)

    response = client.post(f"/en/projects/{draft.slug}/review/", {"action": "unpublish"})

    draft.refresh_from_db()
    assert (response.status_code, draft.state) == (200, "published")
    assert 'id="id_comment_error"' in response.content.decode()


def test_publishing_without_a_commune_names_the_field_on_the_page(client, editor, submitted):
    submitted.municipalities.clear()  # as an older row or an import may have it
    client.force_login(editor)

    response = client.post(f"/en/projects/{submitted.slug}/review/", {"action": "publish"})

    assert response.status_code == 200
    assert "<li>Communes involved: Choose at least one commune.</li>" in response.content.decode()


# --- success messages ----------------------------------------------------------------------------


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_request_changes_says_who_was_emailed(client, editor, manager, submitted):
    client.force_login(editor)

    response = client.post(
        f"/en/projects/{submitted.slug}/review/",
        {"action": "request_changes", "comment": "Add the budget."},
        follow=True,
    )

    assert response.redirect_chain == [("/en/projects/review/", 302)]
    # the team: the member who wrote it and the manager
    assert _messages(response) == [
        "Changes requested from the team of Namur. 2 people of the team have been emailed."
    ]
    assert '<div class="messages" role="status">' in response.content.decode()


def test_publish_says_what_happened(client, editor, submitted):
    client.force_login(editor)

    response = client.post(
        f"/en/projects/{submitted.slug}/review/", {"action": "publish"}, follow=True
    )

    assert _messages(response) == [
        "“Budget participatif numérique” is published. 1 person of the team has been emailed."
    ]


def test_submit_says_what_happened(client, member, draft, editor):
    client.force_login(member)

    response = client.post(f"/en/projects/{draft.slug}/submit/", follow=True)

    assert _messages(response) == [
        "“Budget participatif numérique” is submitted for review. "
        "The centre's editors have been emailed."
    ]


def test_saving_a_draft_says_what_comes_next(client, member, draft):
    client.force_login(member)
    posted = _browser_post(client.get(f"/en/projects/{draft.slug}/edit/").content.decode())

    response = client.post(f"/en/projects/{draft.slug}/edit/", posted, follow=True)

    assert _messages(response) == ["Changes saved. Submit the project for review when it is ready."]


# --- the team reads the editor's comment -------------------------------------------------------


def test_team_sees_the_latest_editor_comment_on_the_edit_page(client, editor, member, submitted):
    project_request_changes(project=submitted, user=editor, comment="Ajoutez le budget.")
    project_submit(project=submitted, user=member)
    project_request_changes(project=submitted, user=editor, comment="Et les indicateurs.")
    client.force_login(member)

    html = client.get(f"/en/projects/{submitted.slug}/edit/").content.decode()

    assert '<div class="editor-comment" role="note"' in html
    assert "What the editors ask you to change" in html
    assert "<blockquote><p>Et les indicateurs.</p></blockquote>" in html
    assert "Ajoutez le budget." not in html.split('class="editor-comment"')[1].split("</div>")[0]


def test_editor_comment_is_gone_once_the_team_submits_again(client, editor, member, submitted):
    project_request_changes(project=submitted, user=editor, comment="Ajoutez le budget.")
    project_submit(project=submitted, user=member)
    client.force_login(member)

    html = client.get(f"/en/projects/{submitted.slug}/edit/").content.decode()

    assert 'class="editor-comment"' not in html


def test_rejection_comment_shows_in_my_projects(client, editor, manager, submitted):
    project_reject(project=submitted, user=editor, comment="Hors du champ du catalogue.")
    client.force_login(manager)

    html = client.get("/en/projects/mine/").content.decode()

    assert "editor@centre.example wrote:" in html
    assert "“Hors du champ du catalogue.”" in html


def test_commune_space_lists_its_projects_with_the_editor_comment(
    client, editor, manager, namur, submitted
):
    project_request_changes(project=submitted, user=editor, comment="Ajoutez le budget.")
    ProjectFactory(owner_municipality=namur, slug="wifi", title_fr="Wi-Fi public")
    client.force_login(manager)

    html = client.get(f"/en/space/{namur.refnis}/").content.decode()

    section = html.split('id="commune-projects-heading"')[1].split("</section>")[0]
    assert (
        f'<a href="/en/projects/{submitted.slug}/edit/">Budget participatif numérique</a>'
        in section
    )
    assert '<a href="/en/projects/wifi/edit/">Wi-Fi public</a>' in section
    assert "“Ajoutez le budget.”" in section


def test_commune_space_shows_staff_only_published_projects(client, staff_user, namur, submitted):
    ProjectFactory(owner_municipality=namur, slug="wifi", title_fr="Wi-Fi public")
    client.force_login(staff_user)

    html = client.get(f"/en/space/{namur.refnis}/").content.decode()

    section = html.split('id="commune-projects-heading"')[1].split("</section>")[0]
    assert '<a href="/en/projects/wifi/">Wi-Fi public</a>' in section
    assert "Budget participatif" not in section


# --- the English showcase is linked ------------------------------------------------------------


@pytest.mark.parametrize("path", ["/fr/", "/fr/projects/", "/fr/projects/map/"])
def test_showcase_is_linked_from_home_and_project_pages(client, territory, path):
    html = client.get(path).content.decode()

    assert '<a href="/en/projects/showcase/" hreflang="en">' in html


def test_commune_space_panel_costs_the_same_queries_for_one_or_many_projects(
    client, editor, manager, namur, submitted
):
    project_request_changes(project=submitted, user=editor, comment="Ajoutez le budget.")
    client.force_login(manager)
    client.get(f"/en/space/{namur.refnis}/")  # warm the caches
    with CaptureQueriesContext(connection) as one:
        client.get(f"/en/space/{namur.refnis}/")
    for number in range(3):
        ProjectFactory(owner_municipality=namur, slug=f"p{number}", state=Project.State.DRAFT)
    other = ProjectFactory(owner_municipality=namur, slug="p3", state=Project.State.SUBMITTED)
    project_request_changes(project=other, user=editor, comment="Une photo.")

    with CaptureQueriesContext(connection) as many:
        html = client.get(f"/en/space/{namur.refnis}/").content.decode()

    # constant, whatever the number of projects (the barometer and the method panels beside it
    # cost 2 each)
    assert (len(one), len(many)) == (19, 19)
    assert html.count('href="/en/projects/p') == 4
