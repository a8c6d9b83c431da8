"""Evaluations kept between a response's autosaves, for incremental re-evaluation.

Each save used to evaluate the whole form again (most of an autosave's own CPU). The
worker keeps the last evaluation of each recently saved response; the next save uses it
only if its answers equal the answers just read from the database (so a colleague's
change through another worker, an import or a repeat operation simply makes it miss),
and the engine then re-evaluates only what the changed answer can affect
(``engine.Evaluation.change``), or everything when it cannot tell. The database stays
the only record: this is a cache of a pure function of the answers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping

from iocompendium.questionnaires import engine
from iocompendium.questionnaires.structure import Structure

# Responses per worker process (about 120 kB each for the IO Survey). Above the number
# of responses being edited at once: a store smaller than that, visited in turn, would
# always have just dropped the one needed next.
MAX_KEPT = 128

_KEPT: OrderedDict[tuple[int, str], engine.Evaluation] = OrderedDict()
_LOCK = threading.Lock()


def take(response_id: int, lang: str, structure: Structure,
         answers: Mapping[str, str]) -> engine.Evaluation | None:
    """The kept evaluation of exactly these answers, removed from the store while in use
    (a concurrent save of the same response in this worker then evaluates afresh)."""
    with _LOCK:
        evaluation = _KEPT.pop((response_id, lang), None)
    if evaluation is None or evaluation.structure is not structure:
        return None
    if evaluation.answers != answers:
        return None
    return evaluation


def keep(response_id: int, lang: str, evaluation: engine.Evaluation) -> None:
    """Keep ``evaluation`` (whose answers are now the stored ones) for the next save."""
    if not evaluation.reusable:
        return
    with _LOCK:
        _KEPT[(response_id, lang)] = evaluation
        _KEPT.move_to_end((response_id, lang))
        while len(_KEPT) > MAX_KEPT:
            _KEPT.popitem(last=False)


def clear() -> None:
    with _LOCK:
        _KEPT.clear()
