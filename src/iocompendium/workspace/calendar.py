"""iCalendar files: one meeting, and a person's private feed of meetings and deadlines."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from icalendar import Calendar, Event

FEED_SALT = "iocompendium.workspace.calendar"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//iocompendium//workspace//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    return calendar


def _meeting_event(meeting, url: str) -> Event:
    zone = ZoneInfo(meeting.time_zone or "UTC")
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@iocompendium")
    event.add("summary", meeting.title)
    event.add("dtstart", meeting.starts.astimezone(zone))
    event.add("dtend", meeting.ends.astimezone(zone))
    event.add("dtstamp", datetime.now(tz=ZoneInfo("UTC")))
    location = meeting.place or meeting.online_url
    if location:
        event.add("location", location)
    description = "\n".join(f"{i.position}. {i.title}" for i in meeting.agenda.all())
    if meeting.online_url:
        description += f"\n{meeting.online_url}"
    if description.strip():
        event.add("description", description.strip())
    event.add("url", url)
    return event


def meeting_ics(meeting, url: str) -> bytes:
    calendar = _calendar(meeting.title)
    calendar.add_component(_meeting_event(meeting, url))
    return calendar.to_ical()


def feed_ics(meetings, deadlines, *, base_url: str, name: str) -> bytes:
    """``deadlines``: (uid, title, datetime) for rounds and action items (all-day events)."""
    from django.urls import reverse

    calendar = _calendar(name)
    for meeting in meetings:
        url = base_url + reverse("workspace:meeting", kwargs={"pk": meeting.pk})
        calendar.add_component(_meeting_event(meeting, url))
    for uid, title, moment in deadlines:
        event = Event()
        event.add("uid", f"{uid}@iocompendium")
        event.add("summary", title)
        day = moment.date() if isinstance(moment, datetime) else moment
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("dtstamp", datetime.now(tz=ZoneInfo("UTC")))
        calendar.add_component(event)
    return calendar.to_ical()


def feed_token(user) -> str:
    return signing.dumps({"u": user.pk}, salt=FEED_SALT, compress=True)


def feed_user(token: str):
    from django.contrib.auth import get_user_model

    data = signing.loads(token, salt=FEED_SALT)
    return get_user_model().objects.filter(pk=data["u"], is_active=True).first()


def base_url() -> str:
    return settings.IOCOMPENDIUM_BASE_URL.rstrip("/")
