"""``EMAIL_URL`` -> Django's mail settings (pure Python: settings import it before Django).

Forms accepted (like ``DATABASE_URL``):
- ``smtp://host:port`` and ``smtp://user:password@host:port``: plain SMTP;
- ``smtp+tls://user:password@host:port``: SMTP with STARTTLS; ``smtp+ssl://...``: SMTP over TLS;
- ``file:///path/to/folder``: each message written to a file in that folder (an outbox);
- ``console://``: messages printed to the standard output.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"


class EmailUrlError(ValueError):
    """An EMAIL_URL that cannot be understood."""


def parse_email_url(url: str, *, default_outbox: Path) -> dict:
    """Django mail settings (``EMAIL_BACKEND``, ``EMAIL_HOST``...) for one ``EMAIL_URL``.

    An empty URL means the file outbox ``default_outbox``."""
    url = (url or "").strip()
    if not url:
        return {"EMAIL_BACKEND": FILE_BACKEND, "EMAIL_FILE_PATH": str(default_outbox)}
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": CONSOLE_BACKEND}
    if scheme == "file":
        folder = unquote(parts.path)
        if not folder:
            raise EmailUrlError("EMAIL_URL file:// needs a folder: file:///path/to/outbox.")
        return {"EMAIL_BACKEND": FILE_BACKEND, "EMAIL_FILE_PATH": folder}
    if scheme not in {"smtp", "smtp+tls", "smtp+ssl"}:
        raise EmailUrlError(
            f"EMAIL_URL scheme '{parts.scheme}' is not one of smtp, smtp+tls, smtp+ssl, file, "
            "console."
        )
    if not parts.hostname:
        raise EmailUrlError("EMAIL_URL needs a host: smtp://host:port.")
    try:
        port = parts.port
    except ValueError as error:
        raise EmailUrlError(f"EMAIL_URL has a port that is not a number: {url!r}.") from error
    return {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or {"smtp": 25, "smtp+tls": 587, "smtp+ssl": 465}[scheme],
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": scheme == "smtp+tls",
        "EMAIL_USE_SSL": scheme == "smtp+ssl",
    }
