"""The provincial summary pages: reviewers compile and retry; reviewers and leaders see the
history and download; officers and everyone else get 404. Compiling happens in a Celery task
enqueued after the row is committed; the page polls a small status endpoint (htmx). A reviewer
over their COMPILE_RATE_LIMIT (compiles and retries) gets 429 with when to try again."""

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models.functions import Length, Substr
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from campaigns.models import Campaign, CampaignStatus
from campaigns.roles import can_read_province, is_reviewer

from .jobs import RateLimited
from .models import JobStatus, Reminder, Summary, SummaryDraft
from .reminders import reminders_send_manual
from .summary import drafts_current, summary_create, summary_draft_save, summary_retry
from .summary.collect import summary_collect
from .summary.prose import Part, draft_parts, prefill
from .text import TextRule


class SummaryForm(forms.Form):
    document_number = forms.CharField(
        label=_("Số văn bản"),
        max_length=16,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        help_text=_("Chỉ phần số, ví dụ 125; để trống để văn thư ghi tay."),
    )
    document_date = forms.DateField(
        label=_("Ngày văn bản"),
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Ngày không hợp lệ; nhập theo dạng 15/12/2024.")},
    )
    accepted_only = forms.BooleanField(
        label=_("Chỉ tổng hợp báo cáo đã được thẩm định"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input", "aria-describedby": "accepted-only-counts"}),
    )

    def clean_document_number(self):
        number = self.cleaned_data["document_number"].strip()
        if number and not number.isdigit():
            raise forms.ValidationError(_("Số văn bản chỉ gồm chữ số, ví dụ 125."))
        return number


class ProseField(forms.CharField):
    """A part's text as typed: line breaks counted once, whatever the browser sent."""

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


def _rows_for(text, width=90):
    """Rows enough to show `text` on a wide screen without scrolling, within 4 to 16."""
    rows = sum(-(-len(line) // width) or 1 for line in text.splitlines())
    return min(max(rows + 1, 4), 16)


class DraftPartForm(forms.Form):
    """One part of the summary's prose on the drafting page. `shown` carries the suggestion
    the page showed, so a suggestion sent back untouched is not saved as the reviewer's text
    (it keeps following the figures until someone edits it)."""

    text = ProseField(required=False, widget=forms.Textarea(attrs={"class": "form-control"}))
    shown = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)
    restore = forms.BooleanField(
        label=_("Dùng lại gợi ý tự động"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, part, **kwargs):
        super().__init__(*args, **kwargs)
        self.part = part
        label = f"{part.number}. {part.title}"
        text = self.fields["text"]
        text.label = label
        text.help_text = part.hint
        if part.hint:
            text.widget.attrs["aria-describedby"] = f"{self['text'].auto_id}-help"
        text.validators.append(TextRule(label, "narrative"))
        text.widget.attrs["rows"] = _rows_for(self.initial.get("text") or "")

    def full_clean(self):
        super().full_clean()
        if "text" in self.errors:
            widget = self.fields["text"].widget
            widget.attrs["class"] = widget.attrs["class"] + " is-invalid"
            widget.attrs["aria-invalid"] = "true"


def _campaign_for_reader(user, code):
    if not can_read_province(user):
        raise Http404
    return get_object_or_404(Campaign, code=code)


def _campaign_for_reviewer(user, code):
    if not is_reviewer(user):
        raise Http404
    return get_object_or_404(Campaign, code=code)


def _summary_for_reader(user, pk):
    """The summary `pk` for a reviewer or leader; 404 for everyone else."""
    if not can_read_province(user):
        raise Http404
    return get_object_or_404(Summary.objects.select_related("campaign", "requested_by"), pk=pk)


def _enqueue(summary):
    from .tasks import compile_summary

    transaction.on_commit(lambda: compile_summary.delay(summary.pk))


def summary_current(request):
    """The summaries of the active campaign (the navigation's entry point)."""
    if not can_read_province(request.user):
        raise Http404
    campaign = Campaign.objects.filter(status=CampaignStatus.ACTIVE).first() or Campaign.objects.first()
    if campaign is None:
        return redirect("campaigns:list")
    return redirect("reports:summary_list", code=campaign.code)


def summary_list(request, code):
    """History of a campaign's summaries; reviewers also get the compile form, the state of
    each drafted part and the reminders sent."""
    campaign = _campaign_for_reader(request.user, code)
    form = None
    if is_reviewer(request.user):
        latest = campaign.summaries.order_by("-number").first()
        form = SummaryForm(
            initial={"document_date": campaign.summary_deadline, "accepted_only": bool(latest and latest.accepted_only)}
        )
    return _render_list(request, campaign, form)


@require_POST
def summary_compile_view(request, code):
    campaign = _campaign_for_reviewer(request.user, code)
    form = SummaryForm(request.POST)
    if not form.is_valid():
        return _render_list(request, campaign, form, status=400)
    try:
        summary = summary_create(
            campaign=campaign,
            by=request.user,
            document_number=form.cleaned_data["document_number"],
            document_date=form.cleaned_data["document_date"],
            accepted_only=form.cleaned_data["accepted_only"],
        )
    except RateLimited as limited:
        return _limited(_render_list(request, campaign, form, status=429, limited=limited), limited)
    _enqueue(summary)
    return redirect("reports:summary_detail", pk=summary.pk)


def _limited(response, limited):
    response["Retry-After"] = str(limited.retry_after)
    return response


def _render_list(request, campaign, form, status=200, limited=None):
    context = {
        "campaign": campaign,
        "summaries": _history(campaign),
        "can_compile": form is not None,
        "form": form,
        "limited": limited,
    }
    if form is not None:
        collected = summary_collect(campaign)
        parts = _parts(campaign, prefill(campaign, collected))
        context.update(
            parts=parts,
            empty_parts=[item for item in parts if item.state == EMPTY],
            reported=len(collected.counted),
            accepted=sum(1 for section in collected.units if section.accepted),
            reminders=Reminder.objects.filter(campaign=campaign).select_related("unit", "sent_by")[:200],
        )
    return render(request, "reports/summary/list.html", context, status=status)


# --- drafting the prose ----------------------------------------------------------------------
DRAFTED, SUGGESTED, EMPTY = "drafted", "suggested", "empty"
HISTORY_PER_PART = 20


@dataclass
class PartState:
    """A part of the summary's prose and what the next compile would write in it: the
    reviewer's saved text (`DRAFTED`), the suggestion computed from the figures
    (`SUGGESTED`), or nothing (`EMPTY`: the part is left out of the document)."""

    part: Part
    draft: object  # the latest SummaryDraft, or None
    suggestion: str

    @property
    def label(self):
        return f"{self.part.number}. {self.part.title}"

    @property
    def text(self):
        return self.draft.text if self.draft is not None else self.suggestion

    @property
    def state(self):
        if not self.text.strip():
            return EMPTY
        return DRAFTED if self.draft is not None else SUGGESTED


def _parts(campaign, suggestions):
    current = drafts_current(campaign)
    return [PartState(part, current.get(part.key), suggestions.get(part.key, "")) for part in draft_parts(campaign)]


def _normalised(text):
    return "\n".join(line.rstrip() for line in (text or "").strip().splitlines())


def _draft_history(campaign):
    """part key → its saves, newest first (who, when and the opening words; not the texts)."""
    history = {}
    saves = (
        SummaryDraft.objects.filter(campaign=campaign)
        .select_related("saved_by")
        .defer("text")
        .annotate(opening=Substr("text", 1, 160), length=Length("text"))
        .order_by("part", "-saved_at", "-pk")
    )
    for draft in saves:
        history.setdefault(draft.part, []).append(draft)
    return history


@require_http_methods(["GET", "POST"])
def summary_draft(request, code):
    """The reviewer drafts the summary's prose, part by part; every save is kept. A part
    never saved shows the suggestion computed from the figures."""
    campaign = _campaign_for_reviewer(request.user, code)
    parts = _parts(campaign, prefill(campaign, summary_collect(campaign)))
    data = request.POST if request.method == "POST" else None
    forms_ = [
        DraftPartForm(
            data,
            part=item.part,
            prefix=f"part-{index}",
            initial={"text": item.text, "shown": "" if item.draft is not None else item.suggestion},
        )
        for index, item in enumerate(parts, start=1)
    ]
    if data is not None:
        if all([form.is_valid() for form in forms_]):
            texts = {}
            for item, form in zip(parts, forms_, strict=True):
                text = form.cleaned_data["text"]
                if item.draft is None and (
                    form.cleaned_data["restore"] or _normalised(text) == _normalised(form.cleaned_data["shown"])
                ):
                    continue  # still the suggestion: it keeps following the figures
                texts[item.part.key] = item.suggestion if form.cleaned_data["restore"] else text
            saved = summary_draft_save(campaign=campaign, by=request.user, texts=texts)
            if saved:
                messages.success(request, _("Đã lưu %(count)s phần.") % {"count": len(saved)})
            else:
                messages.info(request, _("Không có phần nào thay đổi."))
            return redirect("reports:summary_draft", code=campaign.code)
    history = _draft_history(campaign)
    items = []
    for item, form in zip(parts, forms_, strict=True):
        saves = history.get(item.part.key, [])
        unchanged = not form.is_bound or _normalised(form["text"].value()) == _normalised(form["shown"].value())
        items.append(
            {
                "part": item,
                "form": form,
                "suggested": item.draft is None and bool(item.suggestion.strip()) and unchanged,
                "can_restore": item.draft is not None and _normalised(item.draft.text) != _normalised(item.suggestion),
                "history": saves[:HISTORY_PER_PART],
                "older": max(len(saves) - HISTORY_PER_PART, 0),
            }
        )
    errors = [(form["text"], error) for form in forms_ for error in form.errors.get("text", [])]
    context = {"campaign": campaign, "items": items, "errors": errors}
    return render(request, "reports/summary/draft.html", context, status=400 if errors else 200)


def summary_detail(request, pk):
    return _render_detail(request, _summary_for_reader(request.user, pk))


def _render_detail(request, summary, limited=None):
    summary.duration_text = duration_text(summary)
    context = {"summary": summary, "can_compile": is_reviewer(request.user), "limited": limited}
    return render(request, "reports/summary/detail.html", context, status=429 if limited else 200)


def summary_status(request, pk):
    """The status fragment the detail page polls every second until the job ends."""
    summary = _summary_for_reader(request.user, pk)
    return render(
        request, "reports/summary/_status.html", {"summary": summary, "can_compile": is_reviewer(request.user)}
    )


@require_POST
def summary_retry_view(request, pk):
    if not is_reviewer(request.user):
        raise Http404
    summary = get_object_or_404(Summary, pk=pk)
    try:
        retried = summary_retry(summary=summary, by=request.user)
    except RateLimited as limited:
        return _limited(_render_detail(request, summary, limited), limited)
    if retried:
        _enqueue(summary)
    return redirect("reports:summary_detail", pk=summary.pk)


def summary_download(request, pk):
    summary = _summary_for_reader(request.user, pk)
    kind = request.GET.get("format", "pdf")
    if kind not in ("pdf", "docx") or summary.status != JobStatus.DONE:
        raise Http404
    file = summary.pdf if kind == "pdf" else summary.docx
    if not file:
        raise Http404
    name = f"bao-cao-tong-hop-{summary.campaign.code}-{summary.number}.{kind}"
    return FileResponse(file.open("rb"), as_attachment=True, filename=name)


@require_POST
def remind_unit(request, code, unit_code):
    """A reviewer reminds one unit's officers now (from the dashboard's not-reported list)."""
    campaign = _campaign_for_reviewer(request.user, code)
    unit = get_object_or_404(campaign.participants(), code=unit_code)
    reminder = reminders_send_manual(campaign=campaign, unit=unit, by=request.user)
    if reminder is None:
        messages.warning(
            request, _("%(unit)s đã gửi báo cáo hoặc chưa có cán bộ đầu mối có thư điện tử.") % {"unit": unit}
        )
    else:
        messages.success(
            request, _("Đã nhắc %(unit)s (%(count)s người nhận).") % {"unit": unit, "count": len(reminder.recipients)}
        )
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("reports:summary_list", code=campaign.code)


def duration_text(job):
    """`12 giây`, `1 phút 5 giây`; empty while the job has not finished."""
    if job.duration is None:
        return ""
    seconds = int(job.duration / datetime.timedelta(seconds=1))
    if seconds >= 60:
        return _("%(minutes)s phút %(seconds)s giây") % {"minutes": seconds // 60, "seconds": seconds % 60}
    return _("%(seconds)s giây") % {"seconds": seconds}


def _history(campaign):
    summaries = list(campaign.summaries.select_related("requested_by").order_by("-number"))
    for summary in summaries:
        summary.duration_text = duration_text(summary)
    return summaries
