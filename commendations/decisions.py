"""The campaign's commendation decision and its printed documents: entering the Tờ trình's and
the Quyết định's numbers, dates and signer (`decision_save`), asking for a print
(`commendation_print_request`) and rendering it in a worker (`commendation_print_render`).

Prints are jobs like a unit report's print (reports.jobs): a row first, the task enqueued
after commit, progress and failure on the row; a person's new prints count towards the same
PRINT_RATE_LIMIT as their unit report prints.
"""

import re

from django import forms
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.jobs import JobAbandoned, job_done, job_fail, job_progress
from reports.models import JobStatus
from reports.prints import print_job_request
from reports.text import TextRule

from .certificates import LAYOUTS, PLAIN, CertificatesRefused, certificates, certificates_pdf
from .documents import campaign_list, decision_document, document_files, printed_names, submission_document
from .models import CommendationPrint, Decision, DocumentKind, ProposalAction, ProposalEvent

# `123/QĐ-UBND`, `45/TTr-SNV`: the number, then the symbol, its parts joined by hyphens.
NUMBER = re.compile(r"^(\d{1,5})/([0-9A-Za-zĐđ]+(?:-[0-9A-Za-zĐđ]+)+)$")
SIGNER_TITLES = ("CHỦ TỊCH", "PHÓ CHỦ TỊCH")


def normalised_number(value, *, prefix, example):
    """A document number as entered, checked: `5/QĐ-UBND` → `05/QĐ-UBND` (ND 30: numbers under
    10 take a leading 0). Raises ValidationError naming the expected form."""
    value = re.sub(r"\s+", "", value or "")
    if not value:
        return ""
    match = NUMBER.match(value)
    if not match or not match.group(2).startswith(prefix):
        raise forms.ValidationError(
            _("Số văn bản phải có dạng số/ký hiệu, ví dụ %(example)s."), params={"example": example}
        )
    number = int(match.group(1))
    if number == 0:
        raise forms.ValidationError(_("Số văn bản phải lớn hơn 0."))
    return f"{number:02d}/{match.group(2)}"


DATE_INPUT = {
    "required": False,
    "input_formats": ["%d/%m/%Y", "%Y-%m-%d"],
    "error_messages": {"invalid": _("Ngày không hợp lệ; nhập theo dạng 20/12/2024.")},
}


def _date_widget():
    return forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _text_widget(**attrs):
    return forms.TextInput(attrs={"class": "form-control", **attrs})


class DecisionForm(forms.Form):
    """The Tờ trình's number and date; once signed, the Quyết định's number, date and signer."""

    submission_number = forms.CharField(
        label=_("Số Tờ trình"),
        max_length=64,
        required=False,
        widget=_text_widget(placeholder="45/TTr-SNV"),
        help_text=_("Ví dụ 45/TTr-SNV; để trống khi Tờ trình còn là dự thảo."),
    )
    submission_date = forms.DateField(label=_("Ngày Tờ trình"), widget=_date_widget(), **DATE_INPUT)
    number = forms.CharField(
        label=_("Số Quyết định"),
        max_length=64,
        required=False,
        widget=_text_widget(placeholder="123/QĐ-UBND"),
        help_text=_("Nhập khi Quyết định đã được ký, ví dụ 123/QĐ-UBND."),
    )
    signed_on = forms.DateField(label=_("Ngày ký Quyết định"), widget=_date_widget(), **DATE_INPUT)
    signer_title = forms.CharField(
        label=_("Chức vụ người ký"),
        max_length=120,
        required=False,
        validators=[TextRule(_("Chức vụ người ký"))],
        widget=_text_widget(placeholder="PHÓ CHỦ TỊCH"),
        help_text=_("CHỦ TỊCH hoặc PHÓ CHỦ TỊCH (ký thay Chủ tịch)."),
    )
    signer_name = forms.CharField(
        label=_("Họ tên người ký"),
        max_length=120,
        required=False,
        validators=[TextRule(_("Họ tên người ký"))],
        widget=_text_widget(autocomplete="off"),
    )

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def clean_submission_number(self):
        return normalised_number(self.cleaned_data["submission_number"], prefix="TTr", example="45/TTr-SNV")

    def clean_number(self):
        return normalised_number(self.cleaned_data["number"], prefix="QĐ", example="123/QĐ-UBND")

    def _not_future(self, name):
        date = self.cleaned_data[name]
        if date and date > self.today:
            raise forms.ValidationError(_("Ngày không được sau hôm nay."))
        return date

    def clean_submission_date(self):
        return self._not_future("submission_date")

    def clean_signed_on(self):
        return self._not_future("signed_on")

    def clean_signer_title(self):
        title = " ".join(self.cleaned_data["signer_title"].split()).upper()
        if title and title not in SIGNER_TITLES:
            raise forms.ValidationError(_("Chức vụ người ký là CHỦ TỊCH hoặc PHÓ CHỦ TỊCH."))
        return title

    def clean_signer_name(self):
        name = " ".join(self.cleaned_data["signer_name"].split())
        if name and not re.fullmatch(r"[^\W\d_]+(?:[ .'-][^\W\d_]+)*\.?", name):
            raise forms.ValidationError(_("Họ tên người ký chỉ gồm chữ cái, không có chức danh hay chữ số."))
        return name

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        data = dict(data)  # add_error drops a field from cleaned_data; the checks read them all
        if bool(data["submission_number"]) != bool(data["submission_date"]):
            self.add_error(
                "submission_date" if data["submission_number"] else "submission_number",
                _("Nhập cả số và ngày của Tờ trình."),
            )
        if bool(data["number"]) != bool(data["signed_on"]):
            self.add_error("signed_on" if data["number"] else "number", _("Nhập cả số và ngày ký Quyết định."))
        if data["number"]:
            if not data["submission_number"]:
                self.add_error("number", _("Quyết định căn cứ Tờ trình: nhập số và ngày Tờ trình trước."))
            if not data["signer_name"]:
                self.add_error("signer_name", _("Nhập họ tên người ký Quyết định."))
        elif data["signer_name"]:
            self.add_error("number", _("Chỉ nhập người ký khi đã có số Quyết định."))
        dates = data["submission_date"], data["signed_on"]
        if all(dates) and dates[1] < dates[0]:
            self.add_error("signed_on", _("Ngày ký Quyết định không được trước ngày Tờ trình."))
        return self.cleaned_data


