from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from iocompendium.registry.selectors import organisation_counts
from iocompendium.web import services


def home(request: HttpRequest) -> HttpResponse:
    real, synthetic = organisation_counts()
    return render(request, "web/home.html",
                  {"organisation_count": real, "synthetic_count": synthetic})


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


class ThrottledLoginView(auth_views.LoginView):
    """Django's log-in, refusing further attempts after repeated failures."""

    template_name = "registration/login.html"

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        if services.login_is_throttled(username, client_address(request)):
            messages.error(
                request,
                _("Too many failed log-in attempts. Wait 15 minutes, then try again."),
            )
            form = self.get_form()
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        services.record_failed_login(self.request.POST.get("username", ""),
                                     client_address(self.request))
        return super().form_invalid(form)

    def form_valid(self, form):
        services.clear_failed_logins(form.get_user().get_username())
        return super().form_valid(form)


class LogoutView(auth_views.LogoutView):
    pass


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "web/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request's context processors: they read the session and the
    # database, which may be what failed.
    html = loader.get_template("web/500.html").render({"LANGUAGE_CODE": get_language()})
    return HttpResponse(html, status=500)
