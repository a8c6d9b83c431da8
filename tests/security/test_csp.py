"""Issue 13, item 6: a Content-Security-Policy on every response; enforced in production,
report-only otherwise; no page needs 'unsafe-inline' (no inline script, event-handler
attribute or style attribute)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import run_iocompendium

pytestmark = pytest.mark.django_db
PAGES = ["/en/", "/fr/", "/en/accounts/login/", "/en/accounts/password_reset/",
         "/en/responses/", "/en/evidence/", "/en/meetings/", "/en/documents/",
         "/en/timeline/", "/en/rounds/", "/en/notifications/", "/en/admin/",
         "/en/no-such-page/"]
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=", re.I)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_reports_the_policy_outside_production(client, secretariat_user, path):
    client.force_login(secretariat_user)
    page = client.get(path, follow=True)
    policy = page.headers.get("Content-Security-Policy-Report-Only", "")
    assert "Content-Security-Policy" not in page.headers  # not enforced in development
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    if "html" in page.headers.get("Content-Type", ""):
        assert INLINE.findall(page.content.decode()) == []


def test_production_enforces_the_policy(migrated_data_dir):
    done = run_iocompendium(
        "shell", "--no-imports", "-c",
        "from django.test import Client; r = Client().get('/en/accounts/login/', secure=True, "
        "HTTP_HOST='io.example.org'); print(r.status_code); "
        "print(r.headers.get('Content-Security-Policy', 'MISSING')); "
        "print(r.headers.get('Content-Security-Policy-Report-Only', 'NONE'))",
        "--data-dir", str(migrated_data_dir),
        env={"IOCOMPENDIUM_ENV": "production", "IOCOMPENDIUM_ALLOWED_HOSTS": "io.example.org",
             "EMAIL_URL": "smtp://mail.example.org:25"},
    )
    assert done.returncode == 0, done.stderr
    status, enforced, reported = done.stdout.strip().splitlines()[-3:]
    assert status == "200"
    assert "default-src 'self'" in enforced and "script-src 'self'" in enforced
    assert "unsafe-inline" not in enforced
    assert reported == "NONE"
