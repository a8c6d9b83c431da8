"""Demo step: the partnership's workspace, as FICTIONAL-BUT-DATED demo data (marked demo).

The seed's timeline (technical meeting of 5 November 2019; annual meeting of 27 March 2020
in London; release of the compendium in March/April 2021), the five working groups, a
meeting with agenda, documents and minutes, and two rounds of the IO Survey: the 2018
round (the synthetic approved responses) and a second round started from it, where some
organisations changed answers and confirmed the rest. Running it again changes nothing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import transaction

from iocompendium.questionnaires.models import Questionnaire
from iocompendium.questionnaires.structure import iter_questions
from iocompendium.responses import services as responses_services
from iocompendium.responses.models import Answer, AuditEvent, Response, ResponseStatus
from iocompendium.workspace import services
from iocompendium.workspace.models import (
    Audience,
    CarriedAnswer,
    Meeting,
    Milestone,
    Round,
    WorkingGroup,
)

SLUG = "io-survey"
PARIS, LONDON = ZoneInfo("Europe/Paris"), ZoneInfo("Europe/London")

WORKING_GROUPS = [
    ("variety", "Variety of international instruments", "Variété des instruments internationaux",
     "Typologies and common terms for the instruments IOs make.",
     "Typologies et termes communs pour les instruments des OI."),
    ("implementation", "Implementation of international instruments",
     "Mise en œuvre des instruments internationaux",
     "How IOs support members in putting rules into practice.",
     "Comment les OI aident leurs membres à appliquer les règles."),
    ("evaluation", "Evaluation of international instruments",
     "Évaluation des instruments internationaux",
     "Making sure rules get results: monitoring and evaluation.",
     "S'assurer que les règles produisent des résultats : suivi et évaluation."),
    ("stakeholders", "Stakeholder engagement", "Association des parties prenantes",
     "Reaching out to others to make better rules.",
     "S'ouvrir aux autres pour faire de meilleures règles."),
    ("coordination", "Co-ordination among IOs", "Coordination entre OI",
     "Co-operation, MoUs and avoiding overlaps among IOs.",
     "Coopération, protocoles d'accord et prévention des chevauchements entre OI."),
]

MILESTONES = [
    (date(2021, 4, 1), "Release of the compendium (planned for March/April 2021)",
     "Publication du recueil (prévue en mars/avril 2021)"),
]


def run(context: Any) -> None:
    with transaction.atomic():
        groups = _working_groups()
        for day, en, fr in MILESTONES:
            Milestone.objects.get_or_create(date=day, title_en=en,
                                            defaults={"title_fr": fr, "demo": True})
        technical = _technical_meeting(groups)
        _annual_meeting()
    rounds = _rounds()
    line = (f"Workspace demo (fictional, on the seed's dates): {len(groups)} working groups, "
            f"meetings of 5 Nov 2019 (id {technical.pk}) and 27 Mar 2020")
    if rounds:
        line += f"; rounds {rounds[0].label} and {rounds[1].label} of '{SLUG}' compared"
    context.lines.append(line + ".")


def _working_groups() -> list[WorkingGroup]:
    groups = []
    for slug, name_en, name_fr, desc_en, desc_fr in WORKING_GROUPS:
        group, _created = WorkingGroup.objects.update_or_create(slug=slug, defaults={
            "name_en": name_en, "name_fr": name_fr, "description_en": desc_en,
            "description_fr": desc_fr, "demo": True})
        groups.append(group)
    return groups


def _technical_meeting(groups: list[WorkingGroup]) -> Meeting:
    existing = Meeting.objects.filter(demo=True, kind=Meeting.Kind.TECHNICAL).first()
    if existing:
        return existing
    meeting = services.create_meeting(
        title_en="Technical IO meeting: the compendium and the terms of collaboration with "
                 "academics (demo)",
        title_fr="Réunion technique des OI : le recueil et les modalités de collaboration avec "
                 "les universitaires (démo)",
        kind=Meeting.Kind.TECHNICAL, starts=datetime(2019, 11, 5, 9, 30, tzinfo=PARIS),
        ends=datetime(2019, 11, 5, 17, 30, tzinfo=PARIS), time_zone="Europe/Paris",
        place="OECD Conference Centre, Paris (demo)", public=True, demo=True,
        minutes_en="Fictional demo minutes. The participants discussed the structure of the "
                   "compendium along the five themes and a first draft of the terms of "
                   "collaboration with academics.",
        minutes_fr="Compte rendu fictif de démonstration. Les participants ont discuté de la "
                   "structure du recueil selon les cinq thèmes et d'un premier projet de "
                   "modalités de collaboration avec les universitaires.",
        decisions_en="The secretariat circulates a practice template before the annual meeting.",
        decisions_fr="Le secrétariat diffuse un modèle de pratique avant la réunion annuelle.",
    )
    items = [
        ("Development of the compendium of IO practices", "Élaboration du recueil des pratiques "
         "des OI"),
        ("Terms of collaboration with academics", "Modalités de collaboration avec les "
         "universitaires"),
        ("Next survey round", "Prochaine campagne d'enquête"),
    ]
    agenda = [services.add_agenda_item(meeting, en, fr) for en, fr in items]
    agenda_en = services.create_document(
        "Annotated agenda (demo)", ContentFile(
            b"Fictional demo agenda: compendium development; collaboration with academics.",
            name="agenda-en.txt"), language="en", audience=Audience.PUBLIC, meeting=meeting,
        demo=True)
    agenda_fr = services.create_document(
        "Ordre du jour annoté (démo)", ContentFile(
            "Ordre du jour fictif : élaboration du recueil ; collaboration avec les "
            "universitaires.".encode(), name="ordre-du-jour-fr.txt"), language="fr",
        audience=Audience.PUBLIC, meeting=meeting, translation_of=agenda_en, demo=True)
    template = services.create_document(
        "Draft practice template (demo)", ContentFile(
            b"Fictional draft template describing one practice of an IO.",
            name="practice-template.txt"), audience=Audience.WORKING_GROUP,
        working_group=groups[0], meeting=meeting, demo=True)
    services.add_version(template, ContentFile(
        b"Fictional draft template, second version, with a field for the theme.",
        name="practice-template-v2.txt"), note="Adds the theme field (demo)")
    agenda[0].documents.add(agenda_en, agenda_fr, template)
    services.add_action(meeting, "Circulate the practice template (demo)",
                        due=date(2020, 1, 15))
    return meeting


def _annual_meeting() -> None:
    if Meeting.objects.filter(demo=True, kind=Meeting.Kind.ANNUAL).exists():
        return
    meeting = services.create_meeting(
        title_en="Annual IO meeting (demo)", title_fr="Réunion annuelle des OI (démo)",
        kind=Meeting.Kind.ANNUAL, starts=datetime(2020, 3, 27, 9, 0, tzinfo=LONDON),
        ends=datetime(2020, 3, 27, 18, 0, tzinfo=LONDON), time_zone="Europe/London",
        place="London (demo)", public=True, demo=True)
    services.add_agenda_item(meeting, "Progress of the compendium",
                             "Avancement du recueil")


# --- two rounds of the IO Survey -----------------------------------------------------------------


def _rounds() -> list[Round]:
    questionnaire = Questionnaire.objects.filter(slug=SLUG).first()
    version = questionnaire.published_version() if questionnaire else None
    if version is None:
        return []
    first = Round.objects.filter(version=version, label="2018").first()
    if first is None:
        first = services.create_round(
            version, "2018", opens=datetime(2018, 5, 1, tzinfo=PARIS),
            closes=datetime(2018, 12, 31, 23, 59, tzinfo=PARIS), demo=True)
    approved = Response.objects.filter(version=version, title="", round_link__isnull=True,
                                       status=ResponseStatus.APPROVED,
                                       organisation__synthetic=True)
    for response in approved.select_related("organisation"):
        services.attach_response(first, response)
    second = Round.objects.filter(version=version, label="2020").first()
    if second is None:
        second = services.create_round(
            version, "2020", opens=datetime(2020, 9, 1, tzinfo=PARIS),
            closes=datetime(2020, 12, 15, 23, 59, tzinfo=PARIS), previous=first,
            reminder_days=[14, 7, 2], demo=True)
        _second_round_answers(first, second, version)
    return [first, second]


def _second_round_answers(first: Round, second: Round, version) -> None:
    """Each organisation starts from its 2018 answers; every third one changes a few
    single-choice answers; the rest are confirmed; one stays a draft (not submitted). The
    round also asks DEMO-A (its focal point is the demo's log-in; it has not answered), so
    two organisations have not submitted and the reminder schedule reaches them alone."""
    questions = [ref for ref in iter_questions(version.structure)
                 if ref.type == "select_one" and not ref.repeats]
    choices = version.structure.get("choices", {})
    links = [link for link in first.round_responses.select_related("response__organisation")
             .order_by("response__organisation__acronym")]
    for position, old in enumerate(links):
        organisation = old.response.organisation
        link = services.response_for_round(second, organisation)
        if position % 3 == 0:
            _change_answers(link.response, questions, choices, position)
        for carried in CarriedAnswer.objects.filter(round_response=link):
            current = Answer.objects.filter(response=link.response, path=carried.path).first()
            if current is not None and current.value == carried.value:
                carried.confirmed_at = link.response.created_at
                carried.save(update_fields=["confirmed_at"])
        if position == len(links) - 1:
            # One organisation has not submitted the second round; it has a fictional
            # focal point, so that the round's reminders reach it.
            _demo_focal_point(organisation)
            continue
        responses_services.set_status(link.response, ResponseStatus.SUBMITTED, user=None,
                                      via=AuditEvent.Via.SYSTEM)
        responses_services.set_status(link.response, ResponseStatus.APPROVED, user=None,
                                      via=AuditEvent.Via.SYSTEM)


def _demo_focal_point(organisation) -> None:
    from django.contrib.auth import get_user_model

    from iocompendium.responses.models import Contributor

    email = f"focal-point@{organisation.acronym.lower()}.example.org"
    user, created = get_user_model().objects.get_or_create(username=email,
                                                           defaults={"email": email})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Contributor.objects.get_or_create(user=user, defaults={"organisation": organisation})


def _change_answers(response: Response, questions, choices, seed: int) -> None:
    answers = dict(Answer.objects.filter(response=response).values_list("path", "value"))
    changed = 0
    for offset, ref in enumerate(questions):
        if changed >= 3 or (offset + seed) % 4:
            continue
        value = answers.get(ref.path)
        names = [c["name"] for c in choices.get(ref.node.get("choice_list", ""), [])]
        others = [n for n in names if n != value]
        if not value or not others:
            continue
        responses_services.save_answer(response, ref.path, others[seed % len(others)],
                                       user=None, base_revision=None,
                                       via=AuditEvent.Via.IMPORT)
        changed += 1
