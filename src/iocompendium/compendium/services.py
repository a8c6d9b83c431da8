"""Writes of the compendium: key principles, curation of practices, publication status.

Every edit of a practice or a key principle carries the ``version`` the editor saw; a save
based on an older version is refused (``StaleEdit``) instead of silently overwriting a
colleague's change.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from iocompendium.compendium import practice_template
from iocompendium.compendium.models import KeyPrinciple, Practice, PracticeStatus
from iocompendium.compendium.themes import (
    THEME_BY_SLUG,
    theme_of_survey_path,
    valid_sub_theme,
)
from iocompendium.questionnaires.structure import iter_questions, localized, template_path
from iocompendium.registry.models import Organisation
from iocompendium.responses.models import Answer, Response, ResponseStatus

KEY_PRINCIPLES_FILE = Path(__file__).resolve().parent.parent / "data" / "key_principles.json"
EXAMPLES_SUFFIX = "_examples"
TITLE_WORDS = 12
IDENTIFIER_LENGTH = 60
SEARCH_KIND = "practice"


class CurationError(ValueError):
    """The source cannot become a practice, or the edit is invalid: one sentence."""


class StaleEdit(CurationError):
    """Someone else saved a newer version since the editor loaded the page."""


# --- key principles ---------------------------------------------------------------------


def load_key_principles(path: Path = KEY_PRINCIPLES_FILE) -> int:
    """Create the shipped key principles of every theme that has none yet; how many."""
    data = json.loads(path.read_text(encoding="utf-8"))["principles"]
    created = 0
    with transaction.atomic():
        for theme, items in data.items():
            if theme not in THEME_BY_SLUG:
                raise CurationError(f"Unknown theme '{theme}' in {path.name}.")
            if KeyPrinciple.objects.filter(theme=theme).exists():
                continue
            KeyPrinciple.objects.bulk_create(
                KeyPrinciple(theme=theme, order=n, text_en=item["en"], text_fr=item.get("fr", ""))
                for n, item in enumerate(items, start=1)
            )
            created += len(items)
    return created


def add_key_principle(theme: str, text_en: str, text_fr: str = "") -> KeyPrinciple:
    if theme not in THEME_BY_SLUG:
        raise CurationError(_("Unknown theme."))
    if not text_en.strip():
        raise CurationError(_("The English text of a key principle is required."))
    last = KeyPrinciple.objects.filter(theme=theme).order_by("-order").first()
    return KeyPrinciple.objects.create(
        theme=theme, order=(last.order + 1) if last else 1,
        text_en=text_en.strip(), text_fr=text_fr.strip(),
    )


def update_key_principle(
    principle: KeyPrinciple, *, text_en: str, text_fr: str, order: int, base_version: int
) -> KeyPrinciple:
    if not text_en.strip():
        raise CurationError(_("The English text of a key principle is required."))
    updated = KeyPrinciple.objects.filter(pk=principle.pk, version=base_version).update(
        text_en=text_en.strip(), text_fr=text_fr.strip(), order=order,
        version=F("version") + 1, updated_at=timezone.now(),
    )
    if not updated:
        raise StaleEdit(_(
            "Someone else changed this key principle since you opened the page; "
            "your change was not saved. Reload to see their version."
        ))
    principle.refresh_from_db()
    return principle


# --- curation ---------------------------------------------------------------------------


def new_identifier(organisation: Organisation, title: str) -> str:
    """A readable, unique citation key: '<acronym>-<first words of the title>'."""
    acronym, words = slugify(organisation.acronym), slugify(title)
    base = words if words.startswith(f"{acronym}-") else f"{acronym}-{words}".strip("-")
    if len(base) > IDENTIFIER_LENGTH:  # cut between words, not inside one
        base = base[:IDENTIFIER_LENGTH].rsplit("-", 1)[0]
    base = base or "practice"
    identifier, number = base, 2
    while Practice.objects.filter(identifier=identifier).exists():
        identifier = f"{base}-{number}"
        number += 1
    return identifier


def _short_title(text: str) -> str:
    """The first sentence of a free text, at most a dozen words."""
    sentence = text.strip().split(". ")[0].strip().rstrip(".")
    words = sentence.split()
    return " ".join(words[:TITLE_WORDS]) + ("…" if len(words) > TITLE_WORDS else "")


def _check_approved(response: Response) -> None:
    if response.status != ResponseStatus.APPROVED:
        raise CurationError(_("Only an approved response can become a practice."))


def _existing(response: Response, path: str) -> Practice | None:
    return Practice.objects.filter(source_response=response, source_path=path).first()


def _answers(response: Response) -> dict[str, str]:
    return dict(response.answers.exclude(value="").values_list("path", "value"))


def _labelled_source(structure: dict, answers: dict[str, str], lang: str = "en") -> str:
    """Every answer of a response with its question label, as plain text to keep."""
    default = structure.get("default_language", "")
    labels = {ref.path: localized(ref.node.get("label"), lang, default) or ref.name
              for ref in iter_questions(structure)}
    lines = []
    for path, value in answers.items():
        lines.append(f"{labels.get(template_path(path), path)}: {value}")
    return "\n".join(lines)


def practice_from_template(
    response: Response, *, user: AbstractBaseUser | None = None, synthetic: bool | None = None
) -> Practice:
    """A draft practice prefilled from an approved practice-template response (once)."""
    if response.version.questionnaire.slug != practice_template.SLUG:
        raise CurationError(_("This response is not a practice template."))
    _check_approved(response)
    existing = _existing(response, "")
    if existing:
        return existing
    answers = _answers(response)
    theme = answers.get("theme", "")
    if theme not in THEME_BY_SLUG:
        raise CurationError(_("The practice template gives no valid theme."))
    sub_theme = answers.get("sub_theme", "")
    title = answers.get("practice_title") or response.title or _("Untitled practice")
    description = "\n\n".join(
        part for part in (answers.get("description", ""), answers.get("objective", "")) if part
    )
    return _create(
        response, "", user=user, theme=theme,
        sub_theme=sub_theme if valid_sub_theme(theme, sub_theme) else "",
        title=title, description=description or title,
        source_text=_labelled_source(response.version.structure, answers),
        synthetic=response.synthetic if synthetic is None else synthetic,
    )


def practice_from_answer(
    response: Response, path: str, *, user: AbstractBaseUser | None = None,
    synthetic: bool | None = None, title: str = "", title_fr: str = "",
) -> Practice:
    """A draft practice prefilled from one free-text ``*_examples`` answer (once)."""
    _check_approved(response)
    if not template_path(path).endswith(EXAMPLES_SUFFIX):
        raise CurationError(_("Only answers describing examples of practices can be curated."))
    theme = theme_of_survey_path(path)
    if theme is None:
        raise CurationError(_("This answer belongs to no theme of the compendium."))
    existing = _existing(response, path)
    if existing:
        return existing
    answer = Answer.objects.filter(response=response, path=path).exclude(value="").first()
    if answer is None:
        raise CurationError(_("This answer is empty."))
    return _create(
        response, path, user=user, theme=theme, sub_theme="",
        title=title or _short_title(answer.value), title_fr=title_fr,
        description=answer.value, source_text=answer.value,
        synthetic=response.synthetic if synthetic is None else synthetic,
    )


def _create(response: Response, path: str, *, user, theme: str, sub_theme: str, title: str,
            description: str, source_text: str, synthetic: bool, title_fr: str = "") -> Practice:
    organisation = response.organisation
    with transaction.atomic():
        practice = Practice.objects.create(
            identifier=new_identifier(organisation, title),
            organisation=organisation, theme=theme, sub_theme=sub_theme,
            title_en=title[:300], title_fr=title_fr[:300], description_en=description,
            source_response=response, source_path=path, source_text=source_text,
            synthetic=synthetic or organisation.synthetic,
            created_by=user if user is not None and user.is_authenticated else None,
        )
    return practice


def update_practice(
    practice: Practice, *, base_version: int, title_en: str, title_fr: str,
    description_en: str, description_fr: str, theme: str, sub_theme: str,
    key_principles: Iterable[KeyPrinciple],
) -> Practice:
    """Save the curator's edit if nobody saved since ``base_version``; else StaleEdit."""
    if theme not in THEME_BY_SLUG:
        raise CurationError(_("Unknown theme."))
    if not valid_sub_theme(theme, sub_theme):
        raise CurationError(_("This sub-theme does not belong to the theme."))
    if not title_en.strip() or not description_en.strip():
        raise CurationError(_("The English title and description are required."))
    principles = list(key_principles)
    if any(p.theme != theme for p in principles):
        raise CurationError(_("Choose key principles of the practice's theme."))
    with transaction.atomic():
        updated = Practice.objects.filter(pk=practice.pk, version=base_version).update(
            title_en=title_en.strip()[:300], title_fr=title_fr.strip()[:300],
            description_en=description_en.strip(), description_fr=description_fr.strip(),
            theme=theme, sub_theme=sub_theme, version=F("version") + 1,
            updated_at=timezone.now(),
        )
        if not updated:
            raise StaleEdit(_(
                "Someone else saved this practice since you opened it; your change was not "
                "saved. Reload the page to see their version, then edit again."
            ))
        practice.refresh_from_db()
        practice.key_principles.set(principles)
    if practice.is_published:
        index_practice(practice)
    return practice


