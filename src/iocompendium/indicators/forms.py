"""The web editor of a framework: the construction choices and every node's weight and
direction, with the version the editor started from (the version check)."""

from __future__ import annotations

from dataclasses import replace

from django import forms
from django.utils.translation import gettext_lazy as _

from iocompendium.analysis.indicators import Framework, FrameworkError
from iocompendium.analysis.indicators.framework import (
    AGGREGATIONS,
    MISSING,
    NORMALISATIONS,
    WEIGHTINGS,
    ZERO_RULES,
)
from iocompendium.web.forms import LimitedForm
from iocompendium.web.uploads import checked_upload

MAX_WEIGHT = 1_000.0


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    # Labels are filled in the page's language by the form (see ``EditForm.__init__``).
    return [(value, value) for value in values]


class EditForm(LimitedForm, forms.Form):
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    missing = forms.ChoiceField(label=_("Missing data"), choices=_choices(MISSING))
    normalisation = forms.ChoiceField(label=_("Normalisation"), choices=_choices(NORMALISATIONS))
    weighting = forms.ChoiceField(label=_("Weighting"), choices=_choices(WEIGHTINGS))
    aggregation = forms.ChoiceField(label=_("Aggregation"), choices=_choices(AGGREGATIONS))
    zero_rule = forms.ChoiceField(label=_("Rule for zeros (geometric mean)"),
                                  choices=_choices(ZERO_RULES))
    winsorise = forms.FloatField(label=_("Outliers: fraction winsorised at each tail"),
                                 min_value=0.0, max_value=0.49)
    scale = forms.FloatField(label=_("Scale of the composite"), min_value=0.001,
                             max_value=1_000.0)

    def __init__(self, framework: Framework, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from iocompendium.indicators.presenting import choice_label, label_of

        self.framework = framework
        for name in ("missing", "normalisation", "weighting", "aggregation", "zero_rule"):
            field = self.fields[name]
            field.choices = [(value, choice_label(name, value)) for value, _l in field.choices]
        self.node_fields: list[tuple[object, str, str]] = []
        for node in framework.nodes:
            if node.level == "composite":
                continue
            weight_name, direction_name = f"weight__{node.name}", f"direction__{node.name}"
            self.fields[weight_name] = forms.FloatField(
                label=_("Weight of %(node)s") % {"node": label_of(node)},
                min_value=0.0, max_value=MAX_WEIGHT, initial=node.weight)
            if node.level == "indicator":
                self.fields[direction_name] = forms.TypedChoiceField(
                    label=_("Direction of %(node)s") % {"node": label_of(node)},
                    choices=[(1, _("higher is better")), (-1, _("lower is better"))],
                    coerce=int, initial=node.direction)
            self.node_fields.append((node, weight_name, direction_name))
        if not self.is_bound:
            for key, value in framework.construction.as_dict().items():
                if key in self.fields:
                    self.fields[key].initial = value

    def rows(self) -> list[dict]:
        """The tree's rows for the template: the node, its depth and its fields."""
        return [{
            "node": node, "depth": self.framework.depth(node.name),
            "weight": self[weight], "direction": self[direction]
            if direction in self.fields else None,
        } for node, weight, direction in self.node_fields]

    def edited(self) -> Framework:
        """The framework with the edited choices (call after ``is_valid``); a framework the
        analysis refuses adds the reason to the form and raises ``FrameworkError``."""
        data = self.cleaned_data
        framework = self.framework
        try:
            framework = framework.with_weights({
                node.name: data[weight] for node, weight, _d in self.node_fields})
            directions = {node.name: data[direction] for node, _w, direction in self.node_fields
                          if direction in data}
            framework = replace(framework, nodes=tuple(
                replace(node, direction=directions[node.name]) if node.name in directions
                else node for node in framework.nodes))
            framework = framework.with_construction(
                missing=data["missing"], normalisation=data["normalisation"],
                weighting=data["weighting"], aggregation=data["aggregation"],
                zero_rule=data["zero_rule"], winsorise=data["winsorise"], scale=data["scale"])
        except FrameworkError as error:
            self.add_error(None, str(error))
            raise
        return framework


class ImportForm(LimitedForm, forms.Form):
    """A framework workbook to import (the ``indicators import`` command on the web)."""

    workbook = forms.FileField(label=_("Framework workbook (.xlsx)"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels are complete phrases
        super().__init__(*args, **kwargs)

    def clean_workbook(self):
        return checked_upload(self.cleaned_data["workbook"], (".xlsx",),
                              _("Upload the framework as an .xlsx workbook."))
