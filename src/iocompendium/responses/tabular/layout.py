"""What kind of export a file is: KoboToolbox, ODK Central, or this platform's own layout.

``detect_layout`` looks at the headers only and says what it found (shown to the user on
the check page and in ``responses import --json``); the parser reads every layout the same
way, so detection never decides what is imported, only what is explained.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from .common import INDEX, KEY_COLUMN, PARENT_INDEX, STATUS
from .reading import RawSheet

# Columns the collection server adds, never answers (compared after normalise_header).
SERVER_COLUMNS = frozenset(
    {
        # KoboToolbox
        "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
        "_submitted_by", "_tags", "_index", "_parent_index", "_parent_table_name",
        "__version__", "_version_", "_xform_id_string", "_attachments", "_geolocation",
        "formhub/uuid", "meta/instanceID", "meta/rootUuid", "meta/deprecatedID",
        "meta/instanceName", "instanceID",
        # ODK Central
        "SubmissionDate", "KEY", "PARENT_KEY", "SubmitterID", "SubmitterName",
        "AttachmentsPresent", "AttachmentsExpected", "Status", "ReviewState", "DeviceID",
        "Edits", "FormVersion", "meta-instanceID", "meta-instanceName", "meta-deprecatedID",
        "meta-rootUuid", "meta.instanceID", "meta.instanceName",
    }
)
# Columns that identify a submission, most specific first (the default --key of a form
# whose unit is "submission").
SUBMISSION_KEYS = ("_uuid", "meta/instanceID", "meta-instanceID", "instanceID", "KEY", "_id")
SUBMISSION_TIMES = ("_submission_time", "SubmissionDate")
TRUE_WORDS = frozenset({"1", "true", "yes"})
FALSE_WORDS = frozenset({"0", "false", "no"})


def is_server_column(header: str) -> bool:
    return header in SERVER_COLUMNS or header.startswith("_")


@dataclass
class Layout:
    """What the headers say about the file (all plain data: JSON-ready)."""

    source: str = "unknown"  # kobotoolbox | odk_central | iocompendium | unknown
    sheets: list[str] = field(default_factory=list)
    group_separator: str = ""  # "/", ".", "-" or "" (bare names)
    key_columns: list[str] = field(default_factory=list)  # candidates for --key
    submission_time: str = ""
    repeat_link: str = ""  # "_parent_index", "PARENT_KEY" or ""
    choice_columns: str = ""  # "0/1", "True/False" or "" (one column per select_multiple)
    byte_order_mark: bool = False
    label_headers: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def _separator(headers: list[str], question_names: set[str]) -> str:
    """The joiner of group names, judged from headers whose last part is a question."""
    votes = {"/": 0, ".": 0, "-": 0}
    for header in headers:
        for separator in votes:
            if separator in header and header.rsplit(separator, 1)[-1] in question_names:
                votes[separator] += 1
    best = max(votes, key=votes.get)
    return best if votes[best] else ""


def detect_layout(
    sheets: list[RawSheet],
    question_names: set[str],
    label_texts: set[str],
    choice_column_values: set[str],
    normalise,
) -> Layout:
    """The layout of ``sheets`` (see ``Layout``). ``normalise``: the header normaliser."""
    layout = Layout(sheets=[sheet.name for sheet in sheets])
    if not sheets:
        return layout
    raw = sheets[0].headers
    headers = [normalise(h) for h in raw]
    every = {normalise(h) for sheet in sheets for h in sheet.headers}
    layout.byte_order_mark = bool(raw) and (
        raw[0].startswith("\ufeff") or raw[0].startswith("X.U.FEFF.")
    )
    if "SubmissionDate" in every or "KEY" in every or "PARENT_KEY" in every:
        layout.source = "odk_central"
    elif "_uuid" in every or "_submission_time" in every:
        layout.source = "kobotoolbox"
    elif KEY_COLUMN in headers and (STATUS in headers or INDEX in headers):
        layout.source = "iocompendium"
    layout.group_separator = _separator(
        [h for h in headers if not is_server_column(h)], question_names
    )
    layout.key_columns = [k for k in SUBMISSION_KEYS if k in headers]
    layout.submission_time = next((t for t in SUBMISSION_TIMES if t in headers), "")
    if PARENT_INDEX in every:
        layout.repeat_link = PARENT_INDEX
    elif "PARENT_KEY" in every:
        layout.repeat_link = "PARENT_KEY"
    if choice_column_values & {"true", "false"}:
        layout.choice_columns = "True/False"
    elif choice_column_values:
        layout.choice_columns = "0/1"
    plain = [h for h in headers if not is_server_column(h)]
    labelled = sum(1 for h in plain if h in label_texts and h not in question_names)
    layout.label_headers = bool(plain) and labelled > len(plain) / 2
    return layout


def split_choice_header(header: str) -> list[tuple[str, str]]:
    """Ways ``q/choice``, ``q.choice`` or ``q-choice`` splits into (question, choice)."""
    return [
        tuple(header.rsplit(separator, 1))
        for separator in ("/", ".", "-")
        if separator in header
    ]


def header_candidates(header: str) -> list[str]:
    """A header as a question path: as written, then with ``.`` or ``-`` read as ``/``."""
    found = [header]
    for separator in (".", "-"):
        if separator in header:
            found.append(header.replace(separator, "/"))
    return found


def plain_words(text: str) -> str:
    """A label as a header: lower case, markup and spaces folded (Kobo's label export)."""
    text = re.sub(r"<[^>]+>|[*_`]", "", text)
    return " ".join(text.casefold().split())
