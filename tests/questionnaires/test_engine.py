"""The form evaluator on small synthetic structures built here (ODK XForms "Bindings")."""

from __future__ import annotations

from datetime import UTC, datetime

from iocompendium.questionnaires.engine import (
    Problem,
    check_structure,
    evaluate,
    visible_choices,
    visible_choices_of,
)


def node(type_: str, name: str, **columns) -> dict:
    """A structure node with every key present, as structure.py describes."""
    base = {
        "type": type_, "name": name, "row": 0, "label": {}, "hint": {}, "relevant": "",
        "required": "", "required_message": {}, "constraint": "", "constraint_message": {},
        "soft_constraint": "", "soft_constraint_message": {}, "calculation": "", "default": "",
        "read_only": "", "choice_list": "", "choice_filter": "", "or_other": False,
        "appearance": "", "repeat_count": "", "parameters": {},
    }
    if type_ in ("group", "repeat"):
        base["children"] = []
    base.update(columns)
    return base


def form(*children: dict, choices: dict | None = None) -> dict:
    return {
        "form_id": "synthetic", "form_version": "1", "title": {"en": "Synthetic"},
        "default_language": "en", "languages": ["en", "fr"], "choices": choices or {},
        "children": list(children),
    }


def choice(name: str, en: str, fr: str = "", **extra: str) -> dict:
    return {"name": name, "label": {"en": en, "fr": fr or en}, "extra": extra}


def test_paths_in_form_order_with_repeat_instances() -> None:
    structure = form(
        node("group", "details", children=[node("text", "job")]),
        node("repeat", "instruments", children=[node("text", "title")]),
        node("note", "thanks"),
        node("calculate", "n", calculation="count(${title})"),
    )
    result = evaluate(structure, {"instruments[2]/title": "B", "instruments[1]/title": "A"})
    assert list(result) == ["details/job", "instruments[1]/title", "instruments[2]/title",
                            "thanks", "n"]
    assert result["n"]["value"] == "2"
    assert set(result["thanks"]) == {"relevant", "required", "value", "error", "warning"}


def test_unanswered_is_empty_and_not_an_error_unless_required() -> None:
    structure = form(node("text", "a"), node("text", "b", required="yes"))
    result = evaluate(structure, {})
    assert result["a"] == {"relevant": True, "required": False, "value": "", "error": None,
                           "warning": None}
    assert result["b"]["error"] == "This field is required."


def test_required_spellings_and_expression() -> None:
    structure = form(
        node("text", "t1", required="true()"), node("text", "t2", required="TRUE"),
        node("text", "t3", required="no"), node("integer", "age"),
        node("text", "t5", required="=TRUE()"),  # an Excel formula cell (xlsform_spec_test)
        node("text", "t4", required="${age} > 17"),
    )
    result = evaluate(structure, {"age": "30"})
    assert [result[n]["required"] for n in ("t1", "t2", "t3", "t4", "t5")] == [
        True, True, False, True, True]
    assert evaluate(structure, {"age": "10"})["t4"]["required"] is False


def test_group_relevance_applies_to_descendants_and_clears_values() -> None:
    structure = form(
        node("select_one", "has_kids", choice_list="yn"),
        node("group", "kids", relevant="${has_kids} = 'yes'", children=[
            node("group", "inner", children=[node("integer", "count", required="yes")]),
        ]),
        node("calculate", "echo", calculation="concat('n=', ${count})"),
    )
    answers = {"has_kids": "no", "kids/inner/count": "3"}
    result = evaluate(structure, answers)
    assert result["kids/inner/count"]["relevant"] is False
    assert result["kids/inner/count"]["value"] == ""  # non-relevant reads as ''
    assert result["kids/inner/count"]["error"] is None  # and is never an error
    assert result["echo"]["value"] == "n="  # other expressions see '' too
    answers["has_kids"] = "yes"
    result = evaluate(structure, answers)
    assert result["kids/inner/count"]["value"] == "3"
    assert result["echo"]["value"] == "n=3"


