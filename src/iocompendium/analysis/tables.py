"""Tables of a survey's answers, each with explicit denominators (pure pandas, no Django).

Input: the questionnaire structure, the answers as a *tidy long table* (one row per answer,
columns ``TIDY_COLUMNS``; ``question`` is the template path, ``value`` the stored text,
select_multiple values space-separated), the *respondents* (organisation, category: every
organisation with a response in the analysed set, answered or not) and optionally a
*relevance table* (organisation, question, relevant) saying to whom each question applied.

Every table carries two counts of organisations:

* ``denominator``: organisations to whom the question was relevant (all respondents when
  no relevance table is given);
* ``answered``: organisations who gave an answer ("29 of 36").

Shares are of ``answered`` (organisations) or of the answered instances for questions
inside a repeat group (e.g. instruments), whose option counts are counts of instances.
Everything is computed with vectorised ``groupby`` over the whole table, never per
organisation in Python, so 5,000 organisations stay fast.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from iocompendium.analysis.questions import (
    QuestionInfo,
    RepeatInfo,
    ThemeInfo,
    catalogue,
    repeats,
    themes,
)
from iocompendium.questionnaires.structure import Structure

TIDY_COLUMNS = ["organisation", "category", "status", "path", "question", "repeat_index", "value"]
RELEVANCE_COLUMNS = ["organisation", "question", "relevant"]
ONE_CHOICE_TYPES = frozenset({"select_one", "select_one_from_file", "select_one_external",
                              "acknowledge", "trigger"})
MANY_CHOICE_TYPES = frozenset({"select_multiple", "select_multiple_from_file"})
SELECT_TYPES = ONE_CHOICE_TYPES | MANY_CHOICE_TYPES
NUMBER_TYPES = frozenset({"integer", "decimal", "range"})
DATE_TYPES = frozenset({"date", "datetime"})
GEO_TYPES = frozenset({"geopoint", "geotrace", "geoshape"})
FILE_TYPES = frozenset({"image", "audio", "video", "file", "osm"})
HISTOGRAM_BINS = 10
UNIT_ORGANISATIONS = "organisations"
UNIT_INSTANCES = "instances"
# Text answers inside repeats (e.g. the instrument type "as the IO names it") are counted by
# value; only the most frequent values are listed.
TOP_TEXT_VALUES = 15


@dataclass
class OptionCount:
    name: str
    label: str
    count: int  # organisations, or instances for a question inside a repeat
    share: float | None  # count / answered (organisations or instances)
    organisations: int | None = None  # for questions inside repeats: organisations choosing it


@dataclass
class Quote:
    organisation: str
    category: str
    path: str
    text: str


@dataclass
class CrossTab:
    """Option x organisation category: counts of organisations and their shares."""

    categories: list[str]
    answered_by_category: dict[str, int]
    rows: list[tuple[str, str, dict[str, int]]]  # (option name, option label, counts)

    def share(self, counts: dict[str, int], category: str) -> float | None:
        base = self.answered_by_category.get(category, 0)
        return counts.get(category, 0) / base if base else None


@dataclass
class Table:
    key: str  # template path of the question (or of the repeat group)
    name: str
    type: str  # the question type, or "repeat"
    kind: str  # frequency | multiple | numeric | date | text | text_counts | repeat
    label: str
    theme: str
    denominator: int
    answered: int
    unit: str = UNIT_ORGANISATIONS
    answered_instances: int | None = None
    options: list[OptionCount] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    quotes: list[Quote] = field(default_factory=list)
    crosstab: CrossTab | None = None
    per_organisation: list[tuple[str, int]] = field(default_factory=list)
    position: int = 0
    # A table of codes applied to a text question's answers (analysis/coded.py): the key
    # of that question, and the coders' agreement.
    coded_from: str = ""
    agreement: dict[str, Any] = field(default_factory=dict)
    # (problem, units) for the answers kept with a data problem (not_in_list,
    # missing_required, constraint, type): never counted in ``options`` or ``answered``.
    flagged: list[tuple[str, int]] = field(default_factory=list)

    @property
    def is_select(self) -> bool:
        return self.kind in {"frequency", "multiple"}


@dataclass
class ThemeTables:
    theme: ThemeInfo
    tables: list[Table]


@dataclass
class Analysis:
    respondents: int
    respondents_by_category: dict[str, int]
    themes: list[ThemeTables]

    @property
    def tables(self) -> list[Table]:
        return [table for theme in self.themes for table in theme.tables]

    def table(self, key: str) -> Table:
        """The table of a question by template path or by name."""
        for table in self.tables:
            if key in (table.key, table.name):
                return table
        raise KeyError(key)


# --------------------------------------------------------------------------- preparation


def empty_answers() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype="object") for column in TIDY_COLUMNS})


def respondents_from_answers(answers: pd.DataFrame) -> pd.DataFrame:
    """Respondents when only the answers are known: every organisation with an answer."""
    return answers[["organisation", "category"]].drop_duplicates("organisation")


@dataclass
class _Prepared:
    """The kept answers (``frame``: organisation, path, question, value, category, in the
    answers' order) and the same rows as integer codes, so that every count below is a
    pass over integers instead of a hash of millions of strings (at 50,000 respondents the
    grouping by text columns was most of the analysis)."""

    frame: pd.DataFrame
    org: np.ndarray  # position of the row's organisation in ``organisations``
    question: np.ndarray  # position of the row's question in ``paths``
    value: np.ndarray  # position of the row's (stripped) value in ``values``
    category: np.ndarray  # position of its organisation's category in ``categories`` (-1: none)
    organisations: np.ndarray
    paths: list[str]
    values: np.ndarray
    categories: list[str]
    relevant: np.ndarray | None  # organisations x questions: the question applied

    def rows_by_question(self) -> dict[int, np.ndarray]:
        """Question code -> positions of its rows, in the rows' order."""
        order = np.argsort(self.question, kind="stable")
        bounds = np.flatnonzero(np.diff(self.question[order])) + 1
        return {int(self.question[group[0]]): group for group in np.split(order, bounds)
                if len(group)}


def _codes(column: pd.Series, index: pd.Index) -> np.ndarray:
    """The position of each value of ``column`` in ``index`` (-1: not in it); a categorical
    column is looked up by its categories only."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        found = index.get_indexer(column.cat.categories)
        codes = column.cat.codes.to_numpy()
        return np.where(codes >= 0, found[codes], -1)
    return index.get_indexer(column)


def _prepared(
    answers: pd.DataFrame,
    respondents: pd.DataFrame,
    questions: dict[str, QuestionInfo],
    relevance: pd.DataFrame | None,
) -> _Prepared:
    """Non-empty answers of respondents to analysed questions (and relevant, if known)."""
    organisations = pd.Index(respondents["organisation"])
    paths = list(questions)
    path_index = pd.Index(paths)
    org = _codes(answers["organisation"], organisations)
    question = _codes(answers["question"], path_index)
    # Values are stripped and tested once per distinct value, not once per answer.
    raw_codes, raw_values = pd.factorize(answers["value"])
    stripped = np.array([str(v).strip() for v in raw_values], dtype=object)
    value_codes, values = pd.factorize(stripped)
    value_codes = np.append(value_codes, -1)[raw_codes]  # a missing value stays -1
    empty = np.flatnonzero(values == "")
    keep = (org >= 0) & (question >= 0) & (value_codes >= 0)
    if len(empty):
        keep &= value_codes != empty[0]
    relevant = None
    if relevance is not None:
        relevant = np.zeros((len(organisations), len(paths)), dtype=bool)
        applied = relevance.loc[relevance["relevant"].to_numpy(dtype=bool)]
        r_org = _codes(applied["organisation"], organisations)
        r_question = _codes(applied["question"], path_index)
        known = (r_org >= 0) & (r_question >= 0)
        relevant[r_org[known], r_question[known]] = True
        # Answers left over from before a skip changed do not count.
        keep &= relevant[np.where(keep, org, 0), np.where(keep, question, 0)]
    rows = np.flatnonzero(keep)
    org, question, value_codes = org[rows], question[rows], value_codes[rows]
    # The registry's category is the one cross-tabs use, whatever the answer table says.
    org_categories = respondents["category"].to_numpy(dtype=object)
    category_codes, category_names = pd.factorize(org_categories, sort=True)
    values = np.asarray(values, dtype=object)
    frame = pd.DataFrame({
        "organisation": organisations.to_numpy(dtype=object)[org],
        "path": answers["path"].to_numpy(dtype=object)[rows],
        "question": np.asarray(paths, dtype=object)[question],
        "value": values[value_codes],
        "category": org_categories[org],
    })
    return _Prepared(frame, org, question, value_codes, category_codes[org],
                     organisations.to_numpy(dtype=object), paths, values,
                     [str(c) for c in category_names], relevant)


def _denominators(
    questions: dict[str, QuestionInfo],
    respondents: pd.DataFrame,
    prepared: _Prepared,
) -> dict[str, int]:
    if prepared.relevant is None:
        everyone = int(respondents["organisation"].nunique())
        return dict.fromkeys(questions, everyone)
    counts = prepared.relevant.sum(axis=0)
    return {path: int(counts[i]) for i, path in enumerate(prepared.paths)}


def _counts(keys: list[np.ndarray], sizes: list[int], unit: np.ndarray | None = None,
            units: int = 0) -> dict[tuple[int, ...], int]:
    """Per distinct combination of the integer ``keys`` (each code array below its size in
    ``sizes``): its rows, or with ``unit`` its distinct units (codes below ``units``)."""
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    for key, size in zip(keys, sizes, strict=True):
        combined = combined * size + key
    if unit is not None:
        combined = _distinct(combined * units + unit) // units
    groups, counts = np.unique(combined, return_counts=True)
    decoded = []
    for size in reversed(sizes):
        decoded.append(groups % size)
        groups = groups // size
    columns = [column.tolist() for column in reversed(decoded)]
    return {tuple(combo): n for combo, n in zip(zip(*columns, strict=True),
                                                 counts.tolist(), strict=True)}


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted: a sort and a comparison of neighbours (NumPy 2's
    ``np.unique`` without counts took 4 s for 4 million integers, this 0.3 s)."""
    ordered = np.sort(values)
    if not len(ordered):
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _selections(prepared: _Prepared, select_rows: np.ndarray, multiple: np.ndarray,
                path_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(rows, option codes, option names): one row per chosen option; select_multiple
    values are space-separated, split once per distinct value, and an option chosen
    twice at one path counts once."""
    names = list(prepared.values)
    position = {name: i for i, name in enumerate(names)}
    single = select_rows[~multiple]
    many = select_rows[multiple]
    tokens_of: dict[int, list[int]] = {}
    for code in np.unique(prepared.value[many]):
        tokens = []
        for token in names[code].split():
            if token not in position:
                position[token] = len(names)
                names.append(token)
            tokens.append(position[token])
        tokens_of[int(code)] = tokens
    counts = np.array([len(tokens_of[int(c)]) for c in prepared.value[many]], dtype=np.int64)
    exploded_rows = np.repeat(many, counts)
    exploded_options = np.fromiter(
        (t for c in prepared.value[many] for t in tokens_of[int(c)]), dtype=np.int64,
        count=int(counts.sum()))
    if len(exploded_rows):
        keys = pd.DataFrame({"o": prepared.org[exploded_rows],
                             "p": path_codes[exploded_rows], "v": exploded_options})
        first = ~keys.duplicated().to_numpy()
        exploded_rows, exploded_options = exploded_rows[first], exploded_options[first]
    rows = np.concatenate([single, exploded_rows])
    options = np.concatenate([prepared.value[single], exploded_options])
    return rows, options, names


# --------------------------------------------------------------------------- analysis


def analyse(
    structure: Structure,
    answers: pd.DataFrame,
    *,
    lang: str = "en",
    respondents: pd.DataFrame | None = None,
    relevance: pd.DataFrame | None = None,
    max_quotes: int | None = None,
    flags: pd.DataFrame | None = None,
) -> Analysis:
    """Every table of the questionnaire, grouped by theme (top-level section), form order.

    ``flags`` (organisation, question, flag): answers kept with a data problem, counted per
    table by problem (units with such an answer) in ``Table.flagged``."""
    if respondents is None:
        respondents = respondents_from_answers(answers)
    respondents = respondents.drop_duplicates("organisation")
    question_list = catalogue(structure, lang)
    questions = {q.path: q for q in question_list}
    prepared = _prepared(answers, respondents, questions, relevance)
    frame = prepared.frame
    denominators = _denominators(questions, respondents, prepared)
    paths, n_questions, n_orgs = prepared.paths, len(prepared.paths), len(prepared.organisations)
    q_codes, org_codes = prepared.question, prepared.org
    answered = {paths[q]: n for (q,), n in
                _counts([q_codes], [n_questions], org_codes, n_orgs).items()}
    instances = {paths[q]: int(n) for q, n in
                 enumerate(np.bincount(q_codes, minlength=n_questions))}
    by_question = prepared.rows_by_question()
    code_of = {path: i for i, path in enumerate(paths)}
    no_rows = np.zeros(0, dtype=np.int64)

    def rows_of(types: frozenset[str] | set[str], inside: bool = True) -> np.ndarray:
        """Positions of the rows whose question's type is (or is not) in ``types``."""
        wanted = np.array([(questions[p].type in types) == inside for p in paths], dtype=bool)
        return np.flatnonzero(wanted[q_codes]) if n_questions else no_rows

    def question_rows(path: str) -> pd.DataFrame:
        return frame.iloc[by_question.get(code_of[path], no_rows)]

    select_rows = rows_of(SELECT_TYPES)
    many = np.array([questions[p].type in MANY_CHOICE_TYPES for p in paths], dtype=bool)
    multiple = many[q_codes[select_rows]] if n_questions else np.zeros(0, dtype=bool)
    path_codes = np.full(len(frame), -1, dtype=np.int64)
    path_codes[select_rows[multiple]] = pd.factorize(
        frame["path"].to_numpy()[select_rows[multiple]])[0]
    rows, options, option_names = _selections(prepared, select_rows, multiple, path_codes)
    n_options, n_categories = len(option_names), max(len(prepared.categories), 1)
    chosen_q, chosen_org, chosen_cat = q_codes[rows], org_codes[rows], prepared.category[rows]
    option_orgs: dict[str, dict[str, int]] = {}
    for (q, v), n in _counts([chosen_q, options], [n_questions, n_options], chosen_org,
                             n_orgs).items():
        option_orgs.setdefault(paths[q], {})[option_names[v]] = n
    option_instances: dict[str, dict[str, int]] = {}
    for (q, v), n in _counts([chosen_q, options], [n_questions, n_options]).items():
        option_instances.setdefault(paths[q], {})[option_names[v]] = n
    # Cross-tabs: per question, option -> category -> organisations (categories in order).
    by_category: dict[str, dict[str, dict[str, int]]] = {}
    with_category = chosen_cat >= 0
    for (q, v, c), n in _counts(
            [chosen_q[with_category], options[with_category], chosen_cat[with_category]],
            [n_questions, n_options, n_categories], chosen_org[with_category], n_orgs).items():
        by_category.setdefault(paths[q], {}).setdefault(option_names[v], {})[
            prepared.categories[c]] = n
    answered_by_category: dict[str, dict[str, int]] = {}
    select_cat = prepared.category[select_rows]
    with_category = select_cat >= 0
    for (q, c), n in _counts(
            [q_codes[select_rows][with_category], select_cat[with_category]],
            [n_questions, n_categories], org_codes[select_rows][with_category],
            n_orgs).items():
        answered_by_category.setdefault(paths[q], {})[prepared.categories[c]] = n
    numbers = _number_summaries(frame.iloc[rows_of(NUMBER_TYPES)])
    dates = _date_summaries(frame.iloc[rows_of(DATE_TYPES)])
    special = SELECT_TYPES | NUMBER_TYPES | DATE_TYPES | GEO_TYPES | FILE_TYPES | {"rank", "time"}
    text_frame = frame.iloc[rows_of(special, inside=False)]
    text_counts = _text_value_counts(text_frame)

    categories = sorted({str(c) for c in respondents["category"].dropna().unique()})

    flag_counts = _flag_counts(flags, respondents)
    tables: list[Table] = []
    for q in question_list:
        table = Table(
            key=q.path,
            name=q.name,
            type=q.type,
            kind="",
            label=q.label,
            theme=q.theme,
            denominator=denominators[q.path],
            answered=int(answered.get(q.path, 0)),
            position=q.position,
            flagged=flag_counts.get(q.path, []),
        )
        if q.in_repeat:
            table.unit = UNIT_INSTANCES
            table.answered_instances = int(instances.get(q.path, 0))
        if q.type in SELECT_TYPES:
            table.kind = "frequency" if q.type in ONE_CHOICE_TYPES else "multiple"
            table.options = _options(
                q, option_orgs.get(q.path, {}), option_instances.get(q.path, {}), table)
            if not q.in_repeat:
                table.crosstab = _crosstab(q, by_category.get(q.path, {}),
                                           answered_by_category.get(q.path, {}), categories)
        elif q.type in NUMBER_TYPES:
            table.kind = "numeric"
            table.summary = numbers.get(q.path, _empty_summary())
        elif q.type in DATE_TYPES:
            table.kind = "date"
            table.summary = dates.get(q.path, {"n": 0, "earliest": None, "latest": None,
                                               "distribution": []})
        elif q.type == "rank":
            table.kind = "rank"
            table.options = _rank_options(q, question_rows(q.path), table)
        elif q.type in GEO_TYPES:
            table.kind = "geo"
            table.summary = _geo_summary(question_rows(q.path))
        elif q.type in FILE_TYPES:
            table.kind = "files"
            table.summary = {"n": int(instances.get(q.path, 0))}
        elif q.type == "time":
            table.kind = "time"
            table.summary = _time_summary(question_rows(q.path))
        elif q.in_repeat:
            table.kind = "text_counts"
            table.options, table.summary = _text_options(text_counts, q.path, table)
        else:
            table.kind = "text"
            table.quotes = _quotes(question_rows(q.path), max_quotes)
        tables.append(table)
    tables.extend(_repeat_tables(structure, lang, frame, respondents))
    return Analysis(
        respondents=int(respondents["organisation"].nunique()),
        respondents_by_category={
            str(k): int(v)
            for k, v in respondents.groupby("category")["organisation"].nunique().items()
        },
        themes=_by_theme(themes(structure, lang), tables),
    )


def analyse_languages(
    structure: Structure,
    answers: pd.DataFrame,
    languages: Sequence[str],
    **options: Any,
) -> dict[str, Analysis]:
    """``analyse`` in each of ``languages``: the counts are computed once (in the first
    language) and the other languages get the same tables relabelled, since only labels
    depend on the language (at 50,000 respondents an analysis per language doubled the
    cost of publishing). ``options``: those of ``analyse``."""
    first, *others = languages
    analysis = analyse(structure, answers, lang=first, **options)
    found = {first: analysis}
    for lang in others:
        found[lang] = relabelled(analysis, structure, lang)
    return found


def relabelled(analysis: Analysis, structure: Structure, lang: str) -> Analysis:
    """The tables of ``analysis`` with the labels of ``lang`` (questions, options, cross-tab
    rows, repeats, themes), labelled as ``analyse`` labels them; the counts, summaries and
    quotes are shared with ``analysis``, not copied."""
    questions = {q.path: q for q in catalogue(structure, lang)}
    repeat_labels = {r.path: r.label for r in repeats(structure, lang)}
    theme_infos = {t.path: t for t in themes(structure, lang)}

    def table_in(table: Table) -> Table:
        if table.kind == "repeat":
            return replace(table, label=repeat_labels.get(table.key, table.label))
        q = questions.get(table.key)
        if q is None or table.coded_from:
            return table  # not a table of analyse (codes: labelled by the coding layer)
        labels = {c.name: c.label for c in q.choices}
        options = table.options
        if table.kind != "text_counts":  # counted text values are their own labels
            options = [replace(o, label=labels.get(o.name, o.name)) for o in options]
        crosstab = table.crosstab
        if crosstab is not None:
            crosstab = replace(crosstab, rows=[(name, labels.get(name, name), counts)
                                               for name, _label, counts in crosstab.rows])
        return replace(table, label=q.label, options=options, crosstab=crosstab)

    return Analysis(
        respondents=analysis.respondents,
        respondents_by_category=dict(analysis.respondents_by_category),
        themes=[ThemeTables(theme_infos.get(group.theme.path, group.theme),
                            [table_in(table) for table in group.tables])
                for group in analysis.themes],
    )


FLAG_ORDER = ("not_in_list", "missing_required", "constraint", "type")


def _flag_counts(
    flags: pd.DataFrame | None, respondents: pd.DataFrame
) -> dict[str, list[tuple[str, int]]]:
    """Question -> [(problem, units)] in a fixed order of problems."""
    if flags is None or flags.empty:
        return {}
    kept = flags[flags["organisation"].isin(respondents["organisation"])]
    counts = kept.groupby(["question", "flag"])["organisation"].nunique()
    found: dict[str, list[tuple[str, int]]] = {}
    for (question, flag), count in sorted(
        counts.items(), key=lambda item: (item[0][0], FLAG_ORDER.index(item[0][1])
                                          if item[0][1] in FLAG_ORDER else 9)
    ):
        found.setdefault(str(question), []).append((str(flag), int(count)))
    return found


def _options(
    q: QuestionInfo, orgs: dict[str, int], instances: dict[str, int], table: Table
) -> list[OptionCount]:
    """Every choice in form order, then values outside the choice list (e.g. legacy codes)."""
    names = [c.name for c in q.choices] + sorted(set(orgs) - {c.name for c in q.choices})
    labels = {c.name: c.label for c in q.choices}
    base = table.answered_instances if q.in_repeat else table.answered
    options = []
    for name in names:
        count = instances.get(name, 0) if q.in_repeat else orgs.get(name, 0)
        options.append(
            OptionCount(
                name=name,
                label=labels.get(name, name),
                count=int(count),
                share=(count / base) if base else None,
                organisations=int(orgs.get(name, 0)) if q.in_repeat else None,
            )
        )
    return options


def _crosstab(
    q: QuestionInfo,
    counts: dict[str, dict[str, int]],
    answered: dict[str, int],
    ordered: list[str],
) -> CrossTab | None:
    """``counts``: option -> category -> organisations choosing it; ``answered``: category
    -> organisations answering; ``ordered``: the respondents' categories (breakdown
    values), sorted, as text."""
    if counts and all(set(row) <= {value} for value, row in counts.items()):
        # The question restates the category itself (organisation/category): no cross-tab.
        return None
    names = [c.name for c in q.choices] + sorted(set(counts) - {c.name for c in q.choices})
    labels = {c.name: c.label for c in q.choices}
    return CrossTab(
        categories=ordered,
        answered_by_category={c: answered.get(c, 0) for c in ordered},
        rows=[(name, labels.get(name, name), counts.get(name, {})) for name in names],
    )


def _empty_summary() -> dict[str, Any]:
    return {"n": 0, "mean": None, "median": None, "q1": None, "q3": None, "min": None,
            "max": None, "distribution": []}


def _histogram(values: pd.Series) -> list[dict[str, Any]]:
    """Counts in up to ``HISTOGRAM_BINS`` equal bins (one bin per value when few)."""
    import numpy as np

    distinct = sorted(values.unique())
    if len(distinct) <= HISTOGRAM_BINS:
        counts = values.value_counts()
        return [{"low": float(v), "high": float(v), "count": int(counts[v])} for v in distinct]
    counts, edges = np.histogram(values.to_numpy(dtype="float64"), bins=HISTOGRAM_BINS)
    return [{"low": float(edges[i]), "high": float(edges[i + 1]), "count": int(counts[i])}
            for i in range(len(counts))]


def _rank_options(q: QuestionInfo, frame: pd.DataFrame, table: Table) -> list[OptionCount]:
    """Per choice: the mean rank given to it (``share`` holds it) and the number of
    answers ranking it first (``count``)."""
    ranks: dict[str, list[int]] = {}
    first: dict[str, int] = {}
    for value in frame["value"]:
        names = value.split()
        for position, name in enumerate(names, start=1):
            ranks.setdefault(name, []).append(position)
        if names:
            first[names[0]] = first.get(names[0], 0) + 1
    names = [c.name for c in q.choices] + sorted(set(ranks) - {c.name for c in q.choices})
    labels = {c.name: c.label for c in q.choices}
    return [
        OptionCount(name=name, label=labels.get(name, name), count=first.get(name, 0),
                    share=(sum(ranks[name]) / len(ranks[name])) if ranks.get(name) else None,
                    organisations=len(ranks.get(name, [])))
        for name in names
    ]


def _geo_summary(frame: pd.DataFrame) -> dict[str, Any]:
    """The points answered (latitude, longitude of each answer's first point)."""
    points = []
    for value in frame["value"]:
        parts = value.split(";")[0].split()
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except (IndexError, ValueError):
            continue
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            points.append((lat, lon))
    return {"n": len(points), "points": points}


def _time_summary(frame: pd.DataFrame) -> dict[str, Any]:
    hours = pd.to_numeric(frame["value"].str.slice(0, 2), errors="coerce").dropna()
    counts = hours.astype(int).value_counts().sort_index()
    return {"n": int(len(hours)),
            "distribution": [{"hour": int(h), "count": int(n)} for h, n in counts.items()]}


def _number_summaries(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    numbers = frame.assign(number=pd.to_numeric(frame["value"], errors="coerce")).dropna(
        subset=["number"]
    )
    if numbers.empty:
        return {}
    grouped = numbers.groupby("question")["number"]
    stats = grouped.agg(["count", "mean", "median", "min", "max"])
    q1, q3 = grouped.quantile(0.25), grouped.quantile(0.75)
    # One pass over the rows (a mask per question was a pass per question).
    by_question = dict(iter(grouped))
    return {
        str(path): {
            "n": int(row["count"]),
            "mean": float(row["mean"]),
            "median": float(row["median"]),
            "q1": float(q1[path]),
            "q3": float(q3[path]),
            "min": float(row["min"]),
            "max": float(row["max"]),
            "distribution": _histogram(by_question[path]),
        }
        for path, row in stats.iterrows()
    }


def _date_summaries(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    dates = frame.assign(
        date=pd.to_datetime(frame["value"].str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    ).dropna(subset=["date"])
    if dates.empty:
        return {}
    grouped = dates.groupby("question")["date"].agg(["count", "min", "max"])
    return {
        str(path): {
            "n": int(row["count"]),
            "earliest": row["min"].date().isoformat(),
            "latest": row["max"].date().isoformat(),
            "distribution": _over_time(dates.loc[dates["question"] == path, "date"]),
        }
        for path, row in grouped.iterrows()
    }


def _over_time(dates: pd.Series) -> list[dict[str, Any]]:
    """Counts per month, or per year when the dates span more than five years."""
    span_years = (dates.max() - dates.min()).days / 365.25
    period = dates.dt.strftime("%Y" if span_years > 5 else "%Y-%m")
    counts = period.value_counts().sort_index()
    return [{"period": str(p), "count": int(n)} for p, n in counts.items()]


_SPACES = re.compile(r"\s+")


def _text_value_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts of text values per question, case and spacing ignored, most frequent first."""
    if frame.empty:
        return pd.DataFrame(columns=["question", "key", "label", "count", "organisations"])
    # Keyword lists ("data;statistics", as the instrument subjects allow) count per keyword.
    words = frame.assign(value=frame["value"].str.split(";")).explode("value")
    words = words.assign(value=words["value"].str.strip())
    words = words[words["value"] != ""].drop_duplicates(["organisation", "path", "value"])
    keyed = words.assign(key=words["value"].str.replace(_SPACES, " ", regex=True).str.casefold())
    grouped = keyed.groupby(["question", "key"]).agg(
        count=("value", "size"),
        organisations=("organisation", "nunique"),
        # The most frequent spelling names the group.
        label=("value", lambda values: values.mode().iat[0]),
    )
    return grouped.reset_index().sort_values(
        ["question", "count", "key"], ascending=[True, False, True]
    )


def _text_options(
    counts: pd.DataFrame, path: str, table: Table
) -> tuple[list[OptionCount], dict[str, Any]]:
    rows = counts[counts["question"] == path]
    if rows.empty or int(rows["organisations"].max()) <= 1:
        # No value shared by two organisations (e.g. titles): a count table says nothing.
        return [], {"distinct": int(len(rows)), "listed": 0}
    base = table.answered_instances or 0
    options = [
        OptionCount(
            name=str(row.key),
            label=str(row.label),
            count=int(row.count),
            share=(row.count / base) if base else None,
            organisations=int(row.organisations),
        )
        for row in rows.head(TOP_TEXT_VALUES).itertuples()
    ]
    return options, {"distinct": int(len(rows)), "listed": len(options)}


def _quotes(frame: pd.DataFrame, limit: int | None) -> list[Quote]:
    """``frame``: the rows of one question."""
    rows = frame.sort_values(["organisation", "path"])
    if limit is not None:
        rows = rows.head(limit)
    return [
        Quote(str(r.organisation), str(r.category), str(r.path), str(r.value))
        for r in rows.itertuples()
    ]


def _instance_pattern(repeat_path: str) -> str:
    """A regex capturing the instance prefix (``variety/instruments[3]``) of a path."""
    parts = [re.escape(part) + r"(?:\[\d+\])?" for part in repeat_path.split("/")[:-1]]
    parts.append(re.escape(repeat_path.split("/")[-1]) + r"\[\d+\]")
    return "^(" + "/".join(parts) + ")/"


def _repeat_tables(
    structure: Structure, lang: str, frame: pd.DataFrame, respondents: pd.DataFrame
) -> list[Table]:
    """Per repeat group: instances per organisation (e.g. instruments per organisation)."""
    tables = []
    everyone = int(respondents["organisation"].nunique())
    for position, repeat in enumerate(repeats(structure, lang)):
        tables.append(_repeat_table(repeat, frame, everyone, position))
    return tables


def _repeat_table(repeat: RepeatInfo, frame: pd.DataFrame, everyone: int, position: int) -> Table:
    inside = frame[frame["question"].str.startswith(repeat.path + "/")]
    instance = inside["path"].str.extract(_instance_pattern(repeat.path), expand=False)
    per_org = (
        inside.assign(instance=instance).dropna(subset=["instance"])
        .groupby("organisation")["instance"].nunique().sort_values(ascending=False, kind="stable")
    )
    per_org = per_org.sort_index().sort_values(ascending=False, kind="stable")
    counts_with_zeros = list(per_org.values) + [0] * max(0, everyone - len(per_org))
    series = pd.Series(counts_with_zeros, dtype="float64")
    summary = {
        "instances": int(per_org.sum()),
        "organisations_with_any": int(len(per_org)),
        "mean": float(series.mean()) if len(series) else None,
        "median": float(series.median()) if len(series) else None,
        "min": int(series.min()) if len(series) else None,
        "max": int(series.max()) if len(series) else None,
    }
    return Table(
        key=repeat.path,
        name=repeat.name,
        type="repeat",
        kind="repeat",
        label=repeat.label,
        theme=repeat.theme,
        denominator=everyone,
        answered=int(len(per_org)),
        summary=summary,
        per_organisation=[(str(org), int(n)) for org, n in per_org.items()],
        position=-1 - position,  # before the questions of its theme's repeat
    )


def _by_theme(theme_list: list[ThemeInfo], tables: list[Table]) -> list[ThemeTables]:
    grouped = []
    for theme in theme_list:
        in_theme = [t for t in tables if t.theme == theme.path]
        # A repeat's table comes just before its first question (sorted() reads a copy:
        # list.sort empties the list while it sorts).
        in_theme = sorted(in_theme, key=lambda t: (_anchor(t, in_theme), t.kind != "repeat"))
        if in_theme:
            grouped.append(ThemeTables(theme, in_theme))
    return grouped


def _anchor(table: Table, tables: list[Table]) -> int:
    if table.kind != "repeat":
        return table.position
    children = [t.position for t in tables if t.key.startswith(table.key + "/")]
    return min(children) if children else 10**9
