"""The embedding queue (issue 15): records written while the task worker embeds are
embedded too, none twice, none lost; run with the real task worker (django-tasks'
database backend and its ``db_worker`` command) on either database engine. Synthetic
records."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from iocompendium import search
from iocompendium.search import embedder as embedders
from iocompendium.search import vectors


@pytest.fixture(scope="session")
def model():
    return embedders.get_embedder()


class Counting:
    """The real model, counting every text it is given; on its first call it runs
    ``during_first`` (a writer changing records while the worker embeds)."""

    def __init__(self, real, during_first=None) -> None:
        self.real = real
        self.model_id = real.model_id
        self.dim = real.dim
        self.texts: Counter[str] = Counter()
        self.during_first = during_first

    def embed(self, texts) -> np.ndarray:
        self.texts.update(texts)
        if self.during_first:
            action, self.during_first = self.during_first, None
            action()
        return self.real.embed(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.real.embed_query(text)


def _run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.01",
                 "--no-reload", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_worker_embeds_records_changed_while_it_runs_none_twice_none_lost(model, monkeypatch):
    def writer() -> None:  # commits while the worker is between reading and storing
        search.index("practice", "p1", {"title": "Peer review of members, every four years"})
        search.index("practice", "p9", {"title": "Register of lobbyists met by the secretariat"})

    counting = Counting(model, during_first=writer)
    monkeypatch.setattr(embedders, "get_embedder", lambda name=None: counting)
    search.index_many("practice", [
        search.Entry(f"p{i}", {"title": f"Synthetic practice {i} on public consultation"})
        for i in range(1, 6)
    ])  # commits: the task is queued, the request does not embed
    assert vectors.counts() == (5, 0)
    assert DBTaskResult.objects.count() == 1

    _run_worker()

    assert vectors.stale_ids() == []  # none lost: p1's new text and p9 are embedded
    assert vectors.counts() == (6, 6)
    whole = {text: n for text, n in counting.texts.items()}
    assert all(n == 1 for n in whole.values()), whole  # none twice
    assert "Synthetic practice 1 on public consultation" in whole  # p1 as it was read
    assert "Peer review of members, every four years" in whole  # and as it became
    assert "Register of lobbyists met by the secretariat" in whole
    results = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert len(results) == 3  # the import's task and one per write during the run
    assert all(r.status == "SUCCESSFUL" for r in results)
    assert [r.return_value for r in results] == [7, 0, 0]  # the later tasks found nothing


@pytest.mark.django_db(transaction=True)
def test_a_second_run_leaves_the_records_to_the_one_holding_the_lease(model):
    search.index_many("instrument", [
        search.Entry(str(i), {"title": f"Synthetic agreement {i} on fisheries"}) for i in range(4)
    ])
    held = vectors._take_lease()  # another worker is embedding
    assert held is not None
    assert vectors.embed_stale(embedder=model) == 0
    assert vectors.counts() == (4, 0)
    vectors._release_lease(held)
    assert vectors.embed_stale(embedder=model) == 4
    assert vectors.counts() == (4, 4)
    assert vectors._take_lease() is not None  # released after the run
