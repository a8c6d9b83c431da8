"""Exports of the raw response data (issue 5.6), described in ``docs/data-dictionary.md``.

Formats (``FORMATS``):

* ``long-csv``: one row per answer: organisation, category, status, path, question,
  repeat_index, value;
* ``wide-csv``: a zip of CSV files, ``responses.csv`` (one row per response) and one
  ``<repeat>.csv`` per repeat group, keyed by ``_index`` / ``_parent_index``;
* ``wide-xlsx``: the same sheets in one workbook. Both wide formats re-import through
  ``iocompendium responses import`` without loss;
* ``json``: ``{"questionnaire", "version", "statuses", "respondents", "responses": [...]}``;
* ``dictionary``: a CSV describing every question of the questionnaire (path, labels
  per language, type, choices...).

The builders (``build_*``) are pure functions over the questionnaire structure and
``ResponseRecord`` objects; ``build_export`` loads them from the database and is what
the command line and the web app call.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from iocompendium.questionnaires.structure import (
    Structure,
    iter_nodes,
    localized,
    repeat_indexes,
    template_path,
)
from iocompendium.responses.tabular import (
    ResponseRecord,
    tables_to_csv_zip,
    tables_to_xlsx,
    wide_tables,
)
from iocompendium.spreadsheets import csv_dict_text

FORMATS = ("long-csv", "wide-csv", "wide-xlsx", "json", "dictionary")
LONG_COLUMNS = ["organisation", "category", "status", "path", "question", "repeat_index", "value"]
# What "--status approved|submitted|all" selects.
STATUS_SETS = {
    "approved": ("approved",),
    "submitted": ("submitted", "in_review", "approved"),
    "all": ("draft", "submitted", "in_review", "approved"),
}


class ExportError(Exception):
    """The export cannot be made (unknown format or questionnaire): one sentence."""


# --------------------------------------------------------------------------- pure builders


def _form_order(structure: Structure) -> dict[str, int]:
    return {ref.path: position for position, ref in enumerate(iter_nodes(structure))}


def _answer_sort_key(order: dict[str, int]):
    def key(item: tuple[str, str]):
        path = item[0]
        return (order.get(template_path(path), len(order)), repeat_indexes(path), path)

    return key


def long_rows(structure: Structure, records: Iterable[ResponseRecord]) -> list[dict[str, str]]:
    """One dict per answer, in record order then form order."""
    order = _form_order(structure)
    rows = []
    for record in records:
        for path, value in sorted(record.answers.items(), key=_answer_sort_key(order)):
            indexes = repeat_indexes(path)
            rows.append(
                {
                    "organisation": record.organisation,
                    "category": record.category,
                    "status": record.status,
                    "path": path,
                    "question": template_path(path),
                    "repeat_index": str(indexes[-1]) if indexes else "",
                    "value": value,
                }
            )
    return rows


def _csv_bytes(columns: Sequence[str], rows: Iterable[dict[str, str]]) -> bytes:
    return csv_dict_text(columns, rows).encode("utf-8")


def build_long_csv(structure: Structure, records: Iterable[ResponseRecord]) -> bytes:
    return _csv_bytes(LONG_COLUMNS, long_rows(structure, records))


def build_wide_xlsx(structure: Structure, records: Iterable[ResponseRecord]) -> bytes:
    return tables_to_xlsx(wide_tables(structure, records))


def build_wide_csv(structure: Structure, records: Iterable[ResponseRecord]) -> bytes:
    return tables_to_csv_zip(wide_tables(structure, records))


def build_json(
    slug: str,
    version: int,
    structure: Structure,
    records: Iterable[ResponseRecord],
    statuses: Sequence[str],
) -> bytes:
    order = _form_order(structure)
    responses = [
        {
            "organisation": record.organisation,
            "name": record.name,
            "category": record.category,
            "status": record.status,
            "title": record.title,
            "synthetic": record.synthetic,
            "answers": dict(sorted(record.answers.items(), key=_answer_sort_key(order))),
        }
        for record in records
    ]
    document = {
        "questionnaire": slug,
        "version": version,
        "form_version": structure.get("form_version", ""),
        "statuses": list(statuses),
        "respondents": len(responses),
        "responses": responses,
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def dictionary_columns(structure: Structure) -> list[str]:
    languages = structure.get("languages") or ["en"]
    return (
        ["path", "name", "type", "repeat", "required", "relevant", "constraint", "choice_list"]
        + [f"label_{lang}" for lang in languages]
        + [f"choices_{lang}" for lang in languages]
    )


def dictionary_rows(structure: Structure) -> list[dict[str, str]]:
    """One row per group, repeat and question (notes left out), in form order."""
    languages = structure.get("languages") or ["en"]
    default = structure.get("default_language", "")
    choices = structure.get("choices", {})
    rows = []
    for ref in iter_nodes(structure):
        node = ref.node
        if ref.type == "note":
            continue
        row = {
            "path": ref.path,
            "name": ref.name,
            "type": ref.type,
            "repeat": ref.repeats[-1] if ref.repeats else "",
            "required": node.get("required", ""),
            "relevant": node.get("relevant", ""),
            "constraint": node.get("constraint", ""),
            "choice_list": node.get("choice_list", ""),
        }
        options = choices.get(node.get("choice_list", ""), [])
        for lang in languages:
            row[f"label_{lang}"] = localized(node.get("label"), lang, default)
            row[f"choices_{lang}"] = "; ".join(
                f"{option['name']}={localized(option.get('label'), lang, default)}"
                for option in options
            )
        rows.append(row)
    return rows


def build_dictionary(structure: Structure) -> bytes:
    return _csv_bytes(dictionary_columns(structure), dictionary_rows(structure))


# --------------------------------------------------------------------------- from the database


def load_records(slug: str, statuses: Sequence[str]):
    """(published or latest version, its structure, the records) of a questionnaire."""
    from iocompendium.questionnaires.models import Questionnaire
    from iocompendium.responses.models import Answer, Response

    questionnaire = Questionnaire.objects.filter(slug=slug).first()
    if questionnaire is None:
        raise ExportError(f"No questionnaire '{slug}'.")
    version = questionnaire.published_version() or questionnaire.latest_version()
    if version is None:
        raise ExportError(f"Questionnaire '{slug}' has no version.")
    responses = list(
        Response.objects.filter(version__questionnaire=questionnaire, status__in=list(statuses))
        .select_related("organisation", "jurisdiction")
        .order_by("organisation__acronym", "jurisdiction__code", "unit_key", "title", "id")
    )
    answers: dict[int, dict[str, str]] = {response.pk: {} for response in responses}
    rows = Answer.objects.filter(response__in=responses).values_list("response_id", "path", "value")
    for response_id, path, value in rows.iterator(chunk_size=5000):
        if value != "":
            answers[response_id][path] = value
    records = [_record(response, answers[response.pk]) for response in responses]
    return version, version.structure, records


def _record(response, answers: dict[str, str]) -> ResponseRecord:
    """One response as plain data; the ``organisation`` column names the respondent unit
    (an acronym, a jurisdiction code or a submission key)."""
    organisation = response.organisation
    if organisation is not None:
        category, name = organisation.category, organisation.name_en
    elif response.jurisdiction is not None:
        category, name = response.jurisdiction.region, response.jurisdiction.name_en
    else:
        category, name = "", ""
    return ResponseRecord(
        organisation=response.unit_name,
        answers=answers,
        category=category,
        status=response.status,
        title=response.title,
        name=name,
        synthetic=response.synthetic or bool(organisation and organisation.synthetic),
    )


def export_filename(fmt: str, slug: str, statuses: Sequence[str]) -> str:
    scope = "approved" if tuple(statuses) == STATUS_SETS["approved"] else "responses"
    return {
        "long-csv": f"{slug}-{scope}-long.csv",
        "wide-csv": f"{slug}-{scope}-wide.zip",
        "wide-xlsx": f"{slug}-{scope}-wide.xlsx",
        "json": f"{slug}-{scope}.json",
        "dictionary": f"{slug}-data-dictionary.csv",
    }[fmt]


def build_export(
    fmt: str, slug: str, statuses: Sequence[str] = STATUS_SETS["approved"]
) -> tuple[str, bytes]:
    """(file name, content) of one export of a questionnaire's responses."""
    if fmt not in FORMATS:
        raise ExportError(f"Unknown export format '{fmt}'; use one of {', '.join(FORMATS)}.")
    version, structure, records = load_records(slug, statuses)
    if fmt == "long-csv":
        content = build_long_csv(structure, records)
    elif fmt == "wide-csv":
        content = build_wide_csv(structure, records)
    elif fmt == "wide-xlsx":
        content = build_wide_xlsx(structure, records)
    elif fmt == "json":
        content = build_json(slug, version.number, structure, records, statuses)
    else:
        content = build_dictionary(structure)
    return export_filename(fmt, slug, statuses), content


EXPORT_MEDIA_TYPES = {
    "long-csv": "text/csv; charset=utf-8",
    "wide-csv": "application/zip",
    "wide-xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "dictionary": "text/csv; charset=utf-8",
}
