from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "iocompendium.web"
    label = "web"

    def ready(self) -> None:
        from iocompendium.web import checks  # noqa: F401 - registers the deploy checks
