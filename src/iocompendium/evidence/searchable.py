"""What the evidence app puts into search: the answers the secretariat marked publishable
(kind "quote", public)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import transaction
from django.db.models.signals import post_save
from django.urls import reverse

from iocompendium import search
from iocompendium.evidence import selectors
from iocompendium.evidence.models import QuestionMark, QuoteMark
from iocompendium.search.kinds import Kind, register, register_access

QUOTE_KIND = "quote"
TITLE_CHARS = 90


def quote_entries() -> list[search.Entry]:
    from iocompendium.questionnaires.models import Questionnaire

    entries = []
    for slug in Questionnaire.objects.order_by("slug").values_list("slug", flat=True):
        for quote in selectors.publishable_quotes(slug):
            text = " ".join(quote.text.split())
            title = text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1] + "…"
            entries.append(search.Entry(
                key=str(quote.answer_id),
                fields={"title": f"{quote.unit}: {title}", "text": text,
                        "question": quote.question},
                facets={"organisation": quote.unit, "question": quote.question,
                        "questionnaire": slug},
            ))
    return entries


def rebuild_quotes() -> int:
    with transaction.atomic():
        search.remove_all(QUOTE_KIND)
        return search.index_many(QUOTE_KIND, quote_entries())


def quote_urls(keys: Sequence[str]) -> Mapping[str, str]:
    # A quote has no page of its own: it links to the search of its own words' neighbours.
    return {key: reverse("search:similar", args=[QUOTE_KIND, key]) for key in keys}


def _marks_changed(sender, **kwargs) -> None:
    """A quote marked or unmarked: the worker re-indexes the quotes after the commit."""
    from iocompendium.search.tasks import reindex_kind_task

    def enqueue() -> None:
        try:
            reindex_kind_task.enqueue(QUOTE_KIND)
        except Exception:  # noqa: BLE001 - no worker backend: 'search reindex' catches up
            return

    transaction.on_commit(enqueue)


register(Kind(QUOTE_KIND, quote_urls, rebuild_quotes))
post_save.connect(_marks_changed, sender=QuoteMark, dispatch_uid="search-quote-marks")
post_save.connect(_marks_changed, sender=QuestionMark, dispatch_uid="search-question-marks")


# --- survey answers, for the logged-in users who may see them ---------------------------
ANSWER_KIND = "answer"
SECRETARIAT = "secretariat"


def organisation_token(organisation_id: int) -> str:
    return f"org:{organisation_id}"


def answer_entries() -> list[search.Entry]:
    """Every non-empty answer to a text question, visible to the secretariat and to its
    own organisation's focal points (access tokens ``secretariat``, ``org:<id>``)."""
    from iocompendium.questionnaires.models import QuestionnaireVersion
    from iocompendium.questionnaires.structure import iter_questions, template_path
    from iocompendium.responses.models import Answer

    text_paths = {
        version.pk: {ref.path for ref in iter_questions(version.structure) if ref.type == "text"}
        for version in QuestionnaireVersion.objects.all()
    }
    entries = []
    answers = (
        Answer.objects.exclude(value="")
        .select_related("response__organisation", "response__version__questionnaire")
        .order_by("pk")
    )
    for answer in answers.iterator(chunk_size=2000):
        response = answer.response
        if template_path(answer.path) not in text_paths.get(response.version_id, ()):
            continue
        organisation = response.organisation
        text = " ".join(answer.value.split())
        title = text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1] + "…"
        entries.append(search.Entry(
            key=str(answer.pk),
            fields={"title": f"{organisation.acronym}: {title}", "text": text,
                    "question": template_path(answer.path)},
            facets={"access": [SECRETARIAT, organisation_token(organisation.pk)],
                    "organisation": organisation.acronym,
                    "questionnaire": response.version.questionnaire.slug},
        ))
    return entries


def rebuild_answers() -> int:
    with transaction.atomic():
        search.remove_all(ANSWER_KIND)
        return search.index_many(ANSWER_KIND, answer_entries())


def answer_urls(keys: Sequence[str]) -> Mapping[str, str]:
    from iocompendium.responses.models import Answer

    rows = Answer.objects.filter(pk__in=[int(k) for k in keys if k.isdigit()])
    return {str(pk): reverse("responses:response_detail", args=[response_id])
            for pk, response_id in rows.values_list("pk", "response_id")}


def _enqueue_answers_reindex() -> None:
    from iocompendium.search.tasks import reindex_kind_task

    try:
        reindex_kind_task.enqueue(ANSWER_KIND)
    except Exception:  # noqa: BLE001 - no worker backend: 'search reindex' catches up
        return


def _response_changed(sender, instance, created, **kwargs) -> None:
    """A response saved (submitted, reviewed...): the worker re-indexes the answers.

    Once per transaction: an import saves thousands of responses in one, and each
    re-index covers them all. (A callback dropped with a rolled-back savepoint was
    registered inside it, and so was every save that relied on it.)"""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        entry[1] is _enqueue_answers_reindex for entry in connection.run_on_commit
    ):
        return
    transaction.on_commit(_enqueue_answers_reindex)


def _connect_responses() -> None:
    from iocompendium.responses.models import Response

    post_save.connect(_response_changed, sender=Response, dispatch_uid="search-answers")


def answer_access(user) -> list[str]:
    """A focal point sees their own organisation's answers."""
    from iocompendium.web.roles import organisation_id_of

    organisation = organisation_id_of(user)
    return [organisation_token(organisation)] if organisation is not None else []


register(Kind(ANSWER_KIND, answer_urls, rebuild_answers, public=False))
register_access(answer_access)
_connect_responses()
