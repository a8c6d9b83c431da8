from django.http import HttpRequest
from django.urls import translate_url

from iocompendium.web.roles import is_secretariat


def site(request: HttpRequest) -> dict:
    """Language-switch links that keep the page, and the user's role."""
    path = request.get_full_path()
    return {
        "language_links": [
            {"code": "en", "name": "English", "url": translate_url(path, "en")},
            {"code": "fr", "name": "Français", "url": translate_url(path, "fr")},
        ],
        "is_secretariat": is_secretariat(request.user) if hasattr(request, "user") else False,
    }