def test_constraint_only_on_non_empty_values_with_messages_in_both_languages() -> None:
    structure = form(
        node("integer", "age", constraint=". >= 0 and . <= 120",
             constraint_message={"en": "Age is 0 to 120.", "fr": "L'âge va de 0 à 120."}),
        node("integer", "size", constraint=". > 0"),
    )
    assert evaluate(structure, {})["age"]["error"] is None
    assert evaluate(structure, {"age": "130"}, "en")["age"]["error"] == "Age is 0 to 120."
    assert evaluate(structure, {"age": "130"}, "fr")["age"]["error"] == "L'âge va de 0 à 120."
    assert evaluate(structure, {"age": "40"})["age"]["error"] is None
    assert evaluate(structure, {"size": "-1"}, "en")["size"]["error"] == "Value not allowed."
    assert evaluate(structure, {"size": "-1"}, "fr")["size"]["error"] == "Valeur non autorisée."


def test_required_messages_in_both_languages() -> None:
    structure = form(
        node("text", "a", required="yes"),
        node("text", "b", required="yes", required_message={"en": "Name please.",
                                                            "fr": "Le nom, svp."}),
    )
    english, french = evaluate(structure, {}, "en"), evaluate(structure, {}, "fr")
    assert english["a"]["error"] == "This field is required."
    assert french["a"]["error"] == "Ce champ est obligatoire."
    assert english["b"]["error"] == "Name please."
    assert french["b"]["error"] == "Le nom, svp."


def test_soft_constraint_is_a_warning_not_an_error() -> None:
    structure = form(node("integer", "staff", soft_constraint=". < 10000",
                          soft_constraint_message={"en": "That is a lot of staff."}))
    result = evaluate(structure, {"staff": "20000"}, "en")["staff"]
    assert result["error"] is None
    assert result["warning"] == "That is a lot of staff."
    assert evaluate(structure, {"staff": "20"})["staff"]["warning"] is None


def test_calculations_run_in_dependency_order_whatever_the_form_order() -> None:
    structure = form(
        node("calculate", "total", calculation="${subtotal} + ${tax}"),
        node("calculate", "tax", calculation="${subtotal} * 0.5"),
        node("calculate", "subtotal", calculation="${price} * ${quantity}"),
        node("decimal", "price"),
        node("integer", "quantity"),
    )
    result = evaluate(structure, {"price": "4", "quantity": "3"})
    assert result["subtotal"]["value"] == "12"
    assert result["tax"]["value"] == "6"
    assert result["total"]["value"] == "18"


def test_calculation_results_as_strings() -> None:
    structure = form(
        node("decimal", "x"),
        node("calculate", "half", calculation="${x} div 2"),
        node("calculate", "nan", calculation="${missing_answer} + 1"),
        node("calculate", "flag", calculation="${x} > 2"),
        node("calculate", "when", calculation="date('2024-01-31')"),
        node("text", "missing_answer"),
    )
    result = evaluate(structure, {"x": "3"})
    assert result["half"]["value"] == "1.5"
    assert result["nan"]["value"] == ""  # NaN is stored as empty (ODK)
    assert result["flag"]["value"] == "true"  # XPath 1.0 string(true())
    assert result["when"]["value"] == "2024-01-31"


def test_defaults_fill_unanswered_values_only() -> None:
    structure = form(
        node("text", "country", default="france"),
        node("date", "seen", default="today()"),
        node("integer", "n", default="3"),
        node("text", "city", default="Paris (France)"),  # text, not a function call
        node("calculate", "twice", calculation="${n} * 2"),
    )
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    result = evaluate(structure, {}, now=now)
    assert result["country"]["value"] == "france"
    assert result["seen"]["value"] == "2026-11-26"
    assert result["twice"]["value"] == "6"  # a default feeds calculations
    assert result["city"]["value"] == "Paris (France)"
    assert check_structure(structure) == []
    result = evaluate(structure, {"country": "italy", "n": "5"}, now=now)
    assert result["country"]["value"] == "italy"
    assert result["twice"]["value"] == "10"


