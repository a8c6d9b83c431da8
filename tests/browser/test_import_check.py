"""The import check page in a real browser, with the real REACH Lebanon 2022 form and its
632 real submissions (unit "submission", policy "keep and flag"): a recode typed on the
page after the check, checked again, imported, then the whole import approved."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from iocompendium.questionnaires.services import import_questionnaire
from iocompendium.responses.models import Answer, Response

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

FOLDER = "xlsforms/reach-lbn-msna-2022"
SLOW = 600_000  # ms: a check of 632 rows on a busy shared machine


def log_in(page) -> None:
    page.goto("/en/accounts/login/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", "analyst-pass-2026")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def test_reach_check_page_with_a_recode_edited_on_the_web(page, secretariat_user, shared_data):
    import_questionnaire(shared_data / FOLDER / "form.xlsx", "reach-lbn", publish=True,
                         unit="submission")
    page.set_default_timeout(SLOW)
    log_in(page)
    page.goto("/en/responses/import/?questionnaire=reach-lbn")
    page.get_by_label("Spreadsheet").set_input_files(str(shared_data / FOLDER / "submissions.xlsx"))
    page.get_by_label("Policy for data problems").first.select_option("flag")
    page.get_by_role("button", name="Check the file").click()
    summary = page.locator("table.problem-summary")
    expect(summary).to_be_visible(timeout=SLOW)
    expect(page.locator(".import-layout")).to_contain_text("kobotoolbox")
    row = summary.locator("tr", has_text="pay_water_charges_when").filter(has_text="not_in_list")
    expect(row).to_contain_text("about_half")
    # The recode, typed on the page, then the same kept file checked again.
    page.locator("#recheck-recodes").fill(
        "question,from,to\npay_water_charges_when,about_half,about_half_pay\n"
    )
    page.locator("#recheck-status").select_option("approved")
    page.get_by_role("button", name="Check again with these options").click()
    expect(page.locator(".import-counts")).to_be_visible(timeout=SLOW)
    expect(
        page.locator("table.problem-summary tr", has_text="pay_water_charges_when")
        .filter(has_text="not_in_list")
    ).to_have_count(0)
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url("**/en/responses/?questionnaire=reach-lbn", timeout=SLOW)
    assert Response.objects.count() == 632
    recoded = Answer.objects.filter(path__endswith="pay_water_charges_when")
    assert recoded.filter(value="about_half").count() == 0
    assert recoded.filter(value="about_half_pay", flag=None).count() >= 35
    assert set(Response.objects.values_list("status", flat=True)) == {"approved"}
