"""Demo step: three fictional (synthetic) organisations invited, one focal-point login.

Idempotent: organisations, the focal point's account and the pending invitations are
created once; a second run changes nothing and prints the same logins."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from iocompendium.questionnaires.models import Questionnaire
from iocompendium.registry.models import Organisation
from iocompendium.responses import services
from iocompendium.responses.models import Contributor, Invitation

DEMO_ORGANISATIONS = [
    ("DEMO-A", "Demo Organisation A for Standards (synthetic)",
     "Organisation de démonstration A pour les normes (synthétique)", "igo"),
    ("DEMO-B", "Demo Network B of Regulators (synthetic)",
     "Réseau de démonstration B des régulateurs (synthétique)", "tgn"),
    ("DEMO-C", "Demo Standards Body C (synthetic)",
     "Organisme de normalisation de démonstration C (synthétique)", "private"),
]
DEMO_FOCAL_POINT = ("focal-demo-a", "focal-point-demo-2026")
SURVEY_SLUG = "io-survey"


def run(context) -> None:
    organisations = [_demo_organisation(*entry) for entry in DEMO_ORGANISATIONS]
    questionnaire = Questionnaire.objects.filter(slug=SURVEY_SLUG).first()
    for organisation in organisations:
        _invite_once(organisation, questionnaire)
    username, password = DEMO_FOCAL_POINT
    user, _created = get_user_model().objects.get_or_create(
        username=username, defaults={"email": "focal-demo-a@example.org"}
    )
    user.set_password(password)
    user.is_staff = False
    user.save()
    Contributor.objects.update_or_create(user=user, defaults={"organisation": organisations[0]})
    context.lines.append(
        f"Focal point login (DEMO-A, a fictional organisation): {username} / {password}"
    )
    context.lines.append(
        "Invitations for DEMO-A, DEMO-B and DEMO-C are in the mail folder "
        f"({context.data_dir / 'mail'})."
    )


def _demo_organisation(acronym: str, name_en: str, name_fr: str, category: str) -> Organisation:
    organisation, _created = Organisation.objects.update_or_create(
        acronym=acronym,
        defaults={"name_en": name_en, "name_fr": name_fr, "category": category,
                  "synthetic": True, "verified": False},
    )
    return organisation


def _invite_once(organisation: Organisation, questionnaire: Questionnaire | None) -> None:
    email = f"focal-point@{organisation.acronym.lower()}.example.org"
    if Invitation.objects.filter(organisation=organisation, email=email).exists():
        return
    services.create_invitation(organisation, email, invited_by=None, questionnaire=questionnaire)
