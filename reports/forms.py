"""Forms of the unit report pages: the report form (figures, notes, "no data", narratives),
commendation rows, evidence upload, the reviewer's actions and the review queue filters.

Forms only parse and show input. The rules a unit's figures follow live in
`reports.validation` and are applied by `report_save_values`; its problems are put back on
the fields here (`add_problems`), so every message sits next to the field it is about."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, UnitGroup, UnitKind
from campaigns.numbers import NumberError, format_vn_number, parse_vn_number

from .models import CommendationKind, ReportStatus
from .text import TextRule
from .validation import check_parts, check_value


class VNNumberField(forms.CharField):
    """A number typed the Vietnamese way (`3.868.370`, `85,3`), shown back the same way."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"inputmode": "decimal", "autocomplete": "off", "class": "form-control num", "maxlength": 40}
        )

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


class ReportForm(forms.Form):
    """One value, a "no data" mark and a note per measure the unit reports; a narrative per
    section; the version the form was read at (for the no-lost-update check)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, measures, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.measures = list(measures)
        self._by_code = {measure.code: measure for measure in self.measures}
        self.sections = list(sections)
        for measure in self.measures:
            hint = measure.unit_of_measure
            if measure.value_type == "boolean":
                hint = _("1 = có, 0 = không")
            self.fields[value_field(measure.code)] = VNNumberField(label=measure.name, help_text=hint)
            self.fields[no_data_field(measure.code)] = forms.BooleanField(
                required=False,
                label=_("Không có số liệu"),
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields[note_field(measure.code)] = forms.CharField(
                required=False,
                max_length=500,
                label=_("Ghi chú"),
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
                validators=[TextRule(_("Ghi chú của “%(measure)s”") % {"measure": measure.name})],
            )
        for section in self.sections:
            label = _("Kết quả thực hiện: %(title)s") % {"title": section.title}
            self.fields[narrative_field(section.code)] = forms.CharField(
                required=False,
                label=label,
                widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
                validators=[TextRule(label, "narrative")],
            )

    @staticmethod
    def initial_for(report, values, narratives):
        """Initial data from the stored report (`values`: code → MeasureValue)."""
        initial = {"version": report.version}
        for code, stored in values.items():
            initial[value_field(code)] = stored.value
            initial[no_data_field(code)] = stored.no_data
            initial[note_field(code)] = stored.note
        for narrative in narratives:
            initial[narrative_field(narrative.section.code)] = narrative.text
        return initial

    def clean(self):
        cleaned = super().clean()
        for measure in self.measures:
            if cleaned.get(no_data_field(measure.code)) and cleaned.get(value_field(measure.code)) is not None:
                self.add_error(
                    value_field(measure.code),
                    _("%(name)s: đã nhập số liệu thì bỏ đánh dấu “không có số liệu”.") % {"name": measure.name},
                )
        # The domain rules too, so every mistake shows at once (the service checks them again).
        values = {
            measure.code: cleaned.get(value_field(measure.code))
            for measure in self.measures
            if value_field(measure.code) not in self.errors
        }
        problems = {code: check_value(self._by_code[code], value) for code, value in values.items()}
        problems = {code: message for code, message in problems.items() if message}
        for code, message in check_parts(self.measures, values).items():
            problems.setdefault(code, message)
        for code, message in problems.items():
            self.add_error(value_field(code), message)
        return cleaned

    # What the service takes.
    def values(self):
        return {measure.code: self.cleaned_data[value_field(measure.code)] for measure in self.measures}

    def notes(self):
        return {measure.code: self.cleaned_data[note_field(measure.code)].strip() for measure in self.measures}

    def no_data(self):
        return {measure.code for measure in self.measures if self.cleaned_data[no_data_field(measure.code)]}

    def narratives(self):
        return {section.code: self.cleaned_data[narrative_field(section.code)].strip() for section in self.sections}

    def add_problems(self, problems):
        """Put a ReportError's problems (measure code → message) next to their fields."""
        for code, message in problems.items():
            field = value_field(code)
            self.add_error(field if field in self.fields else None, message)


class CommendationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Đối tượng"),
        choices=[("", "—")] + list(CommendationKind.choices),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    name = forms.CharField(
        label=_("Tên tập thể / cá nhân"),
        max_length=255,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
        validators=[TextRule(_("Tên tập thể / cá nhân"))],
    )
    achievement = forms.CharField(
        label=_("Thành tích"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
        validators=[TextRule(_("Thành tích"), "achievement")],
    )
    award = forms.CharField(
        label=_("Hình thức khen thưởng đề nghị"),
        max_length=255,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
        validators=[TextRule(_("Hình thức khen thưởng đề nghị"))],
    )

    def clean(self):
        cleaned = super().clean()
        for field in ("name", "achievement", "award"):
            if field in cleaned:
                cleaned[field] = cleaned[field].strip()
        return cleaned


class BaseCommendationFormSet(forms.BaseFormSet):
    def rows(self):
        """The proposals kept (filled in and not marked for removal), in order."""
        return [
            {field: form.cleaned_data[field] for field in ("kind", "name", "achievement", "award")}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


CommendationFormSet = forms.formset_factory(
    CommendationForm, formset=BaseCommendationFormSet, extra=1, can_delete=True, max_num=200, validate_max=True
)


def commendation_initial(report):
    return [
        {"kind": row.kind, "name": row.name, "achievement": row.achievement, "award": row.award}
        for row in report.commendations.all()
    ]


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
        # Groups belong to a campaign; one code names the same cluster in each year's file.
        groups = dict(
            UnitGroup.objects.order_by("kind", "code", "-campaign__directive_date").values_list("code", "name")
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
