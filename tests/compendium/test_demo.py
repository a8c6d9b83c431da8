"""The demo step: synthetic practices published and the compendium built; idempotent."""

from __future__ import annotations

import pytest

from iocompendium.compendium import demo
from iocompendium.compendium.models import Practice, PracticeStatus
from iocompendium.web.management.commands.demo import DemoContext

pytestmark = pytest.mark.django_db


def test_demo_publishes_synthetic_practices_twice_the_same(tmp_path, survey):
    # Without --with-pdf the demo leaves the PDFs out (they are tested in test_publish).
    context = DemoContext(data_dir=tmp_path, options={}, write=lambda line: None)
    demo.run(context)
    first = sorted(Practice.objects.values_list("identifier", "status", "synthetic", "version"))
    # Three SYN organisations have an implementation example (fixture): one practice each.
    examples = sum(1 for r in survey.values()
                   if r.answers.filter(path__endswith="_examples").exists())
    assert len(first) == examples == 3
    assert all(status == PracticeStatus.PUBLISHED and synthetic
               for _i, status, synthetic, _v in first)
    index = tmp_path / "compendium" / "index.html"
    assert index.is_file()
    assert str(index) in context.lines[-1] and "PDFs: iocompendium publish" in context.lines[-1]
    assert not (tmp_path / "compendium" / "downloads").exists()
    demo.run(DemoContext(data_dir=tmp_path, options={}, write=lambda line: None))
    again = sorted(Practice.objects.values_list("identifier", "status", "synthetic", "version"))
    assert again == first
    page = (tmp_path / "compendium" / "en" / "practices" / f"{first[0][0]}.html").read_text()
    assert "Synthetic practice" in page
