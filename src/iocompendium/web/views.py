from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse_lazy
from django.utils.translation import get_language

from iocompendium.registry.selectors import organisation_counts
from iocompendium.web import throttle
from iocompendium.web.forms import ThrottledPasswordChangeForm


def home(request: HttpRequest) -> HttpResponse:
    real, synthetic = organisation_counts()
    return render(request, "web/home.html",
                  {"organisation_count": real, "synthetic_count": synthetic})


class LoginView(auth_views.LoginView):
    """Django's log-in; the throttle (django-axes, web/throttle.py) runs in authenticate()."""

    template_name = "registration/login.html"


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    """The current password is checked through authenticate(), so through the throttle."""

    template_name = "web/password_change_form.html"
    form_class = ThrottledPasswordChangeForm
    success_url = reverse_lazy("web:password_change_done")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "web/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    """Always the same answer, whether the address has an account or not; each request
    counts in the throttle (per address given and per client), so it cannot flood a
    mailbox."""

    template_name = "web/password_reset_form.html"
    email_template_name = "web/password_reset_email.txt"
    subject_template_name = "web/password_reset_subject.txt"
    success_url = reverse_lazy("web:password_reset_done")

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        if not throttle.is_allowed(self.request, email):
            return throttle.wait_response(self.request, credentials={"username": email})
        throttle.record_failure(self.request, email)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/password_reset_done.html"


RESET_LINK = "(password reset link)"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The e-mailed link (valid once, for PASSWORD_RESET_TIMEOUT); wrong links count in
    the throttle like wrong passwords."""

    template_name = "web/password_reset_confirm.html"
    success_url = reverse_lazy("web:password_reset_complete")

    def dispatch(self, *args, **kwargs):
        if not throttle.is_allowed(self.request, RESET_LINK):
            return throttle.wait_response(self.request, credentials={"username": RESET_LINK})
        response = super().dispatch(*args, **kwargs)
        if not self.validlink:
            throttle.record_failure(self.request, RESET_LINK)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/password_reset_complete.html"


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "web/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request's context processors: they read the session and the
    # database, which may be what failed.
    html = loader.get_template("web/500.html").render({"LANGUAGE_CODE": get_language()})
    return HttpResponse(html, status=500)
