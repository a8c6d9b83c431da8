from pathlib import Path

import pytest

from iocompendium.notifications.email_url import EmailUrlError, parse_email_url

OUTBOX = Path("/data/mail")


def test_default_is_a_file_outbox_in_the_data_folder():
    config = parse_email_url("", default_outbox=OUTBOX)
    assert config == {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                      "EMAIL_FILE_PATH": "/data/mail"}


def test_smtp_with_tls_and_credentials():
    config = parse_email_url("smtp+tls://user%40org:p%3Ass@mail.example.org:2525",
                             default_outbox=OUTBOX)
    assert config["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"]) == ("mail.example.org", 2525)
    assert (config["EMAIL_HOST_USER"], config["EMAIL_HOST_PASSWORD"]) == ("user@org", "p:ss")
    assert config["EMAIL_USE_TLS"] and not config["EMAIL_USE_SSL"]


def test_plain_smtp_default_port_file_and_console():
    assert parse_email_url("smtp://localhost", default_outbox=OUTBOX)["EMAIL_PORT"] == 25
    assert parse_email_url("file:///tmp/out", default_outbox=OUTBOX)["EMAIL_FILE_PATH"] == \
        "/tmp/out"
    assert parse_email_url("console://", default_outbox=OUTBOX)["EMAIL_BACKEND"].endswith(
        "console.EmailBackend")


@pytest.mark.parametrize("url", ["http://x", "smtp://", "smtp://host:port", "file://"])
def test_bad_urls_are_refused_with_a_sentence(url):
    with pytest.raises(EmailUrlError):
        parse_email_url(url, default_outbox=OUTBOX)
