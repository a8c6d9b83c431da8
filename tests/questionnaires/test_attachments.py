"""select_one_from_file and select_multiple_from_file with the file attached beside the
form (issue 12): on the command line (--attachment, repeatable) and on the web upload;
kept in the data folder; a missing or broken file refused with the question's row; the
options in both languages where the file has label columns. The form and its files are
SYNTHETIC (made here)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from iocompendium.questionnaires.models import QuestionnaireVersion
from iocompendium.questionnaires.services import attachment_folder
from iocompendium.questionnaires.xlsform import XLSFormError, read_xlsform, write_xlsform
from iocompendium.responses import services as response_services
from iocompendium.responses.models import Answer
from tests.responses.conftest import make_contributor, make_organisation

TOWNS = ("name,label::English (en),label::Français (fr),district\n"
         "bei,Beirut,Beyrouth,beirut\ntri,Tripoli (north),Tripoli (nord),north\n"
         "zah,Zahle,Zahlé,bekaa\n").encode()
CROPS_XML = (b"<root><item><code>w</code><title>Wheat</title></item>"
             b"<item><code>o</code><title>Olives</title></item></root>")
SITES = json.dumps({"type": "FeatureCollection", "features": [
    {"type": "Feature", "id": "s1", "geometry": {"type": "Point", "coordinates": [35.5, 33.9]},
     "properties": {"title": "Site one"}},
    {"type": "Feature", "id": "s2", "geometry": {"type": "Point", "coordinates": [35.8, 34.4]},
     "properties": {"title": "Site two"}}]}).encode()


def make_form(path: Path) -> Path:
    """A SYNTHETIC bilingual form with three from-file questions."""
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    for row in (["type", "name", "label::English (en)", "label::French (fr)", "parameters",
                 "choice_filter"],
                ["select_one_from_file towns.csv", "town", "Town", "Ville", "", ""],
                ["select_multiple_from_file crops.xml", "crops", "Crops", "Cultures",
                 "value=code label=title", ""],
                ["select_one_from_file sites.geojson", "site", "Site", "Site", "", ""],
                ["select_one_from_file towns.csv", "north_town", "Town in the north",
                 "Ville du nord", "", "district='north'"]):
        survey.append(row)
    workbook.create_sheet("settings").append(["form_id"])
    workbook["settings"].append(["from_file_synthetic"])
    workbook.save(path)
    return path


FILES = {"towns.csv": TOWNS, "crops.xml": CROPS_XML, "sites.geojson": SITES}


def test_options_come_from_the_files_in_both_languages(tmp_path):
    structure = read_xlsform(make_form(tmp_path / "form.xlsx"), FILES)
    town, crops, site, north = structure["children"]
    assert (town["type"], crops["type"]) == ("select_one_from_file", "select_multiple_from_file")
    towns = structure["choices"][town["choice_list"]]
    assert [(o["name"], o["label"]) for o in towns] == [
        ("bei", {"en": "Beirut", "fr": "Beyrouth"}),
        ("tri", {"en": "Tripoli (north)", "fr": "Tripoli (nord)"}),
        ("zah", {"en": "Zahle", "fr": "Zahlé"})]
    assert towns[1]["extra"] == {"district": "north"}  # for choice_filter
    # A plain label column serves every language of the form.
    assert [(o["name"], o["label"]) for o in structure["choices"][crops["choice_list"]]] == [
        ("w", {"en": "Wheat", "fr": "Wheat"}), ("o", {"en": "Olives", "fr": "Olives"})]
    sites = structure["choices"][site["choice_list"]]
    assert [(o["name"], o["label"]["en"], o["extra"]["geometry"]) for o in sites] == [
        ("s1", "Site one", "33.9 35.5"), ("s2", "Site two", "34.4 35.8")]
    assert north["choice_list"] == town["choice_list"]
    assert set(structure["attachments"]) == set(FILES)


def test_a_missing_attachment_is_refused_with_the_row(tmp_path):
    form = make_form(tmp_path / "form.xlsx")
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(form, {"towns.csv": TOWNS, "sites.geojson": SITES})
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("survey", 3, "type")
    assert "crops.xml" in problem.message and "--attachment crops.xml" in problem.message


@pytest.mark.parametrize(("name", "content", "fragment"), [
    ("towns.csv", b"code,label\nbei,Beirut\n", "no column 'name'"),
    ("towns.csv", b"name,label\nbei,Beirut\nbei,Beyrouth\n",
     "line 3: the value 'bei' is given twice"),
    ("towns.csv", b"name,label\n,Beirut\n", "line 2: the value column 'name' is empty"),
    ("towns.csv", b"\xff\xfe\x00", "not UTF-8"),
    ("crops.xml", b'<!DOCTYPE r [<!ENTITY e "x">]><root/>', "DOCTYPE"),
    ("crops.xml", b"<root><item>", "not well-formed"),
    ("sites.geojson", b"[1, 2]", "not a GeoJSON FeatureCollection"),
])
def test_a_broken_file_is_refused_with_the_row_and_the_line(tmp_path, name, content,
                                                            fragment):
    form = make_form(tmp_path / "form.xlsx")
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(form, {**FILES, name: content})
    assert any(fragment in p.message and p.row > 1 for p in caught.value.problems), \
        caught.value.problems


def test_an_attachment_no_question_uses_is_refused(tmp_path):
    with pytest.raises(XLSFormError, match="spare.csv is attached but no"):
        read_xlsform(make_form(tmp_path / "form.xlsx"), {**FILES, "spare.csv": TOWNS})


def test_export_keeps_the_options_in_the_files(tmp_path):
    structure = read_xlsform(make_form(tmp_path / "form.xlsx"), FILES)
    write_xlsform(structure, tmp_path / "out.xlsx")
    assert read_xlsform(tmp_path / "out.xlsx", FILES)["choices"] == structure["choices"]


@pytest.mark.django_db
def test_command_imports_with_repeated_attachments_kept_in_the_data_folder(tmp_path,
                                                                           settings):
    form = make_form(tmp_path / "form.xlsx")
    paths = []
    for name, content in FILES.items():
        (tmp_path / name).write_bytes(content)
        paths += ["--attachment", str(tmp_path / name)]
    with pytest.raises(CommandError, match=r"row 3.*crops\.xml|crops\.xml.*row 3"):
        call_command("form", "import", str(form), "--slug", "towns",
                     "--attachment", str(tmp_path / "towns.csv"),
                     "--attachment", str(tmp_path / "sites.geojson"), stdout=io.StringIO())
    assert not QuestionnaireVersion.objects.exists()
    call_command("form", "import", str(form), "--slug", "towns", *paths, stdout=io.StringIO())
    version = QuestionnaireVersion.objects.get()
    folder = attachment_folder(version)
    assert folder.is_relative_to(Path(settings.MEDIA_ROOT))
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == FILES
    # A changed file is a changed form: a new version.
    (tmp_path / "towns.csv").write_bytes(TOWNS + "sai,Saida,Saïda,south\n".encode())
    call_command("form", "import", str(form), "--slug", "towns", *paths, stdout=io.StringIO())
    assert QuestionnaireVersion.objects.count() == 2


@pytest.mark.django_db
def test_web_upload_with_attachments_then_answered_in_french(client, secretariat_user,
                                                              django_user_model, tmp_path):
    form = make_form(tmp_path / "form.xlsx")
    client.force_login(secretariat_user)
    data = {"xlsform": SimpleUploadedFile("form.xlsx", form.read_bytes()), "slug": "towns",
            "publish": "on"}
    missing = client.post("/en/questionnaires/upload/", data)
    assert missing.status_code == 400
    assert "towns.csv" in missing.content.decode() and not QuestionnaireVersion.objects.exists()
    data = {"xlsform": SimpleUploadedFile("form.xlsx", form.read_bytes()), "slug": "towns",
            "publish": "on",
            "attachments": [SimpleUploadedFile(name, content) for name, content in FILES.items()]}
    reply = client.post("/en/questionnaires/upload/", data)
    assert reply.status_code == 302, reply.content.decode()[:2000]
    version = QuestionnaireVersion.objects.get()
    assert sorted(p.name for p in attachment_folder(version).iterdir()) == sorted(FILES)

    organisation = make_organisation("SYN-FILE")
    client.force_login(make_contributor(django_user_model, "focal", organisation))
    response = response_services.get_or_create_response(organisation, version)
    page = client.get(f"/fr/responses/{response.pk}/section/_/").content.decode()
    assert "Beyrouth" in page and "Zahlé" in page and "Beirut" not in page
    saved = client.post(f"/en/responses/{response.pk}/autosave/", {
        "path": "town", "value": "zah", "revision": 0, "section": "_"})
    assert saved.status_code == 200, saved.content
    refused = client.post(f"/en/responses/{response.pk}/autosave/", {
        "path": "town", "value": "paris", "revision": saved.json()["revision"],
        "section": "_"})
    assert refused.status_code == 400 or refused.json()["states"]["town"]["error"]
    assert Answer.objects.get(path="town").value == "zah"


@pytest.mark.django_db
def test_web_upload_refuses_another_type_of_attachment(client, secretariat_user, tmp_path):
    form = make_form(tmp_path / "form.xlsx")
    client.force_login(secretariat_user)
    reply = client.post("/en/questionnaires/upload/", {
        "xlsform": SimpleUploadedFile("form.xlsx", form.read_bytes()),
        "attachments": [SimpleUploadedFile("towns.txt", TOWNS)]})
    assert reply.status_code == 400
    assert "Attach .csv, .xml or .geojson files only." in reply.content.decode()
    assert not QuestionnaireVersion.objects.exists()



@pytest.mark.django_db
def test_from_file_questions_are_reported_and_published(tmp_path):
    import csv

    from iocompendium.compendium.publishing import publish
    from iocompendium.questionnaires.services import import_questionnaire
    from iocompendium.responses.models import Response

    version, _ = import_questionnaire(make_form(tmp_path / "form.xlsx"), "towns",
                                      publish=True, attachments=FILES)
    for key, answers in {"s1": {"town": "bei", "crops": "w o", "site": "s1"},
                         "s2": {"town": "zah", "crops": "o", "north_town": "tri"}}.items():
        response = Response.objects.create(version=version, unit_key=key, status="approved",
                                           synthetic=True)
        Answer.objects.bulk_create([Answer(response=response, path=p, value=v)
                                    for p, v in answers.items()])
    version.questionnaire.unit = "submission"
    version.questionnaire.save(update_fields=["unit"])
    result = publish(tmp_path / "site", questionnaire="towns", with_pdf=False,
                     allow_empty=False)
    assert result.coverage_line == "Coverage: 4 published, 0 excluded, 0 left out silently"
    with (tmp_path / "site" / "data" / "question_tables.csv").open(encoding="utf-8") as handle:
        counts = {(row["question"], row["label"]): row["value"]
                  for row in csv.DictReader(handle) if row["statistic"] == "count"}
    assert counts[("town", "Beirut")] == "1" and counts[("town", "Zahle")] == "1"
    assert counts[("crops", "Olives")] == "2" and counts[("site", "Site one")] == "1"
