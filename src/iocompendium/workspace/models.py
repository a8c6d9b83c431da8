"""The partnership's workspace: people, working groups, meetings, documents, survey rounds
and the timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from iocompendium.questionnaires.models import QuestionnaireVersion
from iocompendium.registry.models import Organisation
from iocompendium.responses.models import Response


def _in_language(en: str, fr: str) -> str:
    return fr if (get_language() or "en").startswith("fr") and fr else en


# --- survey rounds -----------------------------------------------------------------------------


class Round(models.Model):
    """A questionnaire version fielded between an opening and a closing date."""

    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT,
                                related_name="rounds")
    label = models.CharField(_("round"), max_length=100)
    opens = models.DateTimeField(_("opens"))
    closes = models.DateTimeField(_("closes"))
    # The deadline organisations are held to (defaults to the closing date).
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    # Days before an organisation's deadline when a reminder goes out, e.g. [14, 7, 2].
    reminder_days = models.JSONField(_("reminder schedule"), default=list, blank=True)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="next_rounds")
    demo = models.BooleanField(_("demo data"), default=False)
    opened_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["opens", "id"]
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        constraints = [models.UniqueConstraint(fields=["version", "label"],
                                               name="round_label_per_version")]

    def __str__(self) -> str:
        return f"{self.version.questionnaire.slug} {self.label}"

    @property
    def default_deadline(self):
        return self.deadline or self.closes


class OrganisationDeadline(models.Model):
    """A deadline for one organisation that differs from the round's."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="deadlines")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    deadline = models.DateTimeField(_("deadline"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "organisation"],
                                               name="one_deadline_per_org_and_round")]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.deadline:%Y-%m-%d}"


class RoundResponse(models.Model):
    """The response an organisation gives in one round (and the one it started from)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="round_responses")
    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="round_link")
    carried_from = models.ForeignKey(Response, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "response"],
                                               name="one_link_per_round_response")]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.response_id}"


class CarriedAnswer(models.Model):
    """An answer copied from the previous round: the focal point confirms or changes it."""

    round_response = models.ForeignKey(RoundResponse, on_delete=models.CASCADE,
                                       related_name="carried")
    path = models.CharField(max_length=500)
    value = models.TextField(blank=True)  # the value carried over
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["round_response", "path"],
                                               name="one_carried_answer_per_path")]

    def __str__(self) -> str:
        return self.path


class ReminderSent(models.Model):
    """One reminder of a round to one organisation, for one point of the schedule: the
    unique constraint is what makes 'reminders run' never send it twice."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reminders_sent")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    days_before = models.IntegerField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "organisation", "days_before"],
                                               name="one_reminder_per_point")]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.organisation_id}/{self.days_before}"


# --- people and working groups -------------------------------------------------------------------


class WorkingGroup(models.Model):
    slug = models.SlugField(unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _in_language(self.name_en, self.name_fr)

    @property
    def description(self) -> str:
        return _in_language(self.description_en, self.description_fr)


class Person(models.Model):
    """A member organisation's focal point or contact (with or without an account)."""

    class Role(models.TextChoices):
        FOCAL_POINT = "focal_point", _("Focal point")
        CONTACT = "contact", _("Contact")
        SECRETARIAT = "secretariat", _("Secretariat")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="person")
    organisation = models.ForeignKey(Organisation, null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="people")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"), blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices,
                            default=Role.CONTACT)
    languages = models.CharField(_("languages"), max_length=100, blank=True,
                                 help_text=_("Comma-separated, e.g. en, fr"))
    working_groups = models.ManyToManyField(WorkingGroup, blank=True, related_name="members",
                                            verbose_name=_("working groups"))
    public = models.BooleanField(_("shown on the public organisation page"), default=False)
    demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["organisation__acronym", "name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name


# --- meetings ------------------------------------------------------------------------------


class Meeting(models.Model):
    class Kind(models.TextChoices):
        TECHNICAL = "technical", _("Technical meeting")
        ANNUAL = "annual", _("Annual meeting")
        WORKING_GROUP = "working_group", _("Working group meeting")

    title_en = models.CharField(_("title (English)"), max_length=300)
    title_fr = models.CharField(_("title (French)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices,
                            default=Kind.TECHNICAL)
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    working_group = models.ForeignKey(WorkingGroup, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="meetings")
    minutes_en = models.TextField(_("minutes (English)"), blank=True)
    minutes_fr = models.TextField(_("minutes (French)"), blank=True)
    decisions_en = models.TextField(_("decisions (English)"), blank=True)
    decisions_fr = models.TextField(_("decisions (French)"), blank=True)
    public = models.BooleanField(_("public"), default=True)
    demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-starts"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _in_language(self.title_en, self.title_fr)

    @property
    def minutes(self) -> str:
        return _in_language(self.minutes_en, self.minutes_fr)

    @property
    def decisions(self) -> str:
        return _in_language(self.decisions_en, self.decisions_fr)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveIntegerField(default=1)
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_fr = models.CharField(_("title (French)"), max_length=300, blank=True)
    lead = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("lead"))
    documents = models.ManyToManyField("Document", blank=True, related_name="agenda_items")

    class Meta:
        ordering = ["meeting", "position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _in_language(self.title_en, self.title_fr)


class Registration(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="registrations")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__acronym", "name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "organisation", "name"],
                                               name="one_registration_per_name")]

    def __str__(self) -> str:
        return self.name


class ActionItem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="action_items",
                              verbose_name=_("owner"))
    due = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)

    class Meta:
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return self.title


# --- documents ------------------------------------------------------------------------------


class Audience(models.TextChoices):
    PUBLIC = "public", _("Public")
    MEMBERS = "members", _("Members")
    WORKING_GROUP = "working_group", _("A working group")
    SECRETARIAT = "secretariat", _("Secretariat")


class Document(models.Model):
    """A document and its versions; an English and a French document can be one pair."""

    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES,
                                default="en")
    translation_of = models.OneToOneField("self", null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="translation",
                                          verbose_name=_("other-language version of"))
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices,
                                default=Audience.MEMBERS)
    working_group = models.ForeignKey(WorkingGroup, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="documents")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="documents")
    created_at = models.DateTimeField(auto_now_add=True)
    demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title

    @property
    def pair(self) -> Document | None:
        return self.translation_of or getattr(self, "translation", None)


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to="workspace/documents/%Y/")
    file_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    change_note = models.CharField(_("what changed"), max_length=500, blank=True)
    text = models.TextField(blank=True)  # extracted for full-text search

    class Meta:
        ordering = ["document", "-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"],
                                               name="one_document_version_number")]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


# --- timeline and audit ------------------------------------------------------------------------


class Milestone(models.Model):
    """A dated event of the partnership beyond rounds and meetings (publications...)."""

    date = models.DateField(_("date"))
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_fr = models.CharField(_("title (French)"), max_length=300)
    demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _in_language(self.title_en, self.title_fr)


class WorkspaceEvent(models.Model):
    """The workspace's audit trail: append-only, who did what when."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=60)
    target = models.CharField(max_length=300)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")
