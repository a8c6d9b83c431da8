"""Invitations: the secretariat and contributors invite focal points; the link sets a password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from iocompendium.responses import formtree, selectors, services
from iocompendium.responses.forms import AcceptInvitationForm, InvitationForm
from iocompendium.web import throttle
from iocompendium.web.roles import is_secretariat, organisation_id_of


def _own_organisation(request: HttpRequest):
    """The organisation a contributor may invite for; None for the secretariat."""
    if is_secretariat(request.user):
        return None
    if organisation_id_of(request.user) is None:
        raise PermissionDenied
    return request.user.contributor.organisation


@login_required
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest) -> HttpResponse:
    organisation = _own_organisation(request)
    form = InvitationForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _url = services.create_invitation(
                form.cleaned_data["organisation"], form.cleaned_data["email"],
                invited_by=request.user, questionnaire=form.cleaned_data["questionnaire"],
                lang=formtree.current_language(), base_url=request.build_absolute_uri("/"),
            )
        except services.InvitationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("An invitation was sent to %(email)s.") % {
                "email": invitation.email})
            return redirect("responses:invitations")
    return render(request, "responses/invitations.html", {
        "form": form, "invitations": selectors.invitations_for(request.user)[:200],
        "organisation": organisation, "now": selectors.now(),
    }, status=400 if request.method == "POST" else 200)


@require_POST
@login_required
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _own_organisation(request)
    invitation = selectors.invitation_for(request.user, pk)
    services.revoke_invitation(invitation)
    messages.success(request, _("The invitation to %(email)s is revoked.") % {
        "email": invitation.email})
    return redirect("responses:invitations")


INVITATION_LINK = "(invitation link)"


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the e-mail: set a password, become a contributor, log in. Wrong links
    count in the log-in throttle like wrong passwords (web/throttle.py)."""
    if not throttle.is_allowed(request, INVITATION_LINK):
        return throttle.wait_response(request, credentials={"username": INVITATION_LINK})
    invitation = selectors.invitation_by_token_hash(services.hash_token(token))
    if invitation is None:
        throttle.record_failure(request, INVITATION_LINK)
        raise Http404
    problem = services.invitation_problem(invitation)
    joining = request.user.is_authenticated
    if problem is None and joining and is_secretariat(request.user):
        problem = _("You are logged in with a secretariat account: log out, then open the "
                    "link again.")
    form = None if joining else AcceptInvitationForm(request.POST or None, email=invitation.email)
    if problem is None and request.method == "POST" and (joining or form.is_valid()):
        try:
            user = services.accept_invitation(
                invitation, password=None if joining else form.cleaned_data["password1"],
                user=request.user if joining else None,
            )
        except services.InvitationError as error:
            problem = str(error)
        else:
            if not joining:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! You now answer for %(organisation)s.") % {
                "organisation": invitation.organisation.acronym})
            return redirect("responses:index")
    return render(request, "responses/invitation_accept.html", {
        "invitation": invitation, "form": form, "problem": problem, "joining": joining,
    }, status=410 if problem else 200)
