"""``iocompendium invite ACRONYM EMAIL [--questionnaire SLUG]``: invite a focal point.

The invitation is e-mailed through Django's e-mail backend; the one-time URL is printed as
the last line (built on settings.IOCOMPENDIUM_BASE_URL)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from iocompendium.questionnaires.models import Questionnaire
from iocompendium.registry.models import Organisation
from iocompendium.responses import services


class Command(BaseCommand):
    help = "Invite a focal point of an organisation; prints the invitation URL last."

    def add_arguments(self, parser):
        parser.add_argument("acronym", help="The organisation's acronym, as in the registry.")
        parser.add_argument("email", help="The e-mail address of the person invited.")
        parser.add_argument("--questionnaire", help="Slug of the questionnaire to answer.")
        parser.add_argument("--lang", default="en", choices=["en", "fr"],
                            help="Language of the e-mail and of the link (default en).")
        parser.add_argument("--data-dir", help="Data folder (default ./iocompendium-data).")

    def handle(self, *args, **options):
        organisation = Organisation.objects.filter(acronym__iexact=options["acronym"]).first()
        if organisation is None:
            raise CommandError(f"no organisation with the acronym {options['acronym']!r}: "
                               "see the organisations page for the acronyms.")
        try:
            validate_email(options["email"])
        except ValidationError as error:
            raise CommandError(f"{options['email']!r} is not a valid e-mail address.") from error
        questionnaire = None
        if options["questionnaire"]:
            questionnaire = Questionnaire.objects.filter(slug=options["questionnaire"]).first()
            if questionnaire is None:
                raise CommandError(f"no questionnaire with the slug {options['questionnaire']!r}.")
        try:
            invitation, url = services.create_invitation(
                organisation, options["email"], invited_by=None, questionnaire=questionnaire,
                lang=options["lang"],
            )
        except services.InvitationError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Invitation for {invitation.email} to answer for {organisation.acronym} "
            f"(expires {invitation.expires_at:%Y-%m-%d %H:%M} UTC); e-mail sent."
        )
        self.stdout.write(url)
