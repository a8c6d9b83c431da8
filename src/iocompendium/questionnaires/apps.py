from django.apps import AppConfig


class QuestionnairesConfig(AppConfig):
    name = "iocompendium.questionnaires"
    label = "questionnaires"
