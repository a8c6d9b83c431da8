"""Related records on the published static site, computed at publish time with search's
"more like this" (SYNTHETIC data; the real default embedder)."""

from __future__ import annotations

import re

import pytest

from iocompendium.compendium.publishing import publish
from tests.compendium.test_publish import _published_practices

pytestmark = pytest.mark.django_db


def test_every_practice_page_links_its_nearest_practices(tmp_path, survey, template_response,
                                                          principles):
    made, draft = _published_practices(survey, template_response)
    result = publish(tmp_path / "site", with_pdf=False)
    for lang in ("en", "fr"):
        for practice in made:
            page = (result.output / lang / "practices" / f"{practice.identifier}.html")
            html = page.read_text()
            assert "Related records" in html or "Fiches liées" in html
            section = html.split('class="related"', 1)[1].split("</ul>", 1)[0]
            linked = set(re.findall(r'href="([^"]+)\.html"', section))
            others = {p.identifier for p in made} - {practice.identifier}
            assert linked == others  # the other published practices, never itself
            assert draft.identifier not in section  # drafts are not public
