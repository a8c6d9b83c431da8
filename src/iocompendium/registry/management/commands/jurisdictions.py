"""``iocompendium jurisdictions load|add|list``: the registry of jurisdictions (countries and
economies answering as respondent units; others such as the European Union)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from iocompendium.registry.jurisdiction_services import (
    JurisdictionError,
    add_jurisdiction,
    load_jurisdictions,
)
from iocompendium.registry.models import Jurisdiction


class Command(BaseCommand):
    help = "Load ISO 3166 countries into the jurisdictions registry, add others, or list them."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{load,add,list}")
        actions.add_parser(
            "load", help="Upsert every ISO 3166-1 country (names EN/FR, region, OECD)."
        )
        add = actions.add_parser(
            "add", help="Add or correct a jurisdiction, e.g. add EUU 'European Union'."
        )
        add.add_argument("code", help="A code of 2 to 8 capital letters or digits (EUU).")
        add.add_argument("name_en", help="The English name.")
        add.add_argument("--name-fr", default="", help="The French name.")
        add.add_argument("--region", default="", help="A region (free text).")
        add.add_argument("--oecd", action="store_true", help="Mark it an OECD member.")
        listing = actions.add_parser("list", help="Print code, names, region, OECD membership.")
        listing.add_argument("--oecd", action="store_true", help="Only OECD members.")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "load":
            counts = load_jurisdictions()
            self.stdout.write(
                f"Jurisdictions: {counts.created} created, {counts.updated} updated, "
                f"{counts.unchanged} unchanged."
            )
        elif action == "add":
            try:
                jurisdiction = add_jurisdiction(
                    options["code"],
                    options["name_en"],
                    options["name_fr"],
                    region=options["region"],
                    oecd_member=options["oecd"],
                )
            except JurisdictionError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"{jurisdiction.code}: {jurisdiction.name_en}.")
        else:
            rows = Jurisdiction.objects.all()
            if options["oecd"]:
                rows = rows.filter(oecd_member=True)
            for j in rows:
                oecd = "OECD" if j.oecd_member else ""
                self.stdout.write(f"{j.code}\t{j.alpha_2}\t{j.name_en}\t{j.name_fr}\t{j.region}\t{oecd}")