def set_practice_status(practice: Practice, status: str, *, base_version: int) -> Practice:
    """Publish or withdraw (back to draft) a practice; only published ones are public."""
    status = PracticeStatus(status)
    published_at = timezone.now() if status == PracticeStatus.PUBLISHED else None
    with transaction.atomic():
        updated = Practice.objects.filter(pk=practice.pk, version=base_version).update(
            status=status, published_at=published_at, version=F("version") + 1,
            updated_at=timezone.now(),
        )
        if not updated:
            raise StaleEdit(_(
                "Someone else changed this practice since you opened it; reload the page."
            ))
        practice.refresh_from_db()
        if practice.is_published:
            index_practice(practice)
        else:
            unindex_practice(practice)
    return practice


# --- search -----------------------------------------------------------------------------


def _search():
    try:
        from iocompendium import search
    except ImportError:  # the search app is optional for the compendium
        return None
    return search if hasattr(search, "index") else None


def index_practice(practice: Practice) -> None:
    """Put a published practice into the platform's search (both languages' texts)."""
    search = _search()
    if search is None:
        return
    search.index(
        SEARCH_KIND, practice.identifier,
        fields={"title": practice.title_en, "title_fr": practice.title_fr,
                "description": practice.description_en,
                "description_fr": practice.description_fr,
                "organisation": practice.organisation.acronym},
        facets={"theme": practice.theme, "organisation": practice.organisation.acronym,
                "language": ["en", "fr"] if practice.description_fr.strip() else ["en"]},
    )


def unindex_practice(practice: Practice) -> None:
    search = _search()
    if search is not None:
        search.remove(SEARCH_KIND, practice.identifier)
