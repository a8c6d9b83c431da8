"""The secretariat's questionnaire pages: list and upload, version preview, publish,
download. Focal points get 403; anonymous visitors are sent to the log-in page."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iocompendium.web.roles import secretariat_only

from . import selectors
from .forms import UnitForm, UploadForm
from .models import QuestionnaireVersion
from .preview import preview_rows
from .services import QuestionnaireError, import_questionnaire, publish_version, set_unit
from .structure import CONTAINER_TYPES
from .xlsform import XLSFormError, language_code, write_xlsform

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _version_or_404(slug: str, number: int) -> QuestionnaireVersion:
    version = selectors.get_version(slug, number)
    if version is None:
        raise Http404(slug)
    return version


def _index_page(request: HttpRequest, form: UploadForm, problems=None, status: int = 200):
    questionnaires = [
        (questionnaire, selectors.versions_of(questionnaire))
        for questionnaire in selectors.questionnaires_with_versions()
    ]
    return render(request, "questionnaires/index.html", {
        "questionnaires": questionnaires, "form": form, "problems": problems or [],
    }, status=status)


@secretariat_only
def index(request: HttpRequest) -> HttpResponse:
    return _index_page(request, UploadForm())


@secretariat_only
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _index_page(request, form, status=400)
    uploaded = form.cleaned_data["xlsform"]
    name = Path(uploaded.name).name
    with tempfile.TemporaryDirectory(prefix="iocompendium-form-") as folder:
        # Keep the file's own name: pyxform falls back on it for a missing form_id.
        path = Path(folder) / name
        with path.open("wb") as handle:
            for chunk in uploaded.chunks():
                handle.write(chunk)
        try:
            attachments = {Path(upload.name).name: upload.read()
                           for upload in form.cleaned_data["attachments"]}
            version, created = import_questionnaire(
                path, form.cleaned_data["slug"] or None,
                publish=form.cleaned_data["publish"], filename=name,
                attachments=attachments)
        except XLSFormError as error:
            return _index_page(request, form, problems=error.problems, status=400)
        except QuestionnaireError as error:
            form.add_error("slug", str(error))
            return _index_page(request, form, status=400)
    if created:
        messages.success(request, _("Imported %(slug)s as version %(number)s.")
                         % {"slug": version.questionnaire.slug, "number": version.number})
    else:
        messages.info(request, _("The form is unchanged: %(slug)s stays at version %(number)s.")
                      % {"slug": version.questionnaire.slug, "number": version.number})
    return redirect("questionnaires:version", slug=version.questionnaire.slug,
                    number=version.number)


def _language_name(key: str) -> str:
    names = {"en": _("English"), "fr": _("French")}
    return names.get(language_code(key), key)


def _first_section(structure: dict) -> str:
    """The name of the respondent pages' first section (``_``: questions outside groups)."""
    children = structure.get("children") or []
    if any(node["type"] not in CONTAINER_TYPES for node in children):
        return "_"
    return children[0]["name"] if children else "_"


@secretariat_only
def version_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _version_or_404(slug, number)
    structure = version.structure
    languages = [(key, _language_name(key), language_code(key))
                 for key in structure.get("languages") or []]
    return render(request, "questionnaires/version.html", {
        "version": version,
        "questionnaire": version.questionnaire,
        "structure": structure,
        "languages": languages,
        "rows": preview_rows(structure),
        "first_section": _first_section(structure),
        "other_versions": selectors.versions_of(version.questionnaire),
        "unit_form": _unit_form(version.questionnaire),
        "unit_changes": selectors.unit_changes(version.questionnaire),
    })


def _unit_form(questionnaire, data=None) -> UnitForm:
    label = questionnaire.unit_label or {}
    return UnitForm(data, initial={"unit": questionnaire.unit, "label_en": label.get("en", ""),
                                   "label_fr": label.get("fr", "")})


@secretariat_only
@require_POST
def unit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Set the respondent unit and its name in each language (recorded with who and when)."""
    version = _version_or_404(slug, number)
    form = _unit_form(version.questionnaire, request.POST)
    if not form.is_valid():
        messages.error(request, _("The respondent unit was not changed: check the fields."))
    else:
        data = form.cleaned_data
        try:
            set_unit(version.questionnaire, data["unit"],
                     {"en": data["label_en"], "fr": data["label_fr"]}, user=request.user)
        except QuestionnaireError:
            messages.error(request, _("This questionnaire already has responses: its respondent "
                                      "unit cannot change (the names of the units can)."))
        else:
            messages.success(request, _("Respondent unit saved: %(label)s.")
                             % {"label": version.questionnaire.unit_label_in()})
    return redirect("questionnaires:version", slug=slug, number=number)


@secretariat_only
@require_POST
def publish(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _version_or_404(slug, number)
    publish_version(version)
    messages.success(request, _("Version %(number)s of %(slug)s is published.")
                     % {"slug": slug, "number": number})
    return redirect("questionnaires:version", slug=slug, number=number)


@secretariat_only
def download(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The version as an XLSForm written from its structure (what import reads back), or
    with ``?original=1`` the file as it was uploaded."""
    version = _version_or_404(slug, number)
    original = bytes(version.xlsform or b"")
    if request.GET.get("original") and original:
        name = Path(version.xlsform_name or f"{slug}-v{number}.xlsx").name.replace('"', "")
        response = HttpResponse(original, content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    with tempfile.TemporaryDirectory(prefix="iocompendium-export-") as folder:
        path = Path(folder) / "form.xlsx"
        write_xlsform(version.structure, path)
        content = path.read_bytes()
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{slug}-v{number}.xlsx"'
    return response
