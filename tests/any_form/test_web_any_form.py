"""Any XLSForm answered on the web (issue 12): every shared real form renders every
section for a respondent; metadata is never an input; French labels on the French pages;
cascading selects keep every option in the page; geopoints and ranks have their fields."""

from __future__ import annotations

import html as html_module
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from iocompendium.questionnaires.services import import_questionnaire
from iocompendium.questionnaires.structure import METADATA_TYPES, iter_questions
from iocompendium.responses import formtree, services
from iocompendium.responses.models import Answer
from tests.responses.conftest import make_contributor, make_organisation

pytestmark = pytest.mark.django_db

REACH_2024 = "xlsforms/reach-msna-2024/REACH_2024_MSNA-kobo-tool_draft_v11.xlsx"
FORMS = sorted(
    str(path.relative_to(Path(__file__).resolve().parents[2].parent / "shared" / "data"))
    for path in (Path(__file__).resolve().parents[2].parent / "shared" / "data"
                 / "xlsforms").glob("*/*.xlsx")
    if path.name not in {"bad_calc.xlsx", "submissions.xlsx"}
)


def _respondent(client, django_user_model, shared_data: Path, relative: str, slug: str):
    version, _created = import_questionnaire(shared_data / relative, slug, publish=True)
    organisation = make_organisation("SYN-WEB")
    user = make_contributor(django_user_model, "focal", organisation)
    client.force_login(user)
    return version, services.get_or_create_response(organisation, version)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def page_text(content: bytes) -> str:
    parser = _Text()
    parser.feed(content.decode())
    return " ".join(parser.parts)


def control_names(content: bytes) -> set[str]:
    return {html_module.unescape(name) for name in re.findall(r' name="([^"]*)"', content.decode())}


def choices_in_box(content: bytes, path: str) -> set[str]:
    text = content.decode()
    start = text.index(f'data-path="{path}"')
    end = text.find('<div class="question', start)
    return set(re.findall(r'data-choice="([^"]*)"', text[start:end if end > 0 else None]))


def _section_url(response, name: str, lang: str = "en") -> str:
    return f"/{lang}/responses/{response.pk}/section/{name}/"


@pytest.mark.parametrize("relative", FORMS)
def test_every_shared_form_renders_every_section(client, django_user_model, shared_data,
                                                 relative):
    version, response = _respondent(client, django_user_model, shared_data, relative,
                                    "web-any-form")
    form = formtree.compile_form(version.structure)
    metadata = {ref.path for ref in iter_questions(version.structure)
                if ref.type in METADATA_TYPES}
    for lang in ("en", "fr"):
        for section in form.sections:
            page = client.get(_section_url(response, section.name, lang))
            assert page.status_code == 200, (relative, section.name, lang)
            names = control_names(page.content)
            assert not names & metadata, f"metadata shown as inputs: {names & metadata}"


def test_reach_2024_french_pages_and_hidden_metadata(client, django_user_model, shared_data):
    _version, response = _respondent(client, django_user_model, shared_data, REACH_2024,
                                     "reach-2024")
    page = client.get(_section_url(response, "introduction", "fr"))
    text = page_text(page.content)
    assert "À mettre à jour par le pays" in text  # the form's French choice labels
    assert "To be updated by country" not in text
    # start and today were filled by the server when the response was created
    stored = dict(Answer.objects.filter(response=response).values_list("path", "value"))
    assert stored.get("start") and stored.get("today")


def test_reach_2024_cascade_offers_options_and_answers_to_the_end(client, django_user_model,
                                                                 shared_data):
    version, response = _respondent(client, django_user_model, shared_data, REACH_2024,
                                    "reach-2024")
    choices = version.structure["choices"]
    chain = [("introduction/admin1", "l_admin1", None), ("introduction/admin2", "l_admin2",
             "filter_admin1"), ("introduction/admin3", "l_admin3", "filter_admin2"),
             ("introduction/admin4", "l_admin4", "filter_admin3")]
    previous = None
    for path, list_name, column in chain:
        offered = [c["name"] for c in choices[list_name]
                   if column is None or c["extra"].get(column) == previous]
        assert offered, f"{path} offers no option after {previous}"
        reply = client.post(f"/en/responses/{response.pk}/autosave/", {
            "path": path, "value": offered[0], "revision": 0, "section": "introduction"})
        assert reply.status_code == 200, reply.content
        visible = reply.json().get("choices", {})
        page = client.get(_section_url(response, "introduction"))
        # every option is in the page, hidden or not, so a changed answer can show them
        assert choices_in_box(page.content, path) >= set(offered)
        previous = offered[0]
        if path != chain[-1][0]:
            following = chain[chain.index((path, list_name, column)) + 1]
            assert visible.get(following[0]), f"{following[0]} offers nothing"
    stored = dict(Answer.objects.filter(response=response).values_list("path", "value"))
    assert stored["introduction/admin4"]


def test_geopoint_fields_validate_and_store_odk_form(client, django_user_model, shared_data):
    version, response = _respondent(client, django_user_model, shared_data, REACH_2024,
                                    "reach-2024")
    geo = next(ref for ref in iter_questions(version.structure) if ref.type == "geopoint")
    section = geo.path.split("/")[0]
    page = client.get(_section_url(response, section))
    names = control_names(page.content)
    assert {f"{geo.path}--lat", f"{geo.path}--lon"} <= names
    bad = client.post(f"/en/responses/{response.pk}/autosave/", {
        "path": geo.path, "value": "95 10", "revision": 0, "section": section})
    assert bad.json()["states"][geo.path]["error"]
    good = client.post(f"/en/responses/{response.pk}/autosave/", {
        "path": geo.path, "value": "33.89 35.50", "revision": bad.json()["revision"],
        "section": section})
    assert good.json()["states"][geo.path]["error"] is None