def test_repeat_semantics_sibling_same_instance_and_all_instances_from_outside() -> None:
    structure = form(
        node("integer", "threshold"),
        node("repeat", "people", children=[
            node("text", "name"),
            node("integer", "age"),
            node("calculate", "label", calculation="concat(${name}, ':', ${age})"),
            node("calculate", "is_old", calculation="if(${age} > ${threshold}, 1, 0)"),
            node("calculate", "index", calculation="position(..)"),
        ]),
        node("calculate", "count", calculation="count(${name})"),
        node("calculate", "total", calculation="sum(${age})"),
        node("calculate", "oldest", calculation="max(${age})"),
        node("calculate", "second_name", calculation="indexed-repeat(${name}, ${people}, 2)"),
        node("calculate", "old_count", calculation="sum(${is_old})"),
    )
    answers = {"threshold": "30", "people[1]/name": "Ana", "people[1]/age": "40",
               "people[2]/name": "Ben", "people[2]/age": "20", "people[3]/name": "Cy"}
    result = evaluate(structure, answers)
    assert result["people[1]/label"]["value"] == "Ana:40"
    assert result["people[2]/label"]["value"] == "Ben:20"
    assert result["people[3]/label"]["value"] == "Cy:"
    assert [result[f"people[{i}]/index"]["value"] for i in (1, 2, 3)] == ["1", "2", "3"]
    assert result["count"]["value"] == "3"
    # Cy's age is empty: number('') is NaN, so the sum is NaN (Enketo, ODK Collect),
    # stored as empty like every NaN result
    assert result["total"]["value"] == ""
    assert result["oldest"]["value"] == "40"
    assert result["second_name"]["value"] == "Ben"
    assert result["old_count"]["value"] == "1"


def test_nested_repeats_reach_the_enclosing_instance() -> None:
    structure = form(node("repeat", "households", children=[
        node("text", "village"),
        node("repeat", "members", children=[
            node("text", "member"),
            node("calculate", "where", calculation="concat(${member}, '@', ${village})"),
        ]),
        node("calculate", "size", calculation="count(${member})"),
    ]))
    answers = {
        "households[1]/village": "North", "households[1]/members[1]/member": "a",
        "households[1]/members[2]/member": "b", "households[2]/village": "South",
        "households[2]/members[1]/member": "c",
    }
    result = evaluate(structure, answers)
    assert result["households[1]/members[2]/where"]["value"] == "b@North"
    assert result["households[2]/members[1]/where"]["value"] == "c@South"
    assert result["households[1]/size"]["value"] == "2"
    assert result["households[2]/size"]["value"] == "1"
    assert "households[2]/members[2]/member" not in result


def test_repeat_relevance_and_repeat_count() -> None:
    structure = form(
        node("integer", "n"),
        node("repeat", "rows", repeat_count="${n}", relevant="${n} < 3",
             children=[node("text", "cell", required="yes")]),
    )
    result = evaluate(structure, {"n": "2", "rows[1]/cell": "x"})
    assert list(result) == ["n", "rows[1]/cell", "rows[2]/cell"]
    assert result["rows[2]/cell"]["error"] == "This field is required."
    result = evaluate(structure, {"n": "4"})
    assert len([p for p in result if p.startswith("rows")]) == 4
    assert all(not result[p]["relevant"] for p in result if p.startswith("rows"))


def test_choice_name_uses_the_question_list_and_language() -> None:
    structure = form(
        node("select_one", "colour", choice_list="colours"),
        node("calculate", "colour_label", calculation="jr:choice-name(${colour}, '${colour}')"),
        choices={"colours": [choice("r", "Red", "Rouge"), choice("g", "Green", "Vert")]},
    )
    assert evaluate(structure, {"colour": "g"}, "en")["colour_label"]["value"] == "Green"
    assert evaluate(structure, {"colour": "g"}, "fr")["colour_label"]["value"] == "Vert"