DECISION_FIELDS = ("submission_number", "submission_date", "number", "signed_on", "signer_name", "signer_title")
DATE_FIELDS = ("submission_date", "signed_on")


def decision_of(campaign):
    """The campaign's decision, or an unsaved empty one (reading never creates it)."""
    return Decision.objects.filter(campaign=campaign).first() or Decision(campaign=campaign)


def decision_save(*, campaign, values, by):
    """Save the decision's fields (`values`, as DecisionForm cleans them) in one transaction.
    When the Quyết định's number or date is entered or changed, every proposal on the list
    gets a DECIDED step in its history. Returns the decision."""
    with transaction.atomic():
        decision = Decision.objects.select_for_update().filter(campaign=campaign).first()
        decision = decision or Decision(campaign=campaign)
        before = (decision.number, decision.signed_on)
        for name in DECISION_FIELDS:
            setattr(decision, name, values.get(name) or (None if name in DATE_FIELDS else ""))
        if decision.number and not decision.signer_title:
            decision.signer_title = "CHỦ TỊCH"
        decision.updated_by = by
        decision.full_clean(exclude=["campaign"])
        decision.save()
        if decision.issued and (decision.number, decision.signed_on) != before:
            detail = {"number": decision.number, "signed_on": decision.signed_on.isoformat()}
            ProposalEvent.objects.bulk_create(
                ProposalEvent(proposal=proposal, action=ProposalAction.DECIDED, by=by, detail=detail)
                for group in campaign_list(campaign)
                for proposal in group.proposals
            )
    return decision


# --- prints --------------------------------------------------------------------------------
LIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


def print_options(kind, paper=None):
    """The options a print of `kind` is made with: the certificates' layout."""
    if kind == DocumentKind.CERTIFICATES:
        return {"paper": paper if paper in LAYOUTS else PLAIN}
    return {}


def commendation_print_request(*, campaign, kind, by, paper=None, now=None):
    """The print of `kind` for `campaign`: one already queued or running with the same options,
    else a new queued job the caller enqueues on commit. Returns (job, created). Raises
    CertificatesRefused for certificates before the decision is signed and numbered, and
    RateLimited past the person's PRINT_RATE_LIMIT (unit prints and these counted together)."""
    options = print_options(kind, paper)
    if kind == DocumentKind.CERTIFICATES:
        certificates(campaign, decision_of(campaign), campaign_list(campaign))  # refuses early, with its reason
    return print_job_request(
        live=CommendationPrint.objects.filter(campaign=campaign, kind=kind, options=options, status__in=LIVE),
        create=lambda: CommendationPrint.objects.create(campaign=campaign, kind=kind, options=options, requested_by=by),
        by=by,
        now=now,
    )


def print_filename(job, extension):
    return f"{job.kind}-{job.campaign.code}-{job.pk}.{extension}"


def commendation_print_render(*, job):
    """Render a CommendationPrint from the list and the decision as they stand now: the Tờ
    trình or the Quyết định (PDF and Word), or the certificates (PDF); keep the printed names."""
    job_progress(job, stage="Đang lập danh sách", progress=10)
    campaign = job.campaign
    decision = decision_of(campaign)
    groups = campaign_list(campaign)
    created = job.started_at or timezone.now()
    docx = None
    job_progress(job, stage="Đang dựng trang", progress=30)
    if job.kind == DocumentKind.CERTIFICATES:
        try:
            items = certificates(campaign, decision, groups)
        except CertificatesRefused as refused:  # the decision changed since the print was asked for
            job_fail(job, str(refused))
            return
        pdf = certificates_pdf(items, job.options.get("paper", PLAIN))
        names = printed_names([group for group in groups if group.form.certificate])
    else:
        build = submission_document if job.kind == DocumentKind.SUBMISSION else decision_document
        pdf, docx = document_files(build(campaign, decision, groups), created=created)
        names = printed_names(groups)
    job_progress(job, stage="Đang lưu tệp", progress=90)
    job.pdf.save(print_filename(job, "pdf"), ContentFile(pdf), save=False)
    if docx is not None:
        job.docx.save(print_filename(job, "docx"), ContentFile(docx), save=False)
    try:
        job_done(job, pdf=job.pdf.name, docx=job.docx.name if docx is not None else "", names=names)
    except JobAbandoned:  # another run owns the row now: keep no file that nothing points to
        job.pdf.delete(save=False)
        if docx is not None:
            job.docx.delete(save=False)
        raise
