"""import_questionnaire: versions decided by the structure's fingerprint, all or nothing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from iocompendium.questionnaires import selectors
from iocompendium.questionnaires.models import Questionnaire, QuestionnaireVersion
from iocompendium.questionnaires.services import (
    QuestionnaireError,
    import_questionnaire,
    publish_version,
)
from iocompendium.questionnaires.xlsform import XLSFormError, read_xlsform, write_xlsform

pytestmark = pytest.mark.django_db

IO_SURVEY = Path(__file__).resolve().parents[2] / "src" / "iocompendium" / "data" / "io_survey.xlsx"


def test_first_import_makes_version_one(tmp_path):
    version, created = import_questionnaire(IO_SURVEY)
    assert created and version.number == 1
    assert version.questionnaire.slug == "io-survey"  # from form_id io_survey
    assert version.questionnaire.title == {"en": "IO Survey", "fr": "Enquête auprès des OI"}
    assert version.languages == ["en", "fr"]
    assert version.form_version == "2026113017"
    assert bytes(version.xlsform) == IO_SURVEY.read_bytes()
    assert version.xlsform_name == "io_survey.xlsx"
    assert version.published_at is None
    # The fingerprint is the SHA-256 of the structure's canonical JSON (computed here).
    canonical = json.dumps(read_xlsform(IO_SURVEY), sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))
    assert version.fingerprint == hashlib.sha256(canonical.encode()).hexdigest()


def test_unchanged_form_makes_no_new_version(tmp_path):
    first, _ = import_questionnaire(IO_SURVEY, "io-survey")
    # The same structure in another file (exported) is still unchanged.
    write_xlsform(first.structure, tmp_path / "copy.xlsx")
    again, created = import_questionnaire(tmp_path / "copy.xlsx", "io-survey")
    assert not created and again.pk == first.pk
    assert QuestionnaireVersion.objects.count() == 1


def test_changed_form_makes_the_next_version(tmp_path):
    first, _ = import_questionnaire(IO_SURVEY, "io-survey")
    structure = read_xlsform(IO_SURVEY)
    structure["children"][0]["children"][1]["label"]["en"] = "Official name"
    write_xlsform(structure, tmp_path / "changed.xlsx")
    second, created = import_questionnaire(tmp_path / "changed.xlsx", "io-survey")
    assert created and second.number == 2
    assert second.fingerprint != first.fingerprint
    assert selectors.get_version("io-survey").pk == second.pk
    assert selectors.get_version("io-survey", 1).pk == first.pk


def test_publish_and_published_version():
    version, _ = import_questionnaire(IO_SURVEY, "io-survey")
    assert selectors.published_version("io-survey") is None
    publish_version(version)
    assert selectors.published_version("io-survey").pk == version.pk
    # Re-importing the unchanged file with publish keeps the first publication date.
    published_at = QuestionnaireVersion.objects.get().published_at
    same, created = import_questionnaire(IO_SURVEY, "io-survey", publish=True)
    assert not created and same.published_at == published_at


def test_publish_on_import():
    version, _ = import_questionnaire(IO_SURVEY, "io-survey", publish=True)
    assert version.published_at is not None
    assert selectors.get_questionnaire("io-survey").published_version().pk == version.pk


def test_refused_form_writes_nothing(shared_data):
    with pytest.raises(XLSFormError):
        import_questionnaire(shared_data / "xlsforms" / "pyxform-examples" / "bad_calc.xlsx")
    assert Questionnaire.objects.count() == 0 and QuestionnaireVersion.objects.count() == 0


@pytest.mark.parametrize("slug", ["Bad Slug", "a/b", "-" * 81, "é"])
def test_bad_slug_is_refused(slug):
    with pytest.raises(QuestionnaireError):
        import_questionnaire(IO_SURVEY, slug)
    assert Questionnaire.objects.count() == 0


def test_real_form_default_slug(shared_data):
    path = shared_data / "xlsforms" / "reach-msna-2024" / "REACH_2024_MSNA-kobo-tool_draft_v11.xlsx"
    version, created = import_questionnaire(path)
    assert created
    assert version.questionnaire.slug == "reach-2024-msna-kobo-tool-draft-v11"
    assert version.languages == ["english", "french"]
    # Title keys are the site's language codes where the form names a known language.
    assert set(version.questionnaire.title) == {"en"}


def test_demo_step_is_idempotent(tmp_path):
    from iocompendium.questionnaires import demo
    from iocompendium.web.management.commands.demo import DemoContext

    for _ in range(2):
        context = DemoContext(data_dir=tmp_path, options={})
        demo.run(context)
    version = QuestionnaireVersion.objects.get()
    assert version.questionnaire.slug == "io-survey" and version.published_at is not None
    assert context.lines == ["IO Survey: version 1 (unchanged, published)."]
