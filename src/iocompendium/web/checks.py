"""``check --deploy`` warnings of the platform's own settings."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register

# Backends that never deliver a message: fine for development, wrong in production (the
# invitation and password-reset links would sit in files, readable to whoever has the
# data folder, while the platform keeps only their hashes).
UNDELIVERED_MAIL_BACKENDS = (
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
)


@register(Tags.security, deploy=True)
def mail_is_delivered_in_production(app_configs, **kwargs) -> list[Warning]:
    if not getattr(settings, "PRODUCTION", False):
        return []
    if settings.EMAIL_BACKEND not in UNDELIVERED_MAIL_BACKENDS:
        return []
    return [Warning(
        f"Production sends mail to {settings.EMAIL_BACKEND.rsplit('.', 2)[-2]}: invitation "
        "and password-reset messages are never delivered (and their links sit in files).",
        hint="Set EMAIL_URL to your SMTP server, e.g. smtp+tls://user:password@host:587 "
             "(docs/guide/deployment.md).",
        id="iocompendium.W001",
    )]