def test_visible_choices_follow_the_choice_filter() -> None:
    structure = form(
        node("select_one", "country", choice_list="countries"),
        node("select_one", "city", choice_list="cities", choice_filter="country=${country}"),
        node("select_multiple", "big", choice_list="cities",
             choice_filter="pop > 2 and name != 'lyon'"),
        choices={
            "countries": [choice("fr", "France"), choice("it", "Italy")],
            "cities": [choice("paris", "Paris", country="fr", pop="11"),
                       choice("lyon", "Lyon", country="fr", pop="2.5"),
                       choice("rome", "Rome", country="it", pop="4"),
                       choice("bari", "Bari", country="it", pop="0.3")],
        },
    )
    assert visible_choices(structure, "city", {"country": "it"}) == ["rome", "bari"]
    assert visible_choices(structure, "city", {}) == []
    assert visible_choices(structure, "big", {}) == ["paris", "rome"]
    assert visible_choices(structure, "country", {}) == ["fr", "it"]  # no filter


def test_once_keeps_an_existing_value() -> None:
    structure = form(node("calculate", "stamp", calculation="once(concat('v', 1))"))
    assert evaluate(structure, {})["stamp"]["value"] == "v1"
    assert evaluate(structure, {"stamp": "kept"})["stamp"]["value"] == "kept"


def test_runtime_errors_do_not_escape_evaluate() -> None:
    structure = form(
        node("text", "a", relevant="count('x') > 0", constraint="sum('y') > 0"),
        node("calculate", "b", calculation="sum('not nodes')"),
    )
    result = evaluate(structure, {"a": "v"})
    assert result["a"]["relevant"] is True  # a failing relevance shows the question
    assert result["a"]["error"] is None  # a failing constraint does not block
    assert result["b"]["value"] == ""


def test_check_structure_reports_syntax_errors_and_unknown_names() -> None:
    structure = form(
        node("integer", "age", row=2),
        node("text", "a", row=3, relevant="${age} >"),
        node("text", "b", row=4, constraint=". > ${agee}"),
        node("text", "c", row=5, required="${age} > 3", default="plain text"),
        node("select_one", "d", row=6, choice_list="x", choice_filter="filter=${nope}"),
    )
    problems = check_structure(structure)
    assert [(p.sheet, p.row, p.column) for p in problems] == [
        ("survey", 3, "relevant"), ("survey", 4, "constraint"), ("survey", 6, "choice_filter")]
    assert "not a valid expression" in problems[0].message
    assert "${agee}" in problems[1].message
    assert all(isinstance(p, Problem) and p.message.endswith(".") for p in problems)


def test_check_structure_reports_calculation_cycles() -> None:
    structure = form(
        node("calculate", "a", row=2, calculation="${b} + 1"),
        node("calculate", "b", row=3, calculation="${a} + 1"),
        node("calculate", "c", row=4, calculation="${c}"),
        node("calculate", "ok", row=5, calculation="${a} * 2"),
    )
    problems = check_structure(structure)
    assert {(p.row, p.column) for p in problems} == {(2, "calculation"), (4, "calculation")}
    assert "a -> b -> a" in problems[0].message
    result = evaluate(structure, {})  # and evaluation of a cycle still terminates
    assert result["a"]["value"] == "" or result["a"]["value"].isdigit()


def test_check_structure_accepts_a_clean_form() -> None:
    structure = form(
        node("integer", "n", constraint=". > 0", required="yes"),
        node("repeat", "r", repeat_count="${n}", children=[
            node("text", "t", relevant="position(..) > 1", read_only="true()")]),
        node("calculate", "c", calculation="count(${t})", default="0"),
    )
    assert check_structure(structure) == []


