"""Forms of the unit report pages: the report form (figures, notes, "no data", narratives),
commendation rows, evidence upload, the reviewer's actions and the review queue filters.

Forms only parse and show input. The rules a unit's figures follow live in
`reports.validation`; what a save writes is decided by `reports.merge`, whose problems are
put back on the fields here (`add_problems`), so every message sits next to its field. The
report form and its commendation rows are laid out with crispy-forms (reports.form_layout)."""

from decimal import Decimal
from html import escape

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, UnitGroup, UnitKind
from campaigns.numbers import NumberError, format_vn_number, parse_vn_number

from . import merge
from .form_layout import LegacyAward, MeasureRow, Narrative, RowConflict, Section, Signer
from .models import CommendationKind, ReportStatus
from .text import TextRule
from .validation import check_value


def _attrs(attrs):
    """Attributes as Django's attrs.html writes them, in their order."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class DirectInputMixin:
    """Writes its `<input>` as Django's input template would, without the template engine.
    The report form has three inputs per measure, and going through the widget templates
    for each was a large part of the page's cost."""

    def _render(self, template_name, context, renderer=None):
        widget = context["widget"]
        value = "" if widget["value"] is None else f' value="{escape(str(widget["value"]))}"'
        attrs = _attrs(widget["attrs"])
        return mark_safe(f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{value}{attrs}>')


class DirectTextInput(DirectInputMixin, forms.TextInput):
    pass


class DirectCheckboxInput(DirectInputMixin, forms.CheckboxInput):
    pass


class DirectHiddenInput(DirectInputMixin, forms.HiddenInput):
    pass


class DirectTextarea(forms.Textarea):
    """Writes its `<textarea>` as Django's template would (see DirectInputMixin)."""

    def _render(self, template_name, context, renderer=None):
        widget = context["widget"]
        value = escape(str(widget["value"])) if widget["value"] else ""
        return mark_safe(f'<textarea name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>')


class VNNumberField(forms.CharField):
    """A number typed the Vietnamese way (`3.868.370`, `85,3`), shown back the same way."""

    widget = DirectTextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off", "class": "num", "maxlength": 40})

    def prepare_value(self, value):
        if isinstance(value, (Decimal, int)):
            return format_vn_number(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if len(value) > 40:
            raise ValidationError(_("Giá trị quá dài."), code="too_long")
        try:
            return parse_vn_number(value)
        except NumberError as exc:
            raise ValidationError(str(exc), code="not_a_number") from exc


def value_field(code):
    return f"v_{code}"


def no_data_field(code):
    return f"nd_{code}"


def note_field(code):
    return f"note_{code}"


def narrative_field(code):
    return f"narrative_{code}"


# merge name (signer:<name>) → the report form's field.
SIGNER_FORM_FIELDS = {"name": "signer_name", "title": "signer_title", "deputy": "signer_is_deputy"}


def _clean_text(value):
    """Text as stored: one line-ending style (browsers send CRLF), no surrounding blanks."""
    return value.replace("\r\n", "\n").strip()


class ReportForm(forms.Form):
    """One value, a "no data" mark and a note per measure the unit reports; a narrative per
    section; who signs the printed report; the version and the signed base the form was read
    at (reports.merge). Neither is required: a form without a readable base is merged as one
    whose every difference from the stored report is a conflict. `signer_title`: the title
    printed when the head signs and the title is left blank."""

    version = forms.IntegerField(widget=DirectHiddenInput, min_value=1, required=False)
    base = forms.CharField(widget=DirectHiddenInput, required=False)
    signer_name = forms.CharField(
        label=_("Người ký"),
        widget=DirectTextInput,
        required=False,
        max_length=120,
        help_text=_("Họ tên người ký báo cáo, in dưới chữ ký."),
        validators=[TextRule(_("Người ký"))],
    )
    signer_title = forms.CharField(
        label=_("Chức vụ người ký"),
        widget=DirectTextInput,
        required=False,
        max_length=120,
        validators=[TextRule(_("Chức vụ người ký"))],
    )
    signer_is_deputy = forms.BooleanField(label=_("Cấp phó ký thay (KT.)"), widget=DirectCheckboxInput, required=False)

    def __init__(self, *args, measures, sections, goals=None, signer_title="", **kwargs):
        super().__init__(*args, **kwargs)
        head = signer_title
        if head:
            self.fields["signer_title"].widget.attrs["placeholder"] = head
            self.fields["signer_title"].help_text = _(
                "Bỏ trống thì in chức danh thủ trưởng “%(head)s”, hoặc chức danh cấp phó khi cấp phó ký thay."
            ) % {"head": head}
        self.measures = list(measures)
        self._by_code = {measure.code: measure for measure in self.measures}
        self.sections = list(sections)
        # merge key → what to show beside the field (set by the view after a conflict).
        self.conflicts = {}
        for measure in self.measures:
            unit = measure.unit_of_measure
            if measure.value_type == "boolean":
                unit = _("1 = có, 0 = không")
            field = VNNumberField(label=measure.name, help_text=conditional_escape(measure.description))
            field.unit = unit
            self.fields[value_field(measure.code)] = field
            self.fields[no_data_field(measure.code)] = forms.BooleanField(
                required=False,
                label=_("Không có số liệu"),
                widget=DirectCheckboxInput(
                    attrs={"aria-label": _("Không có số liệu — %(name)s") % {"name": measure.name}}
                ),
            )
            self.fields[note_field(measure.code)] = forms.CharField(
                required=False,
                max_length=500,
                label=_("Ghi chú"),
                widget=DirectTextInput(
                    attrs={"class": "form-control-sm", "aria-label": _("Ghi chú — %(name)s") % {"name": measure.name}}
                ),
                validators=[TextRule(_("Ghi chú của “%(measure)s”") % {"measure": measure.name})],
            )
        for section in self.sections:
            label = _("Kết quả thực hiện: %(title)s") % {"title": section.title}
            self.fields[narrative_field(section.code)] = forms.CharField(
                required=False,
                label=_("Kết quả thực hiện, đánh giá"),
                widget=DirectTextarea(attrs={"rows": 4}),
                validators=[TextRule(label, "narrative")],
            )
        self.helper = report_form_helper(self, goals or {})

    @classmethod
    def data_for(cls, state, measures, sections):
        """What the fields show for a stored state (reports.merge), as a browser posts it."""
        data = {}
        for measure in measures:
            code = measure.code
            stored = state.get(merge.key(merge.FIGURE, code))
            number = merge.figure_number(stored)
            data[value_field(code)] = "" if number is None else format_vn_number(number)
            if stored == merge.NO_DATA:
                data[no_data_field(code)] = "on"
            data[note_field(code)] = state.get(merge.key(merge.NOTE, code), "")
        for section in sections:
            data[narrative_field(section.code)] = state.get(merge.key(merge.NARRATIVE, section.code), "")
        data["signer_name"] = state.get(merge.key(merge.SIGNER, "name"), "")
        data["signer_title"] = state.get(merge.key(merge.SIGNER, "title"), "")
        if state.get(merge.key(merge.SIGNER, "deputy")):
            data["signer_is_deputy"] = "on"
        return data

    @staticmethod
    def field_names(merge_key):
        """The form fields that show a merge key, the one its messages go to first."""
        kind, name = merge.split(merge_key)
        if kind == merge.FIGURE:
            return [value_field(name), no_data_field(name)]
        if kind == merge.NOTE:
            return [note_field(name)]
        if kind == merge.NARRATIVE:
            return [narrative_field(name)]
        if kind == merge.SIGNER and name in SIGNER_FORM_FIELDS:
            return [SIGNER_FORM_FIELDS[name]]
        return []

    def clean(self):
        cleaned = super().clean()
        for measure in self.measures:
            if cleaned.get(no_data_field(measure.code)) and cleaned.get(value_field(measure.code)) is not None:
                self.add_error(
                    value_field(measure.code),
                    _("%(name)s: đã nhập số liệu thì bỏ đánh dấu “không có số liệu”.") % {"name": measure.name},
                )
        # A value's own rules here, so every mistake shows at once; rules between values
        # (a part and its whole) are checked on the merged report by reports.merge.
        for measure in self.measures:
            name = value_field(measure.code)
            if name not in self.errors:
                message = check_value(measure, cleaned.get(name))
                if message:
                    self.add_error(name, message)
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField) and not isinstance(field, VNNumberField):
                if isinstance(cleaned.get(name), str):
                    cleaned[name] = _clean_text(cleaned[name])
        return cleaned

    def edits(self):
        """merge key → what this form holds, for the fields the POST carried (a field it did
        not carry is not an edit); merge.Unparsed where the typed text is not valid."""
        errors, cleaned, mine = self.errors, getattr(self, "cleaned_data", {}), {}
        for measure in self.measures:
            code = measure.code
            value, note = value_field(code), note_field(code)
            if value in self.data:
                if value in errors:
                    mine[merge.key(merge.FIGURE, code)] = merge.Unparsed(self.data.get(value))
                else:
                    no_data = cleaned.get(no_data_field(code))
                    mine[merge.key(merge.FIGURE, code)] = merge.figure(cleaned.get(value), no_data)
            if note in self.data:
                note_key = merge.key(merge.NOTE, code)
                mine[note_key] = merge.Unparsed(self.data.get(note)) if note in errors else cleaned.get(note, "")
        for section in self.sections:
            name = narrative_field(section.code)
            if name in self.data:
                narrative_key = merge.key(merge.NARRATIVE, section.code)
                mine[narrative_key] = merge.Unparsed(self.data.get(name)) if name in errors else cleaned.get(name, "")
        # An unticked box is not posted: the signer's name, always posted with it, says the
        # form carried the signer.
        if "signer_name" in self.data:
            for name, field_name in SIGNER_FORM_FIELDS.items():
                signer_key = merge.key(merge.SIGNER, name)
                if field_name in errors:
                    mine[signer_key] = merge.Unparsed(self.data.get(field_name))
                else:
                    mine[signer_key] = cleaned.get(field_name, False if name == "deputy" else "")
        return mine

    def add_problems(self, problems):
        """Put problems (merge key or measure code → message) next to their fields."""
        for where, message in problems.items():
            names = self.field_names(where) if ":" in where else [value_field(where)]
            field = names[0] if names and names[0] in self.fields else None
            self.add_error(field, message)


class AwardSelect(forms.Select):
    """The catalogue's forms, each option saying whom it is for (`data-for`), so the page
    offers only the forms for the kind chosen on the row (static/js/report_edit.js)."""

    def __init__(self, *args, recipients=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.recipients = recipients or {}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value in self.recipients:
            option["attrs"]["data-for"] = " ".join(self.recipients[value])
        return option


class CommendationForm(forms.Form):
    """One proposal row. With the campaign's award catalogue (`awards`: code → AwardForm)
    the award is chosen from it and stored with its name; without one it is free text. A row
    saved as free text before the catalogue keeps its text (in a hidden field) until the
    officer changes the row: then reports.merge asks for a form from the catalogue."""

    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Đối tượng"), choices=[("", "—")] + list(CommendationKind.choices))
    name = forms.CharField(
        label=_("Tên tập thể / cá nhân"), max_length=255, validators=[TextRule(_("Tên tập thể / cá nhân"))]
    )
    position = forms.CharField(
        label=_("Chức vụ"),
        required=False,
        max_length=255,
        help_text=_("Bắt buộc với cá nhân."),
        validators=[TextRule(_("Chức vụ"))],
    )
    work_unit = forms.CharField(
        label=_("Đơn vị công tác"), required=False, max_length=255, validators=[TextRule(_("Đơn vị công tác"))]
    )
    award = forms.CharField(
        label=_("Hình thức khen thưởng đề nghị"),
        max_length=255,
        validators=[TextRule(_("Hình thức khen thưởng đề nghị"))],
    )
    award_form = forms.CharField(widget=forms.HiddenInput, required=False)
    achievement = forms.CharField(
        label=_("Thành tích"),
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[TextRule(_("Thành tích"), "achievement")],
    )

    def __init__(self, *args, awards=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.awards = awards
        if awards is not None:
            self.fields["award"].required = False
            self.fields["award"].widget = forms.HiddenInput()
            self.fields["award_form"] = forms.ChoiceField(
                label=_("Hình thức khen thưởng đề nghị"),
                required=False,
                choices=[("", "—")] + [(code, award_label(form)) for code, form in awards.items()],
                widget=AwardSelect(recipients={code: form.recipients for code, form in awards.items()}),
            )

    @property
    def legacy_award(self):
        """The free text of a row saved before the catalogue, while no form is chosen."""
        if self.awards is None or self["award_form"].value():
            return ""
        return self["award"].value() or ""

    def clean(self):
        from commendations.awards import row_problems, with_award

        cleaned = super().clean()
        for field in ("name", "position", "work_unit", "achievement", "award"):
            if isinstance(cleaned.get(field), str):
                cleaned[field] = _clean_text(cleaned[field])
        if self.awards is None:
            cleaned["award_form"] = ""
        problems = row_problems(cleaned, forms=self.awards)
        if self.awards is not None and not cleaned.get("award_form") and cleaned.get("award"):
            problems.pop("award_form", None)  # a free-text row as saved: asked for only when changed
        for field, message in problems.items():
            if field in self.fields and field not in self.errors and field in cleaned:
                self.add_error(field, message)
        if not self.errors:
            cleaned.update(with_award(cleaned, self.awards) if cleaned.get("award_form") else {})
        return cleaned


def award_label(form):
    from commendations.awards import recipients_text

    return f"{form.name} ({recipients_text(form)})"


class BaseCommendationFormSet(forms.BaseFormSet):
    """The proposals, each row keeping its stored identity (its pk, in a hidden field)."""

    def __init__(self, *args, awards=None, **kwargs):
        kwargs.setdefault("form_kwargs", {})["awards"] = awards
        super().__init__(*args, **kwargs)
        self.awards = awards
        self.helper = commendation_helper(catalogue=awards is not None)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = _("Xóa dòng này")
        form.conflict = None

    def row_keys(self, known):
        """The merge key of each row: its stored pk when the base knows it (`known`: pks),
        else a new proposal numbered by its place."""
        keys = []
        for index, form in enumerate(self.forms):
            try:
                pk = int(form["id"].value() or "")
            except (TypeError, ValueError):
                pk = None
            if pk is not None and pk in known:
                keys.append(merge.key(merge.COMMENDATION, pk))
            else:
                keys.append(merge.key(merge.COMMENDATION, f"+{index}"))
        return keys

    def edits(self, known):
        """merge key → the row (merge.COMMENDATION_FIELDS; None: removed;
        merge.Unparsed: not valid) for the rows this formset changed or added."""
        self.errors  # noqa: B018 — validates every row
        mine = {}
        for form, row_key in zip(self.forms, self.row_keys(known), strict=True):
            new = merge.split(row_key)[1].startswith("+")
            if self._should_delete_form(form):
                if not new:
                    mine[row_key] = None
                continue
            if new and not form.has_changed():
                continue
            if form.errors:
                mine[row_key] = merge.Unparsed()
            else:
                mine[row_key] = [form.cleaned_data[name] for name in merge.COMMENDATION_FIELDS]
        return mine


CommendationFormSet = forms.formset_factory(
    CommendationForm, formset=BaseCommendationFormSet, extra=1, can_delete=True, max_num=200, validate_max=True
)


def commendation_rows(state):
    """The stored proposals of a state (reports.merge), as the formset's rows."""
    rows = []
    for field_key, value in state.items():
        kind, name = merge.split(field_key)
        if kind == merge.COMMENDATION and value is not None:
            rows.append({"id": int(name), **dict(zip(merge.COMMENDATION_FIELDS, value, strict=True))})
    return rows


def commendation_data(rows, prefix):
    """A formset's POST data for `rows` (dicts; stored rows first, with their id), plus one
    blank row to add another."""
    stored = sum(1 for row in rows if row.get("id"))
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows) + 1),
        f"{prefix}-INITIAL_FORMS": str(stored),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            if name == "DELETE":
                if value:
                    data[f"{prefix}-{index}-DELETE"] = "on"
            elif value is not None:
                data[f"{prefix}-{index}-{name}"] = str(value)
    return data


def report_form_helper(form, goals):
    """The report form's layout: each section with its measures' rows and its narrative.
    `goals`: measure code → the aggregation results that show beside its figure."""
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    sections = []
    for section in form.sections:
        rows = [
            MeasureRow(
                measure,
                goals.get(measure.code, []),
                value=value_field(measure.code),
                no_data=no_data_field(measure.code),
                note=note_field(measure.code),
            )
            for measure in form.measures
            if measure.section_id == section.pk
        ]
        sections.append(Section(section, *rows, Narrative(narrative_field(section.code), section.code)))
    signer = Signer({merge.key(merge.SIGNER, name): field for name, field in SIGNER_FORM_FIELDS.items()})
    helper.layout = Layout("version", "base", *sections, signer)
    return helper


def commendation_helper(*, catalogue=False):
    """One commendation proposal: two lines on a wide screen, a card on a phone. With a
    catalogue the award is a select (a free-text row's old text shown above it)."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.template = "reports/form/commendation_formset.html"
    if catalogue:
        award = Column(
            LegacyAward(),
            Field("award_form", css_class="form-select-sm"),
            "award",
            css_class="col-md-3",
        )
    else:
        award = Column("award_form", Field("award", css_class="form-control-sm"), css_class="col-md-3")
    helper.layout = Layout(
        "id",
        Row(
            Column(Field("kind", css_class="form-select-sm"), css_class="col-md-2"),
            Column(Field("name", css_class="form-control-sm"), css_class="col-md-3"),
            Column(Field("position", css_class="form-control-sm"), css_class="col-md-2"),
            Column(Field("work_unit", css_class="form-control-sm"), css_class="col-md-2"),
            award,
            css_class="g-2",
        ),
        Row(
            Column(Field("achievement", css_class="form-control-sm"), css_class="col-md-11"),
            Column(Field("DELETE"), css_class="col-md-1 pt-md-4"),
            css_class="g-2",
        ),
        RowConflict(),
    )
    return helper


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp minh chứng"),
        help_text=_("PDF, JPEG, PNG, XLSX hoặc DOCX."),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".pdf,.jpg,.jpeg,.png,.xlsx,.docx"}),
    )
    description = forms.CharField(
        label=_("Mô tả"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        validators=[TextRule(_("Mô tả"))],
    )


class ReviewForm(forms.Form):
    """Accept (comment optional) or return (reason required: `report_return` says so)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    comment = forms.CharField(
        label=_("Ý kiến / lý do trả lại"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        validators=[TextRule(_("Ý kiến của Sở Nội vụ"))],
    )


class SubmitForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


ALL = ("", _("Tất cả"))
SMALL_SELECT = "form-select form-select-sm"


def _pick(label, choices):
    return forms.ChoiceField(
        label=label, choices=[ALL, *choices], required=False, widget=forms.Select(attrs={"class": SMALL_SELECT})
    )


def _pick_by_code(label, queryset):
    return forms.ModelChoiceField(
        label=label,
        queryset=queryset,
        to_field_name="code",
        required=False,
        empty_label=ALL[1],
        widget=forms.Select(attrs={"class": SMALL_SELECT}),
    )


class QueueFilterForm(forms.Form):
    """The review queue's filters (GET)."""

    campaign = _pick_by_code(_("Phong trào"), Campaign.objects.all())
    kind = _pick(_("Loại đơn vị"), UnitKind.choices)
    group = _pick(_("Cụm, khối, nhóm"), [])
    status = _pick(_("Trạng thái"), ReportStatus.choices)
    late = _pick(_("Hạn nộp"), [("1", _("Nộp muộn")), ("0", _("Đúng hạn"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Groups belong to a campaign; a code shared by several campaigns shows its newest name.
        groups = dict(
            UnitGroup.objects.order_by("kind", "code", "campaign__directive_date").values_list("code", "name")
        )
        self.fields["group"].choices = [ALL, *groups.items()]

    def filter(self, queryset):
        """Apply the valid filters to a queryset of reports; a unit's kind and groups are
        those of the report's campaign."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("campaign"):
            queryset = queryset.filter(campaign=data["campaign"])
        if data.get("kind"):
            queryset = queryset.filter(
                unit__campaign_units__campaign=F("campaign"), unit__campaign_units__kind=data["kind"]
            )
        if data.get("group"):
            queryset = queryset.filter(unit__groups__campaign=F("campaign"), unit__groups__code=data["group"])
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("late"):
            queryset = queryset.filter(is_late=data["late"] == "1")
        return queryset
