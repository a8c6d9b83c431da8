"""The questionnaire *structure*: the one JSON document every part of the system reads.

Pure Python, no Django import. The XLSForm importer writes it; the expression engine,
the web questionnaire, the analysis layer and the exports read it.

Shape (all keys present; empty string / empty dict when the XLSForm cell is empty)::

    {
      "form_id": "io_survey",              # settings sheet form_id
      "form_version": "2026112601",        # settings sheet version ("" if none)
      "title": {"en": "...", "fr": "..."}, # per language
      "default_language": "en",
      "languages": ["en", "fr"],           # language keys, in the order of the file
      "choices": {                         # choice lists by list_name
        "yes_no": [
          {"name": "yes", "label": {"en": "Yes", "fr": "Oui"}, "extra": {"filter": "a"}}
        ]
      },
      "children": [NODE, ...]
    }

    NODE = {
      "type": "group" | "repeat" | "text" | "integer" | "decimal" | "date" | "time"
              | "datetime" | "select_one" | "select_multiple" | "note" | "calculate"
              | "acknowledge" | ... (other XLSForm types are kept as they are named),
      "name": "job",
      "row": 12,                     # 1-based row of the survey sheet (0 if unknown)
      "label": {lang: text}, "hint": {lang: text},
      "relevant": "", "required": "",   # expressions; "yes"/"true()" style required
      "required_message": {lang: text},
      "constraint": "", "constraint_message": {lang: text},
      "soft_constraint": "", "soft_constraint_message": {lang: text},  # warns, allows
      "calculation": "", "default": "", "read_only": "",
      "choice_list": "",             # list_name for select_one / select_multiple
      "choice_filter": "",
      "or_other": false,
      "appearance": "",
      "repeat_count": "",            # repeats only
      "parameters": {},
      "children": [NODE, ...]        # groups and repeats only
    }

Language keys: the code in parentheses when the column says ``label::English (en)``,
otherwise the name given after ``::``; a form without language columns uses
``"default"``.

Question paths: the names of the enclosing groups and the question's own name joined
by ``/`` (``details/job``), with the 1-based instance index after a repeat's name
(``instruments[2]/title``). The form's root name is not part of a path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

Structure = dict[str, Any]
Node = dict[str, Any]

CONTAINER_TYPES = frozenset({"group", "repeat"})
# Types that hold no answer a person gives.
NON_ANSWER_TYPES = frozenset({"note", "calculate", "group", "repeat"})
# Metadata the device (here: the server) records; never shown to a respondent as inputs.
METADATA_TYPES = frozenset({
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "username",
    "phonenumber", "email", "audit", "start-geopoint", "background-audio",
    "background-geopoint", "xml-external", "csv-external",
})
GEO_TYPES = frozenset({"geopoint", "geotrace", "geoshape"})
UPLOAD_TYPES = frozenset({"image", "audio", "video", "file", "osm"})
# Types that hold personal data by nature: never published (issue 12).
PERSONAL_TYPES = GEO_TYPES | UPLOAD_TYPES | {"start-geopoint", "background-geopoint",
                                             "background-audio", "audit"}
# Every question type the web questionnaire answers (with its widget).
ANSWER_TYPES = frozenset({
    "text", "integer", "decimal", "date", "time", "datetime", "select_one",
    "select_multiple", "select_one_from_file", "select_multiple_from_file",
    "select_one_external", "acknowledge", "trigger", "range", "rank", "barcode",
    "phone_number", "hidden",
}) | GEO_TYPES | UPLOAD_TYPES
SUPPORTED_TYPES = ANSWER_TYPES | METADATA_TYPES | NON_ANSWER_TYPES
# Selects whose options come from a file attached beside the form (attachments.py).
FROM_FILE_TYPES = frozenset({"select_one_from_file", "select_multiple_from_file"})
# XLSForm's other spellings of the same types (pyxform keeps them as written).
TYPE_ALIASES = {
    "int": "integer", "string": "text", "photo": "image", "picture": "image",
    "gps": "geopoint", "location": "geopoint", "date_time": "datetime", "datetime": "datetime",
    "dateTime": "datetime", "device_id": "deviceid", "get_device_id": "deviceid",
    "imei": "deviceid", "uri:deviceid": "deviceid", "start_time": "start",
    "get_start_time": "start", "end_time": "end", "get_end_time": "end",
    "get_today": "today", "sim_id": "simserial", "get_sim_id": "simserial",
    "uri:simserial": "simserial", "subscriber_id": "subscriberid",
    "get_subscriber_id": "subscriberid", "uri:subscriberid": "subscriberid",
    "get_phone_number": "phonenumber", "uri:phonenumber": "phonenumber",
    "uri:username": "username", "uri:email": "email", "select1": "select_one",
    "select": "select_multiple",
}


def canonical_type(node_type: str) -> str:
    """``gps`` -> ``geopoint``, ``q int`` -> ``integer``, ``add text prompt`` -> ``text``."""
    name = node_type.strip()
    if name.startswith("add_") and name.endswith("_prompt"):
        name = name[4:-7]
    elif name.startswith("q_"):
        name = name[2:]
    return TYPE_ALIASES.get(name, name)

_INDEX_RE = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class QuestionRef:
    """A question of the form with its *template* path (repeats without an index)."""

    node: Node
    path: str  # e.g. "instruments/title" (no indexes)
    repeats: tuple[str, ...]  # template paths of the enclosing repeats, outermost first
    groups: tuple[str, ...]  # template paths of all enclosing containers

    @property
    def name(self) -> str:
        return self.node["name"]

    @property
    def type(self) -> str:
        return self.node["type"]


def iter_nodes(structure: Structure) -> Iterator[QuestionRef]:
    """Every node (containers included), depth first, in form order."""

    def walk(nodes: list[Node], prefix: str, repeats: tuple[str, ...], groups: tuple[str, ...]):
        for node in nodes:
            path = f"{prefix}{node['name']}"
            yield QuestionRef(node, path, repeats, groups)
            if node["type"] in CONTAINER_TYPES:
                inner_repeats = repeats + (path,) if node["type"] == "repeat" else repeats
                yield from walk(
                    node.get("children", []), path + "/", inner_repeats, groups + (path,)
                )

    yield from walk(structure.get("children", []), "", (), ())


def iter_questions(structure: Structure) -> Iterator[QuestionRef]:
    """Every non-container node, in form order."""
    return (ref for ref in iter_nodes(structure) if ref.type not in CONTAINER_TYPES)


def template_path(path: str) -> str:
    """``instruments[2]/title`` -> ``instruments/title``."""
    return _INDEX_RE.sub("", path)


def repeat_indexes(path: str) -> tuple[int, ...]:
    """``a[2]/b[3]/c`` -> ``(2, 3)``."""
    return tuple(int(i) for i in _INDEX_RE.findall(path))


# Forms name a language in many ways (``French (fr)``, ``Français (fr)``, ``fr``,
# ``French``, ``label::French``): all of them are one language code.
LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("english", "anglais", "inglés", "ingles"),
    "fr": ("french", "français", "francais", "francés", "frances"),
    "ar": ("arabic", "arabe", "العربية", "عربي"),
    "es": ("spanish", "espagnol", "español", "espanol"),
    "pt": ("portuguese", "portugais", "português", "portugues"),
    "ru": ("russian", "russe", "русский"),
    "zh": ("chinese", "chinois", "中文"),
    "de": ("german", "allemand", "deutsch"),
    "it": ("italian", "italien", "italiano"),
    "sw": ("swahili", "kiswahili"),
    "he": ("hebrew", "hébreu", "עברית"),
    "fa": ("persian", "farsi", "persan", "فارسی"),
    "ur": ("urdu", "ourdou", "اردو"),
    "ps": ("pashto", "pachto", "پښتو"),
    "ku": ("kurdish", "kurde"),
}
RTL_CODES = frozenset({"ar", "he", "fa", "ur", "ps", "ckb", "dv", "yi"})
_NAME_AND_CODE_RE = re.compile(r"^(.*?)\s*\(([^()]+)\)\s*$")


@lru_cache(maxsize=512)
def language_code(key: str) -> str:
    """The language code a form's language name stands for: ``French (fr)``,
    ``Français (fr)``, ``fr``, ``FR``, ``French``, ``français`` -> ``fr``; a name not
    known stays as it is."""
    text = key.strip()
    match = _NAME_AND_CODE_RE.match(text)
    if match:
        return match.group(2).strip().lower()
    lowered = text.lower()
    for code, names in LANGUAGE_NAMES.items():
        if lowered == code or lowered in names:
            return code
    return key


def is_rtl(key: str) -> bool:
    """Whether a form language is written right to left (Arabic, Hebrew, Persian...)."""
    return language_code(key).split("-")[0].lower() in RTL_CODES


def localized(texts: dict[str, str] | None, lang: str | None, default_language: str = "") -> str:
    """The text in ``lang`` (however the form names it), else the default language, else
    any, else ''."""
    if not texts:
        return ""
    if lang and lang in texts and texts[lang]:
        return texts[lang]
    if lang:
        code = language_code(lang)
        for key, text in texts.items():
            if text and language_code(key) == code:
                return text
    if default_language and texts.get(default_language):
        return texts[default_language]
    for key in ("en", "default"):
        if texts.get(key):
            return texts[key]
    return next((text for text in texts.values() if text), "")


def choice_label(structure: Structure, list_name: str, choice_name: str, lang: str | None) -> str:
    for choice in structure.get("choices", {}).get(list_name, []):
        if choice["name"] == choice_name:
            return localized(choice.get("label"), lang, structure.get("default_language", ""))
    return choice_name
