"""URLs: every page under a language prefix (/en/, /fr/); each app owns its own urls."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = i18n_patterns(
    path("admin/", admin.site.urls),
    path("organisations/", include("iocompendium.registry.urls")),
    path("questionnaires/", include("iocompendium.questionnaires.urls")),
    path("responses/", include("iocompendium.responses.urls")),
    path("evidence/", include("iocompendium.evidence.urls")),
    path("instruments/", include("iocompendium.instruments.urls")),
    path("compendium/", include("iocompendium.compendium.urls")),
    path("search/", include("iocompendium.search.urls")),
    path("coding/", include("iocompendium.coding.urls")),
    path("indicators/", include("iocompendium.indicators.urls")),
    path("notifications/", include("iocompendium.notifications.urls")),
    path("", include("iocompendium.workspace.urls")),
    path("", include("iocompendium.web.urls")),
    prefix_default_language=True,
)

handler404 = "iocompendium.web.views.not_found"
handler500 = "iocompendium.web.views.server_error"
