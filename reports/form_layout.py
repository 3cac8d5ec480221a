"""How the report form and its commendation rows are laid out (crispy-forms, Bootstrap 5).

Each measure is one row: its figure with the unit of measure beside it, the goals it feeds,
the "no data" mark and the note. On a wide screen the row reads like a table line; on a phone
its parts stack. A field both the officer and a colleague changed shows the two values side
by side with the choice between them (reports.merge).

The report form's own fields are written here with the markup of crispy's Bootstrap field
templates (ids, labels, aria-describedby to help and error texts, is-invalid) rather than
through them: a form has three fields per measure, and those templates were three quarters
of the page's cost. The commendation rows stay on crispy's layout objects."""

from crispy_forms.layout import LayoutObject
from crispy_forms.utils import TEMPLATE_PACK
from django import forms
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from . import merge
from .aggregation import format_goal


class Section(LayoutObject):
    """A directive section: its measures, then its narrative."""

    template = "reports/form/section.html"

    def __init__(self, section, *fields):
        self.section = section
        self.fields = list(fields)

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        rendered = self.get_rendered_fields(form, context, template_pack, **kwargs)
        return render_to_string(self.template, {"section": self.section, "fields": rendered})


def _input(field, classes):
    """The field's widget with Bootstrap's classes (crispy-forms' names kept), marked invalid
    when it has errors; Django adds aria-invalid and aria-describedby."""
    own = field.field.widget.attrs.get("class")
    classes = " ".join(filter(None, [own, classes, "is-invalid" if field.errors else ""]))
    return field.as_widget(attrs={"class": classes})


def _errors(field):
    if not field.errors:
        return ""
    return format_html(
        '<div id="{}_error" class="invalid-feedback">{}</div>',
        field.errors.field_id,
        format_html_join(
            "",
            '<span id="error_{}_{}"><strong>{}</strong></span>',
            ((n, field.auto_id, e) for n, e in enumerate(field.errors, 1)),
        ),
    )


def _help(field):
    if not field.help_text:
        return ""
    return format_html('<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, mark_safe(field.help_text))


def _figure(field, unit):
    """The figure with its unit beside it (Bootstrap's input group)."""
    return format_html(
        '<div id="div_{}" class="mb-3 mb-1{}"><label for="{}" class="form-label">{}</label>'
        '<div><div class="input-group">{}<span class="input-group-text">{}</span>{}</div>{}</div></div>',
        field.auto_id,
        " has-danger" if field.errors else "",
        field.id_for_label,
        field.label,
        _input(field, "textinput form-control"),
        unit,
        _errors(field),
        _help(field),
    )


def _check(field, wrapper_class):
    return format_html(
        '<div class="mb-3"><div id="div_{}" class="form-check {}">{}'
        '<label for="{}" class="form-check-label">{}</label>{}{}</div></div>',
        field.auto_id,
        wrapper_class,
        _input(field, "checkboxinput form-check-input"),
        field.id_for_label,
        field.label,
        _errors(field),
        _help(field),
    )


def _text(field, wrapper_class=""):
    """A text input or text area with its label above, as crispy's Bootstrap field."""
    kind = "textarea" if isinstance(field.field.widget, forms.Textarea) else "textinput"
    return format_html(
        '<div id="div_{}" class="mb-3{}"><label for="{}" class="form-label">{}</label>{}{}{}</div>',
        field.auto_id,
        f" {wrapper_class}" if wrapper_class else "",
        field.id_for_label,
        field.label,
        _input(field, f"{kind} form-control"),
        _errors(field),
        _help(field),
    )


def _field(field, wrapper_class=""):
    if isinstance(field.field.widget, forms.CheckboxInput):
        return _check(field, wrapper_class)
    return _text(field, wrapper_class)


def _goals(results):
    """The goals a measure feeds, for this unit, as reports/_goals.html writes them."""
    if not results:
        return mark_safe('<span class="small text-body-secondary">—</span>')
    return format_html_join(
        "",
        '<div class="small">{}: <strong>{}</strong></div>',
        (
            (result.target.name, format_goal(result.target, result.goal, result.due, with_unit=True))
            for result in results
        ),
    )


class MeasureRow(LayoutObject):
    """One measure: figure (with its unit), goals, "no data" and note. Takes the names of
    the three fields."""

    def __init__(self, measure, goals, *, value, no_data, note):
        self.measure = measure
        self.goals = goals
        self.names = {"value": value, "no_data": no_data, "note": note}
        self.fields = []

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        value = form[self.names["value"]]
        code = self.measure.code
        conflicts = [
            form.conflicts[field_key]
            for field_key in (merge.key(merge.FIGURE, code), merge.key(merge.NOTE, code))
            if field_key in form.conflicts
        ]
        return format_html(
            '<div class="measure-row row g-2 py-2 border-bottom" id="measure-{}">'
            '<div class="col-lg-5 measure-figure">{}</div>'
            '<div class="col-lg-3 measure-goals"><div class="small text-body-secondary">{}</div>{}</div>'
            '<div class="col-lg-4 measure-extra">{}{}</div>{}</div>',
            code,
            _figure(value, value.field.unit),
            gettext("Mức chỉ tiêu áp dụng cho đơn vị"),
            _goals(self.goals),
            _check(form[self.names["no_data"]], "mb-1"),
            _text(form[self.names["note"]], "mb-0"),
            format_html_join(
                "",
                '<div class="col-12">{}</div>',
                ((render_to_string("reports/form/conflict.html", {"conflict": conflict}),) for conflict in conflicts),
            ),
        )


class Narrative(LayoutObject):
    """A section's narrative (the field's name), with its conflict when there is one."""

    template = "reports/form/narrative.html"

    def __init__(self, name, section_code):
        self.name = name
        self.section_code = section_code
        self.fields = []

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        field = _text(form[self.name])
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


class LegacyAward(LayoutObject):
    """Above the award select: the text of a proposal written before the catalogue, while no
    form is chosen for it."""

    def __init__(self):
        self.fields = []

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        legacy = getattr(form, "legacy_award", "")
        if not legacy:
            return ""
        return format_html(
            '<p class="small text-body-secondary mb-1 legacy-award">{}</p>',
            gettext("Đề nghị cũ ghi: “%(award)s”. Khi sửa dòng này, chọn hình thức trong danh mục.")
            % {"award": legacy},
        )


class Signer(LayoutObject):
    """Who signs the printed report: name, title, a deputy signing for the head, each with
    its conflict when there is one. Takes merge key → field name."""

    template = "reports/form/signer.html"

    def __init__(self, fields):
        self.names = dict(fields)
        self.fields = []

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        fields = [(_field(form[name], "mb-2"), form.conflicts.get(field_key)) for field_key, name in self.names.items()]
        return render_to_string(self.template, {"fields": fields})
