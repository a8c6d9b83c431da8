"""Plain words checked against the tables, the command's contract, and the secretariat's
curation kept across a recluster (issue 18). Instruments are SYNTHETIC."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse

from iocompendium.instruments import selectors, services
from iocompendium.instruments.models import CurationEvent, Instrument, Pin, Source

pytestmark = pytest.mark.django_db

KINDS = [  # (type, legal effect, adopting body, count) of SYNTHETIC instruments
    ("Standard", "non_binding", "technical_committee", 24),
    ("Convention", "binding", "states", 14),
    ("Guidelines", "non_binding", "secretariat", 12),
    ("Decision", "binding", "plenary", 10),
]


def make_instruments(prefix: str = "syn", kinds=KINDS) -> None:
    source, _ = Source.objects.get_or_create(name="Synthetic", defaults={
        "attribution": "Synthetic test data."})
    services.ensure_default_types()
    rows = []
    for kind, legal, body, count in kinds:
        for i in range(count):
            rows.append(Instrument(
                title=f"{kind} {prefix} {i}", native_type=kind, legal_effect=legal,
                adopting_body=body, organisation_name=f"Body {i % 5}", source=source,
                external_key=f"{prefix}-{kind}-{i}"))
    Instrument.objects.bulk_create(rows)


def test_descriptions_count_what_the_tables_hold():
    make_instruments()
    run = services.compute_families(seed=2, bootstrap=10)
    for family in run.families.all():
        members = Instrument.objects.filter(family=family)
        organisations = {i.organisation_label for i in members}
        assert family.size == members.count()
        expected_en = f"{family.size} instruments from {len(organisations)} organisations."
        expected_fr = f"{family.size} instruments de {len(organisations)} organisations."
        assert family.description_en.endswith(expected_en)
        assert family.description_fr.endswith(expected_fr)
        types = Counter(i.native_type for i in members)
        assert family.name_en.startswith(types.most_common(1)[0][0])
        assert "not recorded" not in family.name_en
        assert set(family.typical) <= set(members.values_list("id", flat=True))


def test_families_json_contract(capsys):
    make_instruments()
    call_command("instruments", "families", "--json", "--seed", "3", "--bootstrap", "8")
    data = json.loads(capsys.readouterr().out)
    assert set(data["stability"]) >= {"mean_ari", "mean", "resamples"}
    assert 0 <= data["stability"]["mean_ari"] <= 1
    assert data["expert_agreement"]["ari"] == data["comparison"]["adjusted_rand"]
    for family in data["families"]:
        assert {"name_en", "name_fr", "size", "description_en", "description_fr", "typical",
                "curated", "number", "profile", "mean_confidence"} <= set(family)
        assert family["curated"] is False
    assert sum(f["size"] for f in data["families"]) == 60


def test_same_data_and_settings_give_the_same_families():
    make_instruments()
    services.compute_families(seed=5, bootstrap=6)
    first = dict(Instrument.objects.values_list("external_key", "family__number"))
    services.compute_families(seed=5, bootstrap=6)
    assert dict(Instrument.objects.values_list("external_key", "family__number")) == first


def test_curation_survives_a_recluster_after_an_import(secretariat_user):
    make_instruments()
    run = services.compute_families(seed=1, bootstrap=5)
    standard = Instrument.objects.get(external_key="syn-Standard-0").family.number
    others = [f.number for f in run.families.all() if f.number != standard]
    assert run.families.count() >= 3
    services.rename_family(standard, "Technical standards", "Normes techniques",
                           user=secretariat_user)
    services.merge_families(others[:2], user=secretariat_user)
    merged_size = sum(f.size for f in run.families.filter(number__in=others[:2]))
    odd = Instrument.objects.get(external_key="syn-Guidelines-0")
    services.pin_instrument(odd.pk, standard, "Written with the standards body",
                            user=secretariat_user)
    summary = selectors.families_summary("en")
    names = {f["name_en"] for f in summary["families"]}
    assert "Technical standards" in names
    assert len(summary["families"]) == run.families.count() - 1

    make_instruments("new", [("Standard", "non_binding", "technical_committee", 6),
                             ("Treaty", "binding", "states", 5)])
    services.compute_families(seed=1, bootstrap=5)
    after = selectors.families_summary("fr")
    standards = next(f for f in after["families"] if f["name_fr"] == "Normes techniques")
    assert standards["curated"] is True
    odd.refresh_from_db()
    assert odd.family.number in standards["numbers"]
    assert Pin.objects.get(instrument=odd).reason == "Written with the standards body"
    merged = [f for f in after["families"] if f["curated"] and f is not standards]
    assert any(f["size"] >= merged_size - 1 for f in merged)  # the merged two stay one
    assert after["changes"]["pins_held"] == after["changes"]["pins"] == 1
    assert {e.action for e in CurationEvent.objects.all()} == {"rename", "merge", "pin"}
    assert all(e.actor_label == "analyst" for e in CurationEvent.objects.all())


def test_family_pages_and_curation_by_web(client, secretariat_user):
    make_instruments()
    services.compute_families(seed=1, bootstrap=5)
    page = client.get("/fr/instruments/families/").content.decode()
    assert "Beaucoup" in page or "Surtout" in page or "Uniquement" in page
    assert "Family 1" not in page and "non renseigné" not in page
    assert len(re.findall(r'<svg class="picture[^"]*" role="img"', page)) == 3
    assert re.search(r'<circle class="dot" cx="\d+(\.\d+)?"', page)  # never "12,5" in FR
    assert not re.search(r"\sstyle=", page) and "<script>" not in page
    methods = client.get(reverse("instruments:family_methods")).content.decode()
    assert "bootstrap" in methods
    assert client.post(reverse("instruments:family_rename", args=[1]),
                       {"name_en": "X", "name_fr": "Y"}).status_code == 404
    client.force_login(secretariat_user)
    reply = client.post(reverse("instruments:family_rename", args=[1]),
                        {"name_en": "Standards", "name_fr": "Normes"})
    assert reply.status_code == 302
    assert "Normes" in client.get("/fr/instruments/families/").content.decode()
    filtered = client.get("/en/instruments/families/", {"source": "Nothing"})
    assert "No family has instruments matching the filter." in filtered.content.decode()


def test_family_search_entries_carry_the_names_readers_see():
    from iocompendium.instruments import searchable

    make_instruments()
    run = services.compute_families(seed=2, bootstrap=5)
    first = run.families.order_by("number").first()
    entries = {e.key: e for e in searchable.family_entries()}
    assert len(entries) == run.families.count()
    entry = entries[str(first.number)]
    assert entry.fields["title"] == f"{first.number} · {first.name_en}"
    assert entry.fields["title_fr"] == f"{first.number} · {first.name_fr}"
    services.rename_family(first.number, "Technical standards", "Normes techniques")
    entry = {e.key: e for e in searchable.family_entries()}[str(first.number)]
    assert entry.fields["title"] == f"{first.number} · Technical standards"
    assert entry.fields["title_fr"] == f"{first.number} · Normes techniques"


def _stamp_of(page: str) -> str:
    return re.search(r'name="stamp" value="([^"]+)"', page).group(1)


def test_two_secretariat_members_editing_one_family_do_not_overwrite_each_other(
        client, secretariat_user, django_user_model):
    """Both open family 1's page; the first renames it; the second's rename, sent from the
    page opened before, is refused with a sentence saying who changed what, and the first
    one's name stays. Reloaded, the second member can rename it."""
    from django.test import Client

    make_instruments()
    services.compute_families(seed=1, bootstrap=5)
    other = Client()
    other.force_login(django_user_model.objects.create_user("colleague", is_staff=True))
    client.force_login(secretariat_user)
    url = reverse("instruments:family", args=[1])
    mine, theirs = _stamp_of(client.get(url).content.decode()), _stamp_of(
        other.get(url).content.decode())
    assert mine == theirs
    rename = reverse("instruments:family_rename", args=[1])
    client.post(rename, {"name_en": "Standards", "name_fr": "Normes", "stamp": mine})
    reply = other.post(rename, {"name_en": "Norms", "name_fr": "Règles", "stamp": theirs},
                       follow=True)
    text = reply.content.decode()
    assert "your change was not saved" in text and secretariat_user.username in text
    assert "renamed a family" in text
    assert selectors.families_summary("en")["families"][0]["name_en"] == "Standards"
    assert CurationEvent.objects.filter(action="rename").count() == 1
    # A merge from the old page is refused too; from the reloaded page it goes through.
    merge = reverse("instruments:family_merge", args=[1])
    other.post(merge, {"other": 2, "stamp": theirs})
    assert not CurationEvent.objects.filter(action="merge").exists()
    fresh = _stamp_of(other.get(url).content.decode())
    other.post(rename, {"name_en": "Norms", "name_fr": "Règles", "stamp": fresh})
    assert selectors.families_summary("en")["families"][0]["name_en"] == "Norms"
    # After a recluster, a page opened before it cannot change the families either.
    old = _stamp_of(client.get(url).content.decode())
    services.compute_families(seed=1, bootstrap=5)
    text = client.post(rename, {"name_en": "Late", "name_fr": "Tard", "stamp": old},
                       follow=True).content.decode()
    assert "computed again since you opened this page" in text


