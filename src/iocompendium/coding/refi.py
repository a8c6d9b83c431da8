"""REFI-QDA exchange: a codebook's coding as a ``.qdpx`` project, its codes as ``.qdc``.

The project (``project.qde``, namespace ``urn:QDA-XML:project:1.0``) holds the coders as
Users, the code tree, the organisation's category as a Variable, one Case per
organisation, one TextSource per coded answer (its text in ``sources/<guid>.txt``, UTF-8),
and a PlainTextSelection per segment: ``startPosition``/``endPosition`` are character
offsets (Unicode code points, as Python indexes strings) into the source text. Memos on
codes and segments are Notes. The final (reconciled) coding is written as the coding of
one extra User, "Final coding", so it comes back as final on import.

GUIDs are stable: derived from the codebook's GUID and the answer/organisation, so an
exported project imported back (after coding in QualCoder, NVivo, ATLAS.ti, MAXQDA...)
finds its answers again. Both schemas (REFI-QDA 1.0, MIT licence) ship in ``refi_qda/``.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from xml.etree import ElementTree as ET

from defusedxml import ElementTree as SafeET
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.text import slugify

from iocompendium.atomic import write_bytes_atomic
from iocompendium.coding import selectors
from iocompendium.coding.models import Code, Codebook, Coder, Segment
from iocompendium.coding.services import grant_coder
from iocompendium.responses.models import Answer, AuditEvent
from iocompendium.responses.services import record_event
from iocompendium.web import limits

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
FINAL_USER_NAME = "Final coding"
MAX_PROJECT_BYTES = 200 * 1024 * 1024  # a zip bomb stops here, not in memory


class RefiError(ValueError):
    """A REFI-QDA file that cannot be read: one sentence."""


@cache
def schema(kind: str):
    """The REFI-QDA schema ``Project`` or ``Codebook`` (xmlschema, loaded once)."""
    import xmlschema

    path = resources.files("iocompendium.coding") / "refi_qda" / f"{kind}.xsd"
    with resources.as_file(path) as file:
        return xmlschema.XMLSchema(str(file))


def validate(xml: bytes, kind: str = "Project") -> None:
    errors = list(schema(kind).iter_errors(io.BytesIO(xml)))
    if errors:
        raise RefiError(f"Not a valid REFI-QDA {kind.lower()}: {errors[0].reason}")


def _guid(base: uuid.UUID, name: str) -> str:
    return str(uuid.uuid5(base, name))


def source_guid(codebook: Codebook, answer_id: int) -> str:
    return _guid(codebook.guid, f"answer:{answer_id}")


def final_user_guid(codebook: Codebook) -> str:
    return _guid(codebook.guid, "final-coding")


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _q(tag: str, ns: str = PROJECT_NS) -> str:
    return f"{{{ns}}}{tag}"


def _sub(parent: ET.Element, tag: str, ns: str = PROJECT_NS, **attributes) -> ET.Element:
    return ET.SubElement(parent, _q(tag, ns), {k: v for k, v in attributes.items() if v != ""})


# --- export --------------------------------------------------------------------------------


def _code_elements(parent: ET.Element, codebook: Codebook, ns: str, notes: dict[str, str]
                   ) -> None:
    codes = selectors.codes_of(codebook)
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)

    def add(element: ET.Element, parent_id: int | None) -> None:
        for code in children.get(parent_id, []):
            node = _sub(element, "Code", ns, guid=str(code.guid), name=code.name,
                        isCodable="true", color=code.colour.upper())
            if code.definition_en:
                _sub(node, "Description", ns).text = code.definition_en
            if code.memo and ns == PROJECT_NS:
                note = _guid(code.guid, "memo")
                notes[note] = code.memo
                _sub(node, "NoteRef", targetGUID=note)
            add(node, code.pk)

    add(parent, None)


def export_codebook(codebook: Codebook) -> bytes:
    """The codes as a REFI-QDA codebook (``.qdc``)."""
    ET.register_namespace("", CODEBOOK_NS)
    root = ET.Element(_q("CodeBook", CODEBOOK_NS), {"origin": "iocompendium"})
    _code_elements(_sub(root, "Codes", CODEBOOK_NS), codebook, CODEBOOK_NS, {})
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


@dataclass
class ExportSummary:
    codes: int = 0
    sources: int = 0
    segments: int = 0
    coders: int = 0


def _exported_answers(codebook: Codebook, segments: list[Segment]) -> list[tuple]:
    ids = {s.answer_id for s in segments}
    ids.update(codebook.assignments.values_list("answer_id", flat=True))
    # The respondent unit: an organisation (with its category), a jurisdiction or a key.
    unit = Coalesce("response__organisation__acronym", "response__jurisdiction__code",
                    "response__unit_key")
    category = Coalesce("response__organisation__category", Value(""))
    return list(
        Answer.objects.filter(pk__in=ids).annotate(unit=unit, unit_category=category)
        .order_by("unit", "path").values_list("pk", "path", "value", "unit", "unit_category")
    )


def build_project(codebook: Codebook) -> tuple[bytes, dict[str, str], ExportSummary]:
    """``project.qde`` and the source texts (guid -> text) of a codebook's coding."""
    ET.register_namespace("", PROJECT_NS)
    segments = list(
        Segment.objects.filter(code__codebook=codebook, needs_review=False)
        .select_related("code").order_by("answer_id", "start", "end", "id")
    )
    coders = {c.pk: c for c in Coder.objects.filter(
        pk__in={s.coder_id for s in segments if s.coder_id}
        | set(codebook.assignments.values_list("coder_id", flat=True))
    ).select_related("user")}
    final_guid = final_user_guid(codebook)
    root = ET.Element(_q("Project"), {"name": codebook.title, "origin": "iocompendium",
                                      "creationDateTime": _now()})
    users = _sub(root, "Users")
    for coder in coders.values():
        _sub(users, "User", guid=str(coder.guid), name=coder.user.get_username(),
             id=coder.user.get_username())
    _sub(users, "User", guid=final_guid, name=FINAL_USER_NAME, id="final")
    notes: dict[str, str] = {}
    codes = _sub(_sub(root, "CodeBook"), "Codes")
    _code_elements(codes, codebook, PROJECT_NS, notes)
    variable = _guid(codebook.guid, "variable:category")
    variables = _sub(root, "Variables")
    _sub(variables, "Variable", guid=variable, name="category", typeOfVariable="Text")
    answers = _exported_answers(codebook, segments)
    by_answer: dict[int, list[Segment]] = {}
    for segment in segments:
        by_answer.setdefault(segment.answer_id, []).append(segment)
    cases = _sub(root, "Cases") if answers else None
    case_of: dict[str, ET.Element] = {}
    sources_element = _sub(root, "Sources") if answers else None
    texts: dict[str, str] = {}
    for answer_id, path, value, acronym, category in answers:
        guid = source_guid(codebook, answer_id)
        texts[guid] = value
        if acronym not in case_of:
            case = _sub(cases, "Case", guid=_guid(codebook.guid, f"organisation:{acronym}"),
                        name=acronym)
            if category:
                value_element = _sub(case, "VariableValue")
                _sub(value_element, "VariableRef", targetGUID=variable)
                _sub(value_element, "TextValue").text = category
            case_of[acronym] = case
        _sub(case_of[acronym], "SourceRef", targetGUID=guid)
        source = _sub(sources_element, "TextSource", guid=guid, name=f"{acronym} {path}",
                      plainTextPath=f"internal://{guid}.txt")
        for segment in by_answer.get(answer_id, []):
            user = final_guid if segment.final else str(coders[segment.coder_id].guid)
            selection = _sub(source, "PlainTextSelection", guid=str(segment.guid),
                             name=segment.text[:60], startPosition=str(segment.start),
                             endPosition=str(segment.end), creatingUser=user)
            coding = _sub(selection, "Coding", guid=_guid(segment.guid, "coding"),
                          creatingUser=user)
            _sub(coding, "CodeRef", targetGUID=str(segment.code.guid))
            if segment.memo:
                note = _guid(segment.guid, "memo")
                notes[note] = segment.memo
                _sub(selection, "NoteRef", targetGUID=note)
    if notes:
        notes_element = _sub(root, "Notes")
        for guid, text in notes.items():
            note = _sub(notes_element, "Note", guid=guid, name="memo")
            _sub(note, "PlainTextContent").text = text
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    summary = ExportSummary(len(selectors.codes_of(codebook)), len(answers), len(segments),
                            len(coders))
    return xml, texts, summary


