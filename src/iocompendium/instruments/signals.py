"""Keeps survey instruments in step with their response: on every save of an approved
response (the collection helper's ``set_status`` saves the response), the instruments
of its ``variety/instruments`` repeat are synchronised."""

from __future__ import annotations

from typing import Any

# The last structure looked at and whether it has an ``instruments`` repeat: an import
# sends this signal for each of its responses, all sharing one structure.
_LAST: list[tuple[Any, bool]] = []


def _has_instruments_repeat(structure: Any) -> bool:
    from iocompendium.questionnaires.structure import iter_nodes

    if _LAST and _LAST[0][0] is structure:
        return _LAST[0][1]
    found = any(ref.type == "repeat" and ref.name == "instruments"
                for ref in iter_nodes(structure))
    _LAST[:] = [(structure, found)]
    return found


def response_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    from iocompendium.responses.models import ResponseStatus

    if raw or instance.status != ResponseStatus.APPROVED:
        return
    # A form without the repeat never made an instrument (only this sync makes survey
    # instruments, from the repeat's answers): nothing to add or remove, no query.
    if not _has_instruments_repeat(instance.version.structure):
        return
    from iocompendium.instruments.services import sync_from_response

    sync_from_response(instance)
