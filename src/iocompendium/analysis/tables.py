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
from dataclasses import dataclass, field
from typing import Any

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


def _prepared(
    answers: pd.DataFrame,
    respondents: pd.DataFrame,
    questions: dict[str, QuestionInfo],
    relevance: pd.DataFrame | None,
) -> pd.DataFrame:
    """Non-empty answers of respondents to analysed questions (and relevant, if known)."""
    kept = answers.loc[
        answers["value"].notna()
        & (answers["value"].astype(str).str.strip() != "")
        & answers["question"].isin(questions.keys())
        & answers["organisation"].isin(respondents["organisation"]),
        ["organisation", "path", "question", "value"],
    ]
    # The registry's category is the one cross-tabs use, whatever the answer table says.
    kept = kept.merge(respondents[["organisation", "category"]], on="organisation", how="left")
    if relevance is not None:
        relevant_pairs = relevance.loc[relevance["relevant"], ["organisation", "question"]]
        # Answers left over from before a skip changed do not count.
        kept = kept.merge(relevant_pairs.drop_duplicates(), on=["organisation", "question"])
    kept["value"] = kept["value"].astype(str).str.strip()
    return kept


def _denominators(
    questions: dict[str, QuestionInfo],
    respondents: pd.DataFrame,
    relevance: pd.DataFrame | None,
) -> dict[str, int]:
    if relevance is None:
        everyone = int(respondents["organisation"].nunique())
        return dict.fromkeys(questions, everyone)
    relevant = relevance.loc[
        relevance["relevant"] & relevance["organisation"].isin(respondents["organisation"])
    ]
    counts = relevant.groupby("question")["organisation"].nunique()
    return {path: int(counts.get(path, 0)) for path in questions}


def _exploded_selections(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per chosen option (select_multiple values are space-separated)."""
    exploded = frame.assign(value=frame["value"].str.split()).explode("value")
    return exploded.drop_duplicates(["organisation", "path", "value"])


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
    frame = _prepared(answers, respondents, questions, relevance)
    denominators = _denominators(questions, respondents, relevance)
    answered = frame.groupby("question")["organisation"].nunique()
    instances = frame.groupby("question").size()
    types = frame["question"].map({path: q.type for path, q in questions.items()})

    select_frame = frame[types.isin(SELECT_TYPES)]
    multiple = types.loc[select_frame.index].isin(MANY_CHOICE_TYPES)
    selections = pd.concat(
        [select_frame[~multiple], _exploded_selections(select_frame[multiple])]
    )
    option_orgs = selections.groupby(["question", "value"])["organisation"].nunique()
    option_instances = selections.groupby(["question", "value"]).size()
    by_category = selections.groupby(["question", "value", "category"])["organisation"].nunique()
    answered_by_category = select_frame.groupby(["question", "category"])["organisation"].nunique()
    numbers = _number_summaries(frame[types.isin(NUMBER_TYPES)])
    dates = _date_summaries(frame[types.isin(DATE_TYPES)])
    special = SELECT_TYPES | NUMBER_TYPES | DATE_TYPES | GEO_TYPES | FILE_TYPES | {"rank", "time"}
    text_frame = frame[~types.isin(special)]
    text_counts = _text_value_counts(text_frame)

    # Which questions each grouped series holds, looked up once (not once per question:
    # at 50,000 respondents each look-up rebuilt an index of the whole series).
    held = {id(series): set(series.index.get_level_values(0))
            for series in (option_orgs, option_instances)}

    def counts_of(series: pd.Series, path: str) -> dict[str, int]:
        if path not in held[id(series)]:
            return {}
        return {str(k): int(v) for k, v in series.loc[path].items()}

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
                q,
                counts_of(option_orgs, q.path),
                counts_of(option_instances, q.path),
                table,
            )
            if not q.in_repeat:
                table.crosstab = _crosstab(q, by_category, answered_by_category, categories)
        elif q.type in NUMBER_TYPES:
            table.kind = "numeric"
            table.summary = numbers.get(q.path, _empty_summary())
        elif q.type in DATE_TYPES:
            table.kind = "date"
            table.summary = dates.get(q.path, {"n": 0, "earliest": None, "latest": None,
                                               "distribution": []})
        elif q.type == "rank":
            table.kind = "rank"
            table.options = _rank_options(q, frame[frame["question"] == q.path], table)
        elif q.type in GEO_TYPES:
            table.kind = "geo"
            table.summary = _geo_summary(frame[frame["question"] == q.path])
        elif q.type in FILE_TYPES:
            table.kind = "files"
            table.summary = {"n": int(instances.get(q.path, 0))}
        elif q.type == "time":
            table.kind = "time"
            table.summary = _time_summary(frame[frame["question"] == q.path])
        elif q.in_repeat:
            table.kind = "text_counts"
            table.options, table.summary = _text_options(text_counts, q.path, table)
        else:
            table.kind = "text"
            table.quotes = _quotes(text_frame, q.path, max_quotes)
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
    by_category: pd.Series,
    answered_by_category: pd.Series,
    ordered: list[str],
) -> CrossTab | None:
    """``ordered``: the respondents' categories (breakdown values), sorted, as text."""
    try:
        answered = {str(k): int(v) for k, v in answered_by_category.loc[q.path].items()}
    except KeyError:
        answered = {}
    counts: dict[str, dict[str, int]] = {}
    try:
        rows = by_category.loc[q.path]
    except KeyError:
        rows = None
    if rows is not None:
        for (value, category), n in rows.items():
            counts.setdefault(str(value), {})[str(category)] = int(n)
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


def _quotes(frame: pd.DataFrame, path: str, limit: int | None) -> list[Quote]:
    rows = frame[frame["question"] == path].sort_values(["organisation", "path"])
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
