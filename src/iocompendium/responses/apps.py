from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "iocompendium.responses"
    label = "responses"