def export_project(codebook: Codebook, destination: Path) -> ExportSummary:
    """Write ``destination`` (.qdpx), built in memory and swapped into place."""
    xml, texts, summary = build_project(codebook)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", xml)
        for guid, text in texts.items():
            archive.writestr(f"sources/{guid}.txt", text.encode("utf-8"))
    write_bytes_atomic(destination, buffer.getvalue())
    return summary


# --- import --------------------------------------------------------------------------------


@dataclass
class ImportSummary:
    codes_created: int = 0
    segments_created: int = 0
    segments_updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.codes_created} codes created, {self.segments_created} segments "
                f"created, {self.segments_updated} updated, {self.unchanged} unchanged, "
                f"{len(self.skipped)} skipped.")


def _read_qdpx(path: Path) -> tuple[bytes, zipfile.ZipFile]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise RefiError(f"{path.name} is not a .qdpx file (a zip archive): {error}") from None
    if sum(info.file_size for info in archive.infolist()) > MAX_PROJECT_BYTES:
        raise RefiError(f"{path.name} is larger than {MAX_PROJECT_BYTES // 2**20} MB unpacked.")
    names = [n for n in archive.namelist() if n.lower().endswith(".qde")]
    if not names:
        raise RefiError(f"{path.name} has no project.qde inside.")
    return archive.read(names[0]), archive


