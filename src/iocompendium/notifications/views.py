"""Pages: a person's notifications and preferences, unsubscribe links, the outbox."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from iocompendium.notifications import selectors, services
from iocompendium.notifications.models import Kind, Mode, Notification
from iocompendium.web.roles import secretariat_only


@login_required
def index(request: HttpRequest) -> HttpResponse:
    rows = selectors.notifications_of(request.user)
    return render(request, "notifications/index.html", {"rows": rows})


@require_POST
@login_required
def mark_read(request: HttpRequest) -> HttpResponse:
    services.mark_read(request.user)
    return redirect("notifications:index")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    prefs = services.preferences_of(request.user)
    if request.method == "POST":
        modes = {kind: request.POST.get(f"mode-{kind}", Mode.IMMEDIATE) for kind in Kind.values}
        try:
            services.save_preferences(request.user, language=request.POST.get("language", ""),
                                      modes=modes)
            messages.success(request, _("Your preferences are saved."))
        except ValueError as error:
            messages.error(request, str(error))
        return redirect("notifications:preferences")
    kinds = [{"value": kind.value, "label": kind.label, "mode": prefs.mode_for(kind.value)}
             for kind in Kind]
    return render(request, "notifications/preferences.html",
                  {"prefs": prefs, "kinds": kinds, "modes": Mode.choices})


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """A signed link from an e-mail: no log-in; a POST (the button) turns the kind off."""
    try:
        data = signing.loads(token, salt=services.UNSUBSCRIBE_SALT)
        kind = Kind(data["k"])
    except (signing.BadSignature, KeyError, ValueError, TypeError):
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    done = False
    if request.method == "POST":
        services.unsubscribe(token)
        done = True
    return render(request, "notifications/unsubscribe.html",
                  {"kind": kind, "done": done, "token": token})


@secretariat_only
def outbox(request: HttpRequest) -> HttpResponse:
    failed_only = request.GET.get("failed") == "1"
    return render(request, "notifications/outbox.html", {
        "rows": selectors.outbox(failed_only=failed_only),
        "counts": selectors.outbox_counts(), "failed_only": failed_only,
    })


@require_POST
@secretariat_only
def outbox_retry(request: HttpRequest, pk: int) -> HttpResponse:
    services.retry(get_object_or_404(Notification, pk=pk))
    messages.success(request, _("The message will be sent again."))
    return redirect("notifications:outbox")
