from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "iocompendium.search"
    label = "search"

    def ready(self) -> None:
        # Each app declares the kinds it indexes in its own searchable.py.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("searchable")
