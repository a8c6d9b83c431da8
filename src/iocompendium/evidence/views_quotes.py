"""The secretariat's review list of text answers: mark quotes publishable (per answer or
per question) and mark questions personal (left out of every public output)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from iocompendium.evidence import selectors, services
from iocompendium.questionnaires.models import Questionnaire
from iocompendium.responses.models import Answer
from iocompendium.web.roles import secretariat_only

QUESTION_ACTIONS = {
    "all": ("quotes", True), "none": ("quotes", False),
    "personal": ("personal", True), "not_personal": ("personal", False),
}


@require_GET
@secretariat_only
def quotes(request):
    slug = request.GET.get("questionnaire") or selectors.DEFAULT_SLUG
    try:
        review = selectors.quote_review(slug)
    except selectors.EvidenceError as error:
        messages.error(request, str(error))
        review = []
    return render(request, "evidence/quotes.html", {
        "slug": slug, "review": review,
        "questionnaires": selectors.questionnaires_with_versions(),
        "limit": selectors.QUOTE_REVIEW_LIMIT,
    })


@require_POST
@secretariat_only
def quote_mark(request):
    questionnaire = get_object_or_404(Questionnaire, slug=request.POST.get("questionnaire", ""))
    back = reverse("evidence:quotes") + "?" + urlencode({"questionnaire": questionnaire.slug})
    answer_id = request.POST.get("answer", "")
    if answer_id.isdigit():
        answer = get_object_or_404(Answer, pk=int(answer_id),
                                   response__version__questionnaire=questionnaire)
        services.mark_quote(answer, request.POST.get("publishable") == "yes", request.user)
        messages.success(request, _("The answer's mark is saved."))
        return redirect(back + f"#a-{answer.pk}")
    question = request.POST.get("question", "")
    action = QUESTION_ACTIONS.get(request.POST.get("action", ""))
    if not question or action is None:
        messages.error(request, _("Choose an answer or a question to mark."))
        return redirect(back)
    kind, value = action
    if kind == "quotes":
        services.mark_question_quotes(questionnaire, question, value, request.user)
    else:
        services.mark_question_personal(questionnaire, question, value, request.user)
    messages.success(request, _("The question's mark is saved."))
    return redirect(back)