def test_the_curation_history_page_lists_every_change(client, secretariat_user):
    make_instruments()
    services.compute_families(seed=1, bootstrap=5)
    services.rename_family(1, "Standards", "Normes", user=secretariat_user)
    pinned = Instrument.objects.filter(family__number=2).first()
    services.pin_instrument(pinned.pk, 1, "Reads like a standard", user=secretariat_user)
    client.force_login(secretariat_user)
    page = client.get("/fr/instruments/families/curation/").content.decode()
    assert "Historique" in page and "a renommé une famille" in page
    assert "Reads like a standard" in page and secretariat_user.username in page
    assert page.index("épinglé") < page.index("a renommé")  # newest first


def test_the_io_survey_report_shows_the_families_and_their_pictures():
    """The evidence report of the IO Survey has the families (curated names, plain-words
    descriptions) and the three pictures with their tables, in French too."""
    from django.utils import translation

    from iocompendium.evidence import reporting
    from iocompendium.evidence.services import content_for
    from iocompendium.responses.demo.data import load_synthetic_responses
    from iocompendium.responses.demo.synthetic import generate
    from tests.evidence.test_done_when import _seed_shaped_structure
    from tests.responses.conftest import make_version

    version = make_version(_seed_shaped_structure(), slug="io-survey")
    load_synthetic_responses(version, generate(version.structure))
    make_instruments()
    services.compute_families(seed=1, bootstrap=5)
    services.rename_family(1, "Technical standards", "Normes techniques")
    content = content_for("io-survey", lang="fr")
    with translation.override("fr"):
        html = reporting.build_html(content).decode()
    section = html[html.index('<section id="families"'):]
    assert "Familles d'instruments" in section and "Normes techniques" in section
    for family in selectors.families_summary("fr")["families"]:
        assert family["description_fr"].replace("'", "&#x27;") in section
    assert len(re.findall(r'<svg class="picture[^"]*" role="img"', section)) == 3
    assert section.count("<table") >= 3
    without = content_for("io-survey", lang="en", with_charts=False)
    assert without.families is None  # the charts-free content (JSON) does not carry them