def test_date_answers_are_dates_in_expressions() -> None:
    # ODK "Data types": a date converts to a number as days since 1970-01-01; a date
    # compared with a date-shaped string compares the dates (ODK and Enketo say true).
    structure = form(
        node("date", "born", constraint=". <= today()"),
        node("calculate", "age_days", calculation="today() - ${born}"),
        node("calculate", "after_literal", calculation="${born} > '2000-01-01'"),
        node("calculate", "after_date", calculation="${born} > date('2000-01-01')"),
        node("calculate", "same_text", calculation="${born} = '2020-02-29'"),
        node("calculate", "next_day", calculation="date(${born} + 1)"),
    )
    now = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    result = evaluate(structure, {"born": "2020-02-29"}, now=now)
    days = (datetime(2026, 11, 26) - datetime(2020, 2, 29)).days  # standard library
    assert result["age_days"]["value"] == str(days)
    assert result["after_literal"]["value"] == "true"
    assert result["after_date"]["value"] == "true"
    assert result["same_text"]["value"] == "true"
    assert result["next_day"]["value"] == "2020-03-01"
    assert result["born"]["error"] is None
    assert evaluate(structure, {"born": "2030-01-01"}, now=now)["born"]["error"] is not None


def test_numbers_are_stored_as_javarosa_stores_them() -> None:
    # JavaRosa wraps an integral result as IntegerData/LongData and others as DecimalData
    # (printed with Java's Double.toString).
    structure = form(
        node("calculate", "big", calculation="100000 * 100000"),
        node("calculate", "third", calculation="1 div 3"),
        node("calculate", "tiny", calculation="1 div 100000"),
        node("calculate", "in_text", calculation="concat('', 0.5 * 3)"),
    )
    result = evaluate(structure, {})
    assert result["big"]["value"] == "10000000000"
    assert result["third"]["value"] == "0.3333333333333333"
    assert result["tiny"]["value"] == "1.0E-5"
    assert result["in_text"]["value"] == "1.5"


def test_functions_needing_external_data_are_accepted() -> None:
    structure = form(
        node("text", "code"),
        node("calculate", "looked_up", calculation="pulldata('fruits', 'name', 'key', ${code})"),
        node("calculate", "hash", calculation="digest('abc', 'SHA-256', 'hex')"),
    )
    assert check_structure(structure) == []
    result = evaluate(structure, {"code": "x"})
    assert result["looked_up"]["value"] == ""
    # SHA-256 of "abc", FIPS 180-2 appendix B.1
    assert result["hash"]["value"] == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")


def test_visible_choices_inside_a_repeat_use_the_same_instance() -> None:
    structure = form(
        node("repeat", "trips", children=[
            node("select_one", "country", choice_list="countries"),
            node("select_one", "city", choice_list="cities", choice_filter="country=${country}"),
        ]),
        choices={
            "countries": [choice("fr", "France"), choice("it", "Italy")],
            "cities": [choice("paris", "Paris", country="fr"), choice("rome", "Rome", country="it"),
                       choice("nice", "Nice", country="fr")],
        },
    )
    answers = {"trips[1]/country": "it", "trips[2]/country": "fr"}
    assert visible_choices(structure, "trips[1]/city", answers) == ["rome"]
    assert visible_choices(structure, "trips[2]/city", answers) == ["paris", "nice"]
    assert visible_choices(structure, "trips[3]/city", answers) == []  # no such instance
    assert visible_choices_of(structure, ["trips[1]/city", "trips[2]/city", "nope"], answers) == {
        "trips[1]/city": ["rome"], "trips[2]/city": ["paris", "nice"]}


def test_indexed_repeat_in_nested_repeats() -> None:
    structure = form(
        node("repeat", "outer", children=[
            node("repeat", "inner", children=[node("text", "leaf")]),
        ]),
        node("calculate", "pick", calculation="indexed-repeat(${leaf}, ${outer}, 2, ${inner}, 3)"),
        node("calculate", "all_leaves", calculation="count(${leaf})"),
    )
    answers = {f"outer[{o}]/inner[{i}]/leaf": f"{o}.{i}" for o in (1, 2) for i in (1, 2, 3)}
    result = evaluate(structure, answers)
    assert result["pick"]["value"] == "2.3"
    assert result["all_leaves"]["value"] == "6"


