"""Code suggestions for uncoded answers: nearest coded neighbours by TF-IDF similarity.

Once a code has ``MIN_CODED`` coded answers, every answer of the codebook nobody has coded
yet is compared (cosine similarity of TF-IDF vectors, word 1-2 grams) with the answers
coded with it; the best match's similarity is the suggestion's score. Suggestions are only
proposed: a coder accepts (the code is applied, as that coder) or rejects each one, and
the acceptance rate per code is shown next to them. The semantic-search issue's embedder
can replace TF-IDF here once it exists (``method`` records which one made a suggestion).
"""

from __future__ import annotations

from django.db import transaction

from iocompendium.coding.models import Code, Codebook, Segment, Suggestion
from iocompendium.coding.selectors import answer_ids_to, codes_of, text_questions
from iocompendium.responses.models import Answer

MIN_CODED = 3
MIN_SCORE = 0.2
METHOD = "tfidf"


def _candidate_answers(codebook: Codebook, codes: list[Code]) -> dict[int, str]:
    questions = sorted({q for code in codes for q in code.questions}) or [
        path for path, _label in text_questions(codebook)
    ]
    ids = [pk for question in questions for pk in answer_ids_to(codebook, question)]
    return dict(Answer.objects.filter(pk__in=ids).values_list("pk", "value"))


def scores(codebook: Codebook) -> dict[int, dict[int, float]]:
    """code id -> uncoded answer id -> similarity to the nearest answer coded with it."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    codes = codes_of(codebook)
    texts = _candidate_answers(codebook, codes)
    coded: dict[int, set[int]] = {}
    for code_id, answer_id in Segment.objects.filter(
        code__codebook=codebook, needs_review=False
    ).values_list("code_id", "answer_id"):
        coded.setdefault(code_id, set()).add(answer_id)
    any_coded = set().union(*coded.values()) if coded else set()
    uncoded = [pk for pk in texts if pk not in any_coded]
    ready = {code_id: [pk for pk in ids if pk in texts]
             for code_id, ids in coded.items() if len(ids) >= MIN_CODED}
    if not uncoded or not ready:
        return {}
    ids = list(texts)
    row = {pk: index for index, pk in enumerate(ids)}
    matrix = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1).fit_transform(
        [texts[pk] for pk in ids])
    uncoded_rows = matrix[[row[pk] for pk in uncoded]]
    result: dict[int, dict[int, float]] = {}
    for code_id, examples in ready.items():
        similarity = linear_kernel(uncoded_rows, matrix[[row[pk] for pk in examples]])
        best = similarity.max(axis=1)
        result[code_id] = {pk: float(score) for pk, score in zip(uncoded, best, strict=True)}
    return result


def suggest(codebook: Codebook, *, min_score: float = MIN_SCORE) -> int:
    """Store new pending suggestions (never applied); returns how many were made."""
    existing = set(Suggestion.objects.filter(code__codebook=codebook)
                   .values_list("code_id", "answer_id"))
    new = [
        Suggestion(code_id=code_id, answer_id=answer_id, score=round(score, 4), method=METHOD)
        for code_id, by_answer in scores(codebook).items()
        for answer_id, score in by_answer.items()
        if score >= min_score and (code_id, answer_id) not in existing
    ]
    with transaction.atomic():
        Suggestion.objects.bulk_create(new, batch_size=1000)
    return len(new)
