from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "iocompendium.web"
    label = "web"