def test_or_other_adds_the_specify_other_question_as_odk_does() -> None:
    # pyxform: "select_one list or_other" adds choice 'other' and a text question
    # <name>_other, relevant when 'other' is selected.
    structure = form(
        node("select_one", "fruit", choice_list="fruits", or_other=True),
        node("calculate", "echo", calculation="${fruit_other}"),
        choices={"fruits": [choice("apple", "Apple")]},
    )
    assert check_structure(structure) == []
    result = evaluate(structure, {"fruit": "other", "fruit_other": "kiwi"})
    assert list(result) == ["fruit", "fruit_other", "echo"]
    assert result["fruit_other"]["relevant"] is True
    assert result["echo"]["value"] == "kiwi"
    assert visible_choices(structure, "fruit", {}) == ["apple", "other"]
    result = evaluate(structure, {"fruit": "apple", "fruit_other": "kiwi"})
    assert result["fruit_other"] == {"relevant": False, "required": False, "value": "",
                                     "error": None, "warning": None}


def test_absolute_paths_are_contextualised_like_references() -> None:
    # JavaRosa contextualises /data/rep/q against the evaluated node, as it does ${q}.
    structure = form(node("repeat", "rep", children=[
        node("integer", "q"),
        node("calculate", "twice", calculation="/data/rep/q * 2"),
        node("calculate", "sibling", calculation="../q + 1"),
    ]), node("calculate", "total", calculation="sum(/anything/rep/q)"))
    result = evaluate(structure, {"rep[1]/q": "3", "rep[2]/q": "5"})
    assert [result[f"rep[{i}]/twice"]["value"] for i in (1, 2)] == ["6", "10"]
    assert [result[f"rep[{i}]/sibling"]["value"] for i in (1, 2)] == ["4", "6"]
    assert result["total"]["value"] == "8"


def test_language_codes_find_language_names_and_back() -> None:
    structure = form(node("integer", "n", constraint=". > 0",
                          constraint_message={"english": "Positive.", "french": "Positif."}))
    structure["languages"] = ["english", "french"]
    structure["default_language"] = "english"
    assert evaluate(structure, {"n": "-1"}, "fr")["n"]["error"] == "Positif."
    assert evaluate(structure, {"n": "-1"}, "en")["n"]["error"] == "Positive."
    assert evaluate(structure, {"n": "-1"}, "French")["n"]["error"] == "Positif."
    plain = form(node("integer", "n", constraint=". > 0"))
    plain["languages"] = ["English (en)", "Français (fr)"]
    assert evaluate(plain, {"n": "-1"}, "fr")["n"]["error"] == "Valeur non autorisée."


def test_long_chains_of_calculations_in_any_order() -> None:
    # Dependency order (issue 3): 400 calculations, each reading the next one further
    # down the form, settle to 401 - i without running out of recursion.
    size = 400
    chained = [node("calculate", f"c{i}", calculation=f"${{c{i + 1}}} + 1") for i in range(size)]
    structure = form(*chained, node("integer", f"c{size}"))
    result = evaluate(structure, {f"c{size}": "1"})
    assert result["c0"]["value"] == str(size + 1)
    assert result[f"c{size - 1}"]["value"] == "2"


def test_sum_of_answered_values_and_of_an_empty_one() -> None:
    structure = form(
        node("repeat", "people", children=[node("integer", "age")]),
        node("calculate", "total", calculation="sum(${age})"),
    )
    answered = {"people[1]/age": "40", "people[2]/age": "20"}
    assert evaluate(structure, answered)["total"]["value"] == "60"
    one_empty = {**answered, "people[3]/age": ""}
    assert evaluate(structure, one_empty)["total"]["value"] == ""  # NaN is stored empty


def test_a_date_answer_compared_with_a_date_shaped_string() -> None:
    structure = form(
        node("date", "visit"),
        node("note", "late", relevant="${visit} > '2020-01-01'"),
        node("note", "early", relevant="${visit} <= '2020-01-01'"),
    )
    result = evaluate(structure, {"visit": "2024-03-05"})
    assert result["late"]["relevant"] is True
    assert result["early"]["relevant"] is False