def _source_text(source: ET.Element, archive: zipfile.ZipFile) -> str | None:
    content = source.find(_q("PlainTextContent"))
    if content is not None:
        return content.text or ""
    path = source.get("plainTextPath", "")
    if path.startswith("internal://"):
        name = path[len("internal://"):]
        for candidate in (f"sources/{name}", f"Sources/{name}"):
            if candidate in archive.namelist():
                return archive.read(candidate).decode("utf-8")
    return None


class _Importer:
    def __init__(self, codebook: Codebook, user: AbstractBaseUser | None) -> None:
        self.codebook = codebook
        self.user = user
        self.summary = ImportSummary()
        self.codes_by_guid = {str(c.guid): c for c in selectors.codes_of(codebook)}
        self.codes_by_name = {c.name: c for c in self.codes_by_guid.values()}
        self.coders: dict[str, Coder | None] = {final_user_guid(codebook): None}
        self.notes: dict[str, str] = {}

    def codes(self, parent_element: ET.Element, parent: Code | None,
              ns: str = PROJECT_NS) -> None:
        for element in parent_element.findall(_q("Code", ns)):
            guid, name = element.get("guid", "").strip("{}").lower(), element.get("name", "")
            code = self.codes_by_guid.get(guid) or self.codes_by_name.get(name)
            if code is None:
                description = element.findtext(_q("Description", ns)) or ""
                code = Code.objects.create(
                    codebook=self.codebook, name=name[:100] or guid, label_en=name[:200],
                    definition_en=description, parent=parent,
                    colour=(element.get("color") or "#1f77b4")[:7],
                    position=len(self.codes_by_guid),
                )
                self.summary.codes_created += 1
            memo = self._note_of(element)
            if memo and memo != code.memo:
                code.memo = memo
                code.save(update_fields=["memo"])
            self.codes_by_guid[guid] = code
            self.codes_by_name[code.name] = code
            self.codes(element, code, ns)

    def _note_of(self, element: ET.Element) -> str:
        refs = [self.notes.get(ref.get("targetGUID", "").strip("{}").lower(), "")
                for ref in element.findall(_q("NoteRef"))]
        return "\n\n".join(text for text in refs if text)

    def users(self, root: ET.Element) -> None:
        by_guid = {str(c.guid): c for c in Coder.objects.select_related("user")}
        by_name = {c.user.get_username(): c for c in by_guid.values()}
        for element in root.iterfind(f"{_q('Users')}/{_q('User')}"):
            guid = element.get("guid", "").strip("{}").lower()
            if guid in self.coders:
                continue
            name = element.get("name") or element.get("id") or guid
            coder = by_guid.get(guid) or by_name.get(name)
            if coder is None:
                account, _created = get_user_model().objects.get_or_create(
                    username=(slugify(name) or guid)[:150])
                if _created:
                    account.set_unusable_password()
                    account.save()
                coder = grant_coder(account, granted_by=self.user)
            self.coders[guid] = coder

    def sources(self, root: ET.Element, archive: zipfile.ZipFile) -> None:
        answers = dict(Answer.objects.filter(
            response__version__questionnaire_id=self.codebook.questionnaire_id
        ).exclude(value="").values_list("pk", "value")) if self.codebook.questionnaire_id else {}
        by_guid = {source_guid(self.codebook, pk): pk for pk in answers}
        for source in root.iterfind(f"{_q('Sources')}/{_q('TextSource')}"):
            guid = source.get("guid", "").strip("{}").lower()
            answer_id = by_guid.get(guid)
            if answer_id is None:
                self.summary.skipped.append(f"source {source.get('name', guid)}: not an answer "
                                            "of this questionnaire")
                continue
            text = _source_text(source, archive)
            self.selections(source, answer_id, answers[answer_id], text)

    def selections(self, source: ET.Element, answer_id: int, value: str,
                   text: str | None) -> None:
        answer = Answer.objects.select_related("response").get(pk=answer_id)
        for selection in source.findall(_q("PlainTextSelection")):
            start = int(selection.get("startPosition", "0"))
            end = int(selection.get("endPosition", "0"))
            label = f"{source.get('name', '')} [{start}:{end}]"
            # Only where the coded text is the answer's current text at the same place.
            if not 0 <= start < end <= len(value) or (
                text is not None and text[start:end] != value[start:end]
            ):
                self.summary.skipped.append(f"{label}: the answer's text changed")
                continue
            memo = self._note_of(selection)
            codings = selection.findall(_q("Coding"))
            for coding in codings:
                ref = coding.find(_q("CodeRef"))
                code = None if ref is None else self.codes_by_guid.get(
                    ref.get("targetGUID", "").strip("{}").lower())
                user_guid = (coding.get("creatingUser") or selection.get("creatingUser")
                             or "").strip("{}").lower()
                if code is None or user_guid not in self.coders:
                    self.summary.skipped.append(f"{label}: unknown code or coder")
                    continue
                guid = selection.get("guid", "").strip("{}").lower()
                if len(codings) > 1:
                    guid = str(uuid.uuid5(uuid.UUID(guid), str(code.guid)))
                self.segment(answer, code, self.coders[user_guid], start, end, guid, memo)

    def segment(self, answer: Answer, code: Code, coder: Coder | None, start: int, end: int,
                guid: str, memo: str) -> None:
        final = coder is None
        existing = Segment.objects.filter(guid=guid, code__codebook=self.codebook).first()
        if existing is not None:
            if (existing.code_id, existing.coder_id, existing.start, existing.end,
                    existing.memo) == (code.pk, coder.pk if coder else None, start, end, memo):
                self.summary.unchanged += 1
                return
            old = f"{existing.code.name} [{existing.start}:{existing.end}]"
            existing.code, existing.coder, existing.final = code, coder, final
            existing.start, existing.end, existing.memo = start, end, memo
            existing.text, existing.needs_review = answer.value[start:end], False
            existing.save()
            self._audit(answer, old, f"{code.name} [{start}:{end}]")
            self.summary.segments_updated += 1
            return
        if Segment.objects.filter(guid=guid).exists():
            guid = str(uuid.uuid4())  # the GUID belongs to another codebook's segment
        duplicate = Segment.objects.filter(code=code, answer=answer, coder=coder, final=final,
                                           start=start, end=end).exists()
        if duplicate:
            self.summary.unchanged += 1
            return
        Segment.objects.create(
            guid=guid, code=code, answer=answer, coder=coder, final=final, start=start,
            end=end, text=answer.value[start:end], memo=memo, source=Segment.Source.IMPORT,
            created_by=self.user if self.user and self.user.is_authenticated else None,
        )
        self._audit(answer, "", f"{code.name} [{start}:{end}]")
        self.summary.segments_created += 1

    def _audit(self, answer: Answer, old: str, new: str) -> None:
        record_event(answer.response, user=self.user, action="coding", path=answer.path,
                     old_value=old, new_value=new, via=AuditEvent.Via.IMPORT)


