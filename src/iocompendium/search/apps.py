from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "iocompendium.search"
    label = "search"
