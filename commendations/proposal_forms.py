"""Forms of the unit's proposal pages: a dossier file, the resubmission, the Excel list."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import CommendationKind
from reports.text import TextRule

from .models import DossierKind


class DossierUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Loại hồ sơ"),
        choices=[("", "—")] + list(DossierKind.choices),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": _("Chọn loại hồ sơ."), "invalid_choice": _("Chọn loại hồ sơ trong danh sách.")},
    )
    file = forms.FileField(
        label=_("Tệp hồ sơ"),
        help_text=_("PDF, JPEG, PNG, XLSX hoặc DOCX."),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".pdf,.jpg,.jpeg,.png,.xlsx,.docx"}),
        error_messages={"required": _("Chọn tệp để tải lên.")},
    )


class ResubmitForm(forms.Form):
    """What the unit may change of a proposal the Sở Nội vụ asked more for."""

    position = forms.CharField(
        label=_("Chức vụ"),
        required=False,
        max_length=255,
        validators=[TextRule(_("Chức vụ"))],
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    work_unit = forms.CharField(
        label=_("Đơn vị công tác"),
        required=False,
        max_length=255,
        validators=[TextRule(_("Đơn vị công tác"))],
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    achievement = forms.CharField(
        label=_("Thành tích"),
        validators=[TextRule(_("Thành tích"), "achievement")],
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}),
        error_messages={"required": _("Ghi thành tích.")},
    )

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        if proposal.kind == CommendationKind.COLLECTIVE:
            del self.fields["position"]
            del self.fields["work_unit"]


class ProposalImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp Excel danh sách đề nghị"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx"}),
        error_messages={"required": _("Chọn tệp Excel để tải lên.")},
    )