def test_the_secretariat_edits_the_weights_on_the_methods_page(client, secretariat_user):
    make_instruments()
    services.compute_families(seed=3, bootstrap=5)
    services.rename_family(1, "Standards", "Normes", user=secretariat_user)
    client.force_login(secretariat_user)
    methods = reverse("instruments:family_methods")
    page = client.get(methods).content.decode()
    stamp = _stamp_of(page)
    assert 'name="weight_type"' in page
    url = reverse("instruments:family_weights")
    weights = {f"weight_{name}": "1" for name in selectors.FAMILY_ATTRIBUTES}
    refused = client.post(url, {**weights, "weight_type": "-2", "stamp": stamp}, follow=True)
    assert "must be a number from 0 to 10" in refused.content.decode()
    assert not CurationEvent.objects.filter(action="weights").exists()
    runs_before = selectors.recent_runs()
    reply = client.post(url, {**weights, "weight_type": "4,5", "stamp": stamp}, follow=True)
    assert "computed again with the new weights" in reply.content.decode()
    assert selectors.families_summary("en")["settings"]["weights"]["type"] == 4.5
    assert len(selectors.recent_runs()) == len(runs_before) + 1
    assert services.current_settings().weights["type"] == 4.5  # kept for the next runs
    event = CurationEvent.objects.get(action="weights")
    assert event.detail["new"]["type"] == 4.5 and event.actor_label == "analyst"
    assert "Standards" in [f["name_en"] for f in selectors.families_summary("en")["families"]]
    # From the page opened before, a second change is refused.
    client.post(url, {**weights, "stamp": stamp})
    assert CurationEvent.objects.filter(action="weights").count() == 1
