from django.apps import AppConfig


class CompendiumConfig(AppConfig):
    name = "iocompendium.compendium"
    label = "compendium"
