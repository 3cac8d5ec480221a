"""The provincial summary pages: reviewers compile and retry; reviewers and leaders see the
history and download; officers and everyone else get 404. Compiling happens in a Celery task
enqueued after the row is committed; the page polls a small status endpoint (htmx)."""

import datetime

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from campaigns.models import Campaign, CampaignStatus
from campaigns.roles import can_read_province, is_reviewer

from .models import JobStatus, Reminder, Summary
from .reminders import reminders_send_manual
from .summary import summary_create, summary_retry
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
    recommendations = forms.CharField(
        label=_("Kiến nghị, đề xuất"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
        help_text=_("Mỗi dòng là một đoạn trong mục IV.2 của báo cáo."),
        validators=[TextRule(_("Kiến nghị, đề xuất"))],
    )

    def clean_document_number(self):
        number = self.cleaned_data["document_number"].strip()
        if number and not number.isdigit():
            raise forms.ValidationError(_("Số văn bản chỉ gồm chữ số, ví dụ 125."))
        return number


def _campaign_for_reader(user, code):
    if not can_read_province(user):
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
    """History of a campaign's summaries; reviewers also get the compile form and the
    reminders sent."""
    campaign = _campaign_for_reader(request.user, code)
    summaries = _history(campaign)
    reviewer = is_reviewer(request.user)
    latest = campaign.summaries.order_by("-number").first()
    initial = {"document_date": campaign.summary_deadline}
    if latest is not None:
        initial["recommendations"] = latest.recommendations
    context = {
        "campaign": campaign,
        "summaries": summaries,
        "can_compile": reviewer,
        "form": SummaryForm(initial=initial) if reviewer else None,
        "reminders": Reminder.objects.filter(campaign=campaign).select_related("unit", "sent_by")[:200]
        if reviewer
        else [],
    }
    return render(request, "reports/summary/list.html", context)


@require_POST
def summary_compile_view(request, code):
    if not is_reviewer(request.user):
        raise Http404
    campaign = get_object_or_404(Campaign, code=code)
    form = SummaryForm(request.POST)
    if not form.is_valid():
        context = {"campaign": campaign, "summaries": _history(campaign), "can_compile": True, "form": form}
        return render(request, "reports/summary/list.html", context, status=400)
    summary = summary_create(
        campaign=campaign,
        by=request.user,
        recommendations=form.cleaned_data["recommendations"],
        document_number=form.cleaned_data["document_number"],
        document_date=form.cleaned_data["document_date"],
    )
    _enqueue(summary)
    return redirect("reports:summary_detail", pk=summary.pk)


def summary_detail(request, pk):
    summary = _summary_for_reader(request.user, pk)
    summary.duration_text = duration_text(summary)
    return render(
        request, "reports/summary/detail.html", {"summary": summary, "can_compile": is_reviewer(request.user)}
    )


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
    if summary_retry(summary=summary):
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
    if not is_reviewer(request.user):
        raise Http404
    campaign = get_object_or_404(Campaign, code=code)
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
