from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "iocompendium.workspace"
    verbose_name = _("Workspace")

    def ready(self) -> None:
        from iocompendium.responses.selectors import register_grouping
        from iocompendium.workspace.selectors import ROUND_GROUPING

        register_grouping(ROUND_GROUPING)