def import_project(codebook: Codebook, path: Path, *, user: AbstractBaseUser | None
                   ) -> ImportSummary:
    """Bring a ``.qdpx`` project's coding back, in one transaction (all or nothing).

    Codes are matched by GUID then name (new codes are created), coders by GUID then user
    name (new ones become coders), sources by the GUID the export gave them. Segments are
    added or updated, never moved: one whose text differs from the answer's current text
    at the same place is skipped and listed."""
    xml, archive = _read_qdpx(Path(path))
    with archive:
        # Parsed without DTDs or entities (a crafted file cannot expand or fetch them).
        try:
            limits.check_xml_depth(xml, "project.qde")
        except limits.LimitError as error:
            raise RefiError(f"{Path(path).name}: {error}") from None
        try:
            root = SafeET.fromstring(xml, forbid_dtd=True)
        except (ET.ParseError, ValueError) as error:  # defusedxml's errors are ValueErrors
            raise RefiError(f"{Path(path).name}: project.qde is not readable XML ({error}).")\
                from None
        validate(xml, "Project")
        with transaction.atomic():
            importer = _Importer(codebook, user)
            for note in root.iterfind(f"{_q('Notes')}/{_q('Note')}"):
                importer.notes[note.get("guid", "").strip("{}").lower()] = (
                    note.findtext(_q("PlainTextContent")) or "")
            importer.users(root)
            codes = root.find(f"{_q('CodeBook')}/{_q('Codes')}")
            if codes is not None:
                importer.codes(codes, None)
            importer.sources(root, archive)
    return importer.summary


def import_codebook(codebook: Codebook, path: Path, *, user: AbstractBaseUser | None
                    ) -> ImportSummary:
    """Add a REFI-QDA codebook's (``.qdc``) codes to ``codebook``, in one transaction.

    Codes are matched by GUID then name: a code already in the codebook is kept as it is
    (its memo aside), a new one is created under its parent with its description as the
    English definition and its colour. The file is parsed without DTDs or entities and
    validated against the REFI-QDA Codebook schema first."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RefiError(f"{path.name} cannot be read: {error}") from None
    if len(data) > MAX_PROJECT_BYTES:
        raise RefiError(f"{path.name} is larger than {MAX_PROJECT_BYTES // 2**20} MB.")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except (ET.ParseError, ValueError) as error:
        raise RefiError(f"{path.name} is not readable XML ({error}).") from None
    validate(data, "Codebook")
    with transaction.atomic():
        importer = _Importer(codebook, user)
        codes = root.find(f"{_q('Codes', CODEBOOK_NS)}")
        if codes is not None:
            importer.codes(codes, None, CODEBOOK_NS)
    return importer.summary
