from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "iocompendium.evidence"
    label = "evidence"
