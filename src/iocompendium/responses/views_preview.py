"""The secretariat's preview of a questionnaire version as respondents see it.

Section by section, in either language, with skip logic live: answers typed into the
preview are kept in the browser session only (never stored as answers), and the page
reuses the respondent page's items and script, beside the section's definition rows.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_POST

from iocompendium.questionnaires.models import QuestionnaireVersion
from iocompendium.questionnaires.preview import preview_rows
from iocompendium.responses import formtree, selectors
from iocompendium.responses.views import _compact_state, _script_strings, normalise
from iocompendium.web.roles import secretariat_only

PREVIEW_LANGUAGES = ("en", "fr")
MAX_PREVIEW_ANSWERS = 5000


def _version(slug: str, number: int) -> QuestionnaireVersion:
    return get_object_or_404(QuestionnaireVersion, questionnaire__slug=slug, number=number)


def _session_key(version: QuestionnaireVersion) -> str:
    return f"questionnaire-preview-{version.pk}"


def _answers(request: HttpRequest, version: QuestionnaireVersion) -> dict[str, str]:
    return dict(request.session.get(_session_key(version), {}))


def _lang(request: HttpRequest) -> str:
    wanted = request.GET.get("lang") or request.POST.get("lang") or ""
    return wanted if wanted in PREVIEW_LANGUAGES else formtree.current_language()


@secretariat_only
def preview_section(request: HttpRequest, slug: str, number: int, name: str) -> HttpResponse:
    version = _version(slug, number)
    form = selectors.compiled_form(version.pk, version.fingerprint)
    section = form.section(name)
    if section is None:
        raise Http404
    lang = _lang(request)
    if request.GET.get("reset"):
        request.session.pop(_session_key(version), None)
    answers = _answers(request, version)
    with translation.override(lang):
        states = formtree.evaluate(form, answers, lang)
        paths = {p for p in formtree.section_paths(form, section, states)
                 if formtree.is_answerable(form.refs[formtree.tpath(p)])}
        data = formtree.PageData(
            states=states, answers=answers, revisions={}, lang=lang,
            editable=paths | {p + formtree.OTHER_SUFFIX for p in paths},
            repeat_relevance=formtree.empty_repeat_relevance(form, section, answers, lang,
                                                             states),
        )
        items = formtree.build_section(form, section, data)
        menu = [{"name": s.name, "label": form.text(s.label, lang) or s.name}
                for s in form.sections]
        strings = _script_strings()
    rows = [row for row in preview_rows(version.structure)
            if form.section_of.get(row.path) == section.name or row.path == section.name]
    config = {
        "url": reverse("responses:preview_answer", kwargs={"slug": slug, "number": number}),
        "section": section.name, "response": f"preview-{version.pk}",
        "revisions": dict.fromkeys(sorted(data.editable), 0), "strings": strings,
        "lang": lang,
    }
    return render(request, "responses/preview.html", {
        "version": version, "items": items, "menu": menu, "section": section,
        "section_label": form.text(section.label, lang) or section.name, "lang": lang,
        "rows": rows, "config": config, "languages": PREVIEW_LANGUAGES,
        "is_secretariat": False, "lists_editable": False,
    })


@require_POST
@secretariat_only
def preview_answer(request: HttpRequest, slug: str, number: int) -> JsonResponse:
    """Evaluate one typed answer in the preview (kept in the session, never stored)."""
    version = _version(slug, number)
    form = selectors.compiled_form(version.pk, version.fingerprint)
    path = request.POST.get("path", "")
    value = normalise(request.POST.get("value", ""))
    lang = _lang(request)
    try:
        ref, is_other = formtree.resolve_path(form, path)
        formtree.check_value(form, ref, value, is_other=is_other)
    except formtree.InvalidAnswer as error:
        return JsonResponse({"error": str(error), "path": path}, status=400)
    answers = _answers(request, version)
    answers[path] = value
    if len(answers) > MAX_PREVIEW_ANSWERS:
        return JsonResponse({"error": "too many answers", "path": path}, status=400)
    request.session[_session_key(version)] = answers
    with translation.override(lang):
        states = formtree.evaluate(form, answers, lang)
        section = form.section(request.POST.get("section", "")) or form.section(
            form.section_of.get(formtree.tpath(formtree.split_other(path)[0]), ""))
        reply: dict = {"saved": True, "path": path, "revision": 0}
        if section is not None:
            paths = formtree.section_paths(form, section, states)
            reply["states"] = {p: _compact_state(form, p, states[p]) for p in paths}
            filtered = [p for p in paths if form.refs[formtree.tpath(p)].node.get("choice_filter")]
            reply["choices"] = formtree.filtered_choices(form, filtered, answers, lang)
            reply["repeats"] = formtree.repeat_states(form, section, answers, lang, states)
    return JsonResponse(reply)
