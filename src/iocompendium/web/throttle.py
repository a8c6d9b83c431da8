"""The one throttle of every path that checks a password or a secret link: django-axes,
configured to slow failures down with progressive delays instead of locking anyone out.

django-axes does the accounting (``AccessAttempt`` rows per user name and per client
address, its authentication backend, middleware and admin). Its own rule is a lock-out:
after ``AXES_FAILURE_LIMIT`` failures every attempt is refused, the right password too,
until a cool-off ends; an attacker who keeps failing keeps the owner out. This handler
keeps axes' records and changes only that rule (``is_locked``): after the limit each
failure makes the next attempt wait ``delay_after(failures)`` seconds after the last
failure (1, 2, 4, 8, then the cap of ``IOCOMPENDIUM_THROTTLE_MAX_DELAY_SECONDS``, 8 s by
default); attempts made while waiting are refused without looking at the password and
without being counted (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False``), so the
owner's right password works at most that many seconds after the last failure, with no
challenge to solve. Failures are forgotten ``AXES_COOLOFF_TIME`` after the last one, or
at a successful log-in. See docs/decisions/0013-throttling.md.

The client address is ``REMOTE_ADDR``, or, only when the request came from one of the
configured trusted proxies (``IOCOMPENDIUM_TRUSTED_PROXIES``), the right-most address of
the proxy's header (``IOCOMPENDIUM_PROXY_CLIENT_HEADER``, default ``X-Forwarded-For``)
that is not itself a trusted proxy: a client cannot choose its own address by sending the
header, and every visitor behind the HTTPS proxy is no longer one address.
"""

from __future__ import annotations

import ipaddress
import math
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def delay_after(failures: int) -> float:
    """Seconds the next attempt waits after the last of ``failures`` recent failures."""
    over = failures - settings.AXES_FAILURE_LIMIT
    if over < 0:
        return 0.0
    return float(min(2 ** min(over, 16), settings.IOCOMPENDIUM_THROTTLE_MAX_DELAY_SECONDS))


class ProgressiveDelayHandler(AxesDatabaseHandler):
    """axes' database handler, with a wait that grows with the failures instead of a
    lock-out (see the module's docstring)."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return self.seconds_to_wait(request, credentials) > 0

    def seconds_to_wait(self, request, credentials: dict | None = None) -> int:
        now = getattr(request, "axes_attempt_time", None) or timezone.now()
        wait = 0.0
        for attempts in self.get_user_attempts(request, credentials):
            found = attempts.aggregate(failures=Sum("failures_since_start"),
                                       last=Max("attempt_time"))
            if found["failures"]:
                wait = max(wait, _remaining(found["failures"], found["last"], now))
        request.iocompendium_wait = math.ceil(wait)
        return request.iocompendium_wait


def _remaining(failures: int, last: datetime, now: datetime) -> float:
    return delay_after(failures) - (now - last).total_seconds()


def wait_response(request: HttpRequest, original_response=None,
                  credentials: dict | None = None) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: 429 with the seconds to wait (never a lock-out)."""
    wait = getattr(request, "iocompendium_wait", None)
    if wait is None:
        wait = ProgressiveDelayHandler().seconds_to_wait(request, credentials)
    wait = max(int(wait), 1)
    response = render(request, "registration/wait.html", {"seconds": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


# --- client address -----------------------------------------------------------------------


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(entry, strict=False)
            for entry in settings.IOCOMPENDIUM_TRUSTED_PROXIES]


def _is_trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """``AXES_CLIENT_IP_CALLABLE``: the visitor's address (see the module's docstring)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = _networks()
    if not networks or not _is_trusted(remote, networks):
        return remote
    header = "HTTP_" + settings.IOCOMPENDIUM_PROXY_CLIENT_HEADER.upper().replace("-", "_")
    hops = [hop.strip() for hop in request.META.get(header, "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return hop if _valid(hop) else remote
    return hops[0] if hops and _valid(hops[0]) else remote


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


# --- paths that check a secret without django.contrib.auth.authenticate -------------------


def is_allowed(request: HttpRequest, name: str) -> bool:
    """May this client try ``name`` (a user name, or a label such as an e-mail) now?"""
    allowed = AxesProxyHandler.is_allowed(request, {"username": name})
    if not allowed:
        request.axes_locked_out = True
    return allowed


def record_failure(request: HttpRequest, name: str) -> None:
    """Count a failed check (a wrong secret link) exactly like a failed log-in."""
    user_login_failed.send(sender=__name__, credentials={"username": name}, request=request)
