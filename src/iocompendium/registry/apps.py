from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "iocompendium.registry"
    label = "registry"
