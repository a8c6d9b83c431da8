"""Coding pages: coders code on the web (whole answer, exact span, typed passage), see only
their own coding; focal points never see the pages; the secretariat reconciles."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from iocompendium.coding import services
from iocompendium.coding.models import Segment, Suggestion
from tests.responses.conftest import make_contributor, make_organisation

from .conftest import QUESTION


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _page(client, codebook, **params):
    query = "&".join(f"{k}={v}" for k, v in {"question": QUESTION, **params}.items())
    return client.get(reverse("coding:code", kwargs={"slug": codebook.slug}) + "?" + query)


def test_a_coder_codes_a_span_and_sees_only_their_own_coding(client, codebook, survey, coders):
    _version, answers = survey
    answer = answers["SYN-B"]
    code = codebook.codes.get(name="business")
    start = answer.value.index("entreprises")
    client.force_login(coders[0].user)
    page = _page(client, codebook)
    assert page.status_code == 200
    assert escape(answer.value) in page.content.decode()
    assert "<script>" not in page.content.decode() and "style=" not in page.content.decode()
    url = reverse("coding:apply", kwargs={"slug": codebook.slug})
    # The mouse path: exact offsets and the passage they cover.
    client.post(url, {"question": QUESTION, "code": code.pk, "answer": answer.pk,
                      f"passage_{answer.pk}": "entreprises", f"start_{answer.pk}": start,
                      f"end_{answer.pk}": start + len("entreprises")})
    # The keyboard path: a typed passage, found in the text.
    client.post(url, {"question": QUESTION, "code": code.pk, "answer": answers["SYN-A"].pk,
                      f"passage_{answers['SYN-A'].pk}": "businesses"})
    # The whole answer.
    client.post(url, {"question": QUESTION, "code": codebook.codes.get(name="ngos").pk,
                      "answer": answers["SYN-E"].pk})
    spans = sorted((s.answer_id, s.start, s.end) for s in Segment.objects.all())
    assert spans == sorted([
        (answer.pk, start, start + len("entreprises")),
        (answers["SYN-A"].pk, answers["SYN-A"].value.index("businesses"),
         answers["SYN-A"].value.index("businesses") + len("businesses")),
        (answers["SYN-E"].pk, 0, len(answers["SYN-E"].value)),
    ])
    client.force_login(coders[1].user)
    assert "entreprises</strong>" not in _page(client, codebook).content.decode()
    assert f"[{start}–" not in _page(client, codebook).content.decode()


def test_a_passage_not_in_the_answer_is_refused_with_a_message(client, codebook, survey,
                                                               coders):
    _version, answers = survey
    client.force_login(coders[0].user)
    response = client.post(
        reverse("coding:apply", kwargs={"slug": codebook.slug}),
        {"question": QUESTION, "code": codebook.codes.first().pk, "answer": answers["SYN-A"].pk,
         f"passage_{answers['SYN-A'].pk}": "not there"}, follow=True)
    assert "This passage is not in the answer." in response.content.decode()
    assert not Segment.objects.exists()


def test_a_focal_point_never_sees_the_coding_pages(client, codebook, survey, django_user_model):
    focal_point = make_contributor(django_user_model, "focal", make_organisation("SYN-Z"))
    client.force_login(focal_point)
    for name in ("coding:codebook", "coding:code", "coding:agreement", "coding:flagged"):
        assert client.get(reverse(name, kwargs={"slug": codebook.slug})).status_code == 403
    assert client.get(reverse("coding:download", kwargs={"slug": codebook.slug,
                                                          "fmt": "qdpx"})).status_code == 403


def test_a_coder_cannot_remove_another_coders_segment(client, codebook, survey, coders):
    _version, answers = survey
    segment = services.apply_code(answers["SYN-A"], codebook.codes.first(), coder=coders[0],
                                  user=None)
    client.force_login(coders[1].user)
    response = client.post(reverse("coding:segment_remove", kwargs={"slug": codebook.slug}),
                           {"segment": segment.pk, "question": QUESTION})
    assert response.status_code == 403
    assert Segment.objects.filter(pk=segment.pk).exists()


def test_secretariat_reconciles_on_the_agreement_page(client, codebook, survey, coders,
                                                      secretariat_user):
    _version, answers = survey
    services.assign(codebook, answers.values(), coders)
    business = codebook.codes.get(name="business")
    services.apply_code(answers["SYN-A"], business, coder=coders[0], user=None)
    client.force_login(secretariat_user)
    page = client.get(reverse("coding:agreement", kwargs={"slug": codebook.slug}))
    assert page.status_code == 200 and escape(answers["SYN-A"].value) in page.content.decode()
    client.post(reverse("coding:reconcile", kwargs={"slug": codebook.slug}),
                {"answer": answers["SYN-A"].pk, "codes": [business.pk]})
    assert Segment.objects.filter(final=True, answer=answers["SYN-A"], code=business).exists()
    for fmt in ("qdpx", "qdc", "xlsx", "csv"):
        download = client.get(reverse("coding:download", kwargs={"slug": codebook.slug,
                                                                  "fmt": fmt}))
        assert download.status_code == 200 and download.content


def test_suggestions_are_proposed_then_accepted_or_rejected(client, codebook, survey, coders):
    _version, answers = survey
    code = codebook.codes.get(name="no_definition")
    for acronym in ("SYN-B", "SYN-D", "SYN-F"):
        services.apply_code(answers[acronym], code, coder=coders[0], user=None)
    client.force_login(coders[1].user)
    client.post(reverse("coding:suggest", kwargs={"slug": codebook.slug}),
                {"question": QUESTION})
    pending = Suggestion.objects.filter(code=code)
    assert pending.exists()
    assert not Segment.objects.filter(coder=coders[1]).exists()  # never applied silently
    first, *rest = list(pending)
    decide = reverse("coding:decide", kwargs={"slug": codebook.slug})
    client.post(decide, {"suggestion": first.pk, "accept": "1", "question": QUESTION})
    assert Segment.objects.filter(coder=coders[1], answer=first.answer, code=code).exists()
    if rest:
        client.post(decide + "?reject=1", {"suggestion": rest[0].pk, "accept": "1",
                                           "question": QUESTION})
        rest[0].refresh_from_db()
        assert rest[0].status == Suggestion.Status.REJECTED
    page = client.get(reverse("coding:codebook", kwargs={"slug": codebook.slug}))
    assert f"1 / {1 + bool(rest)}" in page.content.decode()


def test_secretariat_assigns_a_questions_answers_to_coders_on_the_web(client, codebook, survey,
                                                                     coders, secretariat_user):
    from iocompendium.coding.models import Assignment

    client.force_login(secretariat_user)
    page = client.get(reverse("coding:codebook", kwargs={"slug": codebook.slug})).content
    assert b"coder-one" in page and b"No answer is assigned" in page
    url = reverse("coding:assign", kwargs={"slug": codebook.slug})
    reply = client.post(url, {"question": QUESTION, "coders": [c.pk for c in coders]},
                        follow=True)
    assert "12 assignments made" in reply.content.decode()
    assert Assignment.objects.filter(codebook=codebook).count() == 12  # 6 answers x 2
    assert "coder-two: 6 answers assigned" in reply.content.decode()
    client.post(url, {"question": QUESTION, "coders": [c.pk for c in coders]})  # idempotent
    assert Assignment.objects.filter(codebook=codebook).count() == 12
    refused = client.post(url, {"question": "no/such", "coders": [coders[0].pk]}, follow=True)
    assert Assignment.objects.filter(codebook=codebook).count() == 12
    assert "Select a valid choice" in refused.content.decode()
    client.force_login(coders[0].user)  # a coder may not assign
    assert client.post(url, {"question": QUESTION, "coders": [coders[0].pk]}).status_code == 403


def test_codebook_imported_from_qdc_and_from_a_spreadsheet(client, codebook, survey,
                                                          secretariat_user, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from iocompendium.coding import refi, tabular

    _version, _answers = survey
    empty = services.create_codebook("imported", "Imported codes", codebook.questionnaire)
    parent = codebook.codes.get(name="business")
    services.save_code(codebook, "business_small", label_en="Small business", parent=parent)
    client.force_login(secretariat_user)
    url = reverse("coding:import", kwargs={"slug": empty.slug})
    qdc = SimpleUploadedFile("codes.qdc", refi.export_codebook(codebook))
    reply = client.post(url, {"file": qdc}, follow=True).content.decode()
    assert "4 created" in reply
    imported = {c.name: c for c in empty.codes.all()}
    assert set(imported) == {"no_definition", "business", "ngos", "business_small"}
    assert imported["business_small"].parent == imported["business"]
    assert imported["no_definition"].colour == "#D62728"
    assert imported["no_definition"].definition_en.startswith("The organisation says")
    # A spreadsheet: a child row before its parent, one update, one new code.
    sheet = tmp_path / "codes.csv"
    sheet.write_text("name,parent,label_en,label_fr,colour,questions\n"
                     "ngo_local,ngos_all,Local NGOs,ONG locales,#00aa00,\n"
                     "ngos_all,,All NGOs,Toutes les ONG,,\n"
                     f"ngos,,NGOs (renamed),ONG (renommé),,{QUESTION}\n", encoding="utf-8")
    assert tabular.import_codebook(empty, sheet) == (2, 1)
    assert empty.codes.get(name="ngo_local").parent.name == "ngos_all"
    assert empty.codes.get(name="ngos").label_fr == "ONG (renommé)"
    bad = tmp_path / "bad.csv"
    bad.write_text("name,colour\nfine,\nwrong,red\n", encoding="utf-8")
    reply = client.post(url, {"file": SimpleUploadedFile("bad.csv", bad.read_bytes())},
                        follow=True).content.decode()
    assert "Line 3" in reply and not empty.codes.filter(name="fine").exists()
    # The exported spreadsheet reads back unchanged.
    out = tmp_path / "out.xlsx"
    tabular.write_codebook(codebook, out)
    assert tabular.import_codebook(codebook, out) == (0, 4)
    assert codebook.codes.get(name="business_small").parent == parent
