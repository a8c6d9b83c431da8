"""Keeps survey instruments in step with their response: on every save of an approved
response (the collection helper's ``set_status`` saves the response), the instruments
of its ``variety/instruments`` repeat are synchronised."""

from __future__ import annotations

from typing import Any


def response_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    from iocompendium.responses.models import ResponseStatus

    if raw or instance.status != ResponseStatus.APPROVED:
        return
    from iocompendium.instruments.services import sync_from_response

    sync_from_response(instance)
