"""How the report form and its commendation rows are laid out (crispy-forms, Bootstrap 5).

Each measure is one row: its figure with the unit of measure beside it, the goals it feeds,
the "no data" mark and the note. On a wide screen the row reads like a table line; on a phone
its parts stack. A field both the officer and a colleague changed shows the two values side
by side with the choice between them (reports.merge)."""

from crispy_forms.bootstrap import AppendedText
from crispy_forms.layout import Field, LayoutObject
from crispy_forms.utils import TEMPLATE_PACK
from django.template.loader import render_to_string

from . import merge


class Section(LayoutObject):
    """A directive section: its measures, then its narrative."""

    template = "reports/form/section.html"

    def __init__(self, section, *fields):
        self.section = section
        self.fields = list(fields)

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        rendered = self.get_rendered_fields(form, context, template_pack, **kwargs)
        return render_to_string(self.template, {"section": self.section, "fields": rendered})


class MeasureRow(LayoutObject):
    """One measure: figure (with its unit), goals, "no data" and note. Takes the names of
    the three fields."""

    template = "reports/form/measure_row.html"

    def __init__(self, measure, goals, *, value, no_data, note):
        self.measure = measure
        self.goals = goals
        self.names = {"value": value, "no_data": no_data, "note": note}
        self.fields = []

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        value = self.names["value"]
        parts = {
            "value": AppendedText(value, form.fields[value].unit, wrapper_class="mb-1"),
            "no_data": Field(self.names["no_data"], wrapper_class="mb-1"),
            "note": Field(self.names["note"], wrapper_class="mb-0"),
        }
        rendered = {name: part.render(form, context, template_pack=template_pack) for name, part in parts.items()}
        code = self.measure.code
        conflicts = [
            form.conflicts[field_key]
            for field_key in (merge.key(merge.FIGURE, code), merge.key(merge.NOTE, code))
            if field_key in form.conflicts
        ]
        return render_to_string(
            self.template,
            {"measure": self.measure, "goals": self.goals, "conflicts": conflicts, **rendered},
        )


class Narrative(LayoutObject):
    """A section's narrative (the field's name), with its conflict when there is one."""

    template = "reports/form/narrative.html"

    def __init__(self, name, section_code):
        self.name = name
        self.section_code = section_code
        self.fields = []

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        field = Field(self.name).render(form, context, template_pack=template_pack)
        conflict = form.conflicts.get(merge.key(merge.NARRATIVE, self.section_code))
        return render_to_string(self.template, {"field": field, "conflict": conflict})


class RowConflict(LayoutObject):
    """The conflict on one commendation row, if it has one."""

    def __init__(self):
        self.fields = []

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        if form.conflict is None:
            return ""
        return render_to_string("reports/form/conflict.html", {"conflict": form.conflict})


class Signer(LayoutObject):
    """Who signs the printed report: name, title, a deputy signing for the head, each with
    its conflict when there is one. Takes merge key → field name."""

    template = "reports/form/signer.html"

    def __init__(self, fields):
        self.names = dict(fields)
        self.fields = []

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        rendered = {
            field_key: Field(name, wrapper_class="mb-2").render(form, context, template_pack=template_pack)
            for field_key, name in self.names.items()
        }
        fields = [(rendered[field_key], form.conflicts.get(field_key)) for field_key in self.names]
        return render_to_string(self.template, {"fields": fields})
