from django.apps import AppConfig


class InstrumentsConfig(AppConfig):
    name = "iocompendium.instruments"
    label = "instruments"
