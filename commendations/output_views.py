"""The decision's pages: the list (Danh sách) and the decision's numbers, the prints of the
Tờ trình, the draft Quyết định and the certificates, and the list as Excel.

Reviewers (Sở Nội vụ) enter the numbers and ask for prints; leaders read the list and download
what has been printed; officers and everyone else get 404 on every page. Prints are jobs:
POST creates the row, the task is enqueued after commit, the page polls its status (htmx).
"""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns.models import Campaign
from campaigns.roles import can_read_province, is_reviewer
from reports.excel import XLSX_CONTENT_TYPE, workbook_bytes
from reports.jobs import RateLimited
from reports.models import CommendationKind
from reports.print_views import job_file_response

from .certificates import LAYOUTS, CertificatesRefused, certificate_groups
from .decisions import DecisionForm, commendation_print_request, decision_of, decision_save
from .documents import campaign_list, group_kind_counts, lapsed_bases
from .exports import decision_list_workbook
from .models import CommendationPrint, DocumentKind


def campaign_for_user(user, code, *, write=False):
    """The campaign `code` for a reviewer or a leader (with `write`, a reviewer only); 404
    for everyone else."""
    if not can_read_province(user) or (write and not is_reviewer(user)):
        raise Http404
    return get_object_or_404(Campaign.objects.select_related("award_catalogue"), code=code)


def commendation_print_for_user(user, pk):
    """The print `pk` for a reviewer or a leader; 404 for everyone else."""
    if not can_read_province(user):
        raise Http404
    return get_object_or_404(CommendationPrint.objects.select_related("campaign"), pk=pk)


def counts_on_page(counts):
    """“2 collectives, 1 individual” in the interface's language (the printed documents say
    it in Vietnamese: commendations.documents.kind_counts_text)."""
    words = {
        CommendationKind.COLLECTIVE: lambda n: ngettext("%(count)s tập thể", "%(count)s tập thể", n),
        CommendationKind.INDIVIDUAL: lambda n: ngettext("%(count)s cá nhân", "%(count)s cá nhân", n),
        CommendationKind.HOUSEHOLD: lambda n: ngettext("%(count)s hộ gia đình", "%(count)s hộ gia đình", n),
    }
    return ", ".join(words[kind](counts[kind]) % {"count": counts[kind]} for kind in words if counts.get(kind))


def _page(request, campaign, form=None, *, limited=None, status=200):
    decision = decision_of(campaign)
    groups = campaign_list(campaign)
    can_edit = is_reviewer(request.user)
    if can_edit and form is None:
        form = DecisionForm(initial={name: getattr(decision, name) for name in DecisionForm.base_fields})
    context = {
        "campaign": campaign,
        "decision": decision,
        "groups": [{"group": group, "counts": counts_on_page(group_kind_counts(group))} for group in groups],
        "total": sum(len(group.proposals) for group in groups),
        "form": form if can_edit else None,
        "can_print": can_edit,
        "certificates_ready": decision.issued and bool(certificate_groups(groups)),
        "layouts": LAYOUTS,
        "prints": CommendationPrint.objects.filter(campaign=campaign).select_related("requested_by")[:10],
        "limited": limited,
        "lapsed": lapsed_bases(campaign.award_catalogue, decision.signed_on or timezone.localdate()),
    }
    return render(request, "commendations/output_decision.html", context, status=status)


@require_http_methods(["GET", "POST"])
def decision_page(request, code):
    """GET: the list and the decision (reviewers and leaders). POST: save the numbers
    (reviewers); bad input is shown on the form and nothing is saved."""
    campaign = campaign_for_user(request.user, code, write=request.method == "POST")
    if request.method == "GET":
        return _page(request, campaign)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _page(request, campaign, form, status=400)
    decision_save(campaign=campaign, values=form.cleaned_data, by=request.user)
    messages.success(request, _("Đã lưu số, ngày của Tờ trình và Quyết định."))
    return redirect("commendations:decision", code=campaign.code)


@require_GET
def decision_xlsx(request, code):
    """The list as an Excel workbook (reviewers and leaders)."""
    campaign = campaign_for_user(request.user, code)
    workbook = decision_list_workbook(campaign_list(campaign))
    response = HttpResponse(workbook_bytes(workbook), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"danh-sach-khen-thuong-{campaign.code}.xlsx")
    return response


@require_POST
def document_print(request, code, kind):
    """Ask for a print of the Tờ trình, the draft Quyết định or the certificates (reviewers)."""
    campaign = campaign_for_user(request.user, code, write=True)
    if kind not in DocumentKind.values:
        raise Http404
    paper = request.POST.get("paper")
    if kind == DocumentKind.CERTIFICATES and paper not in LAYOUTS:
        messages.error(request, _("Chọn kiểu in bằng: trên giấy trắng hoặc trên phôi in sẵn."))
        return redirect("commendations:decision", code=campaign.code)
    try:
        job, created = commendation_print_request(campaign=campaign, kind=kind, paper=paper, by=request.user)
    except CertificatesRefused as refused:
        messages.error(request, str(refused))
        return redirect("commendations:decision", code=campaign.code)
    except RateLimited as limited:
        response = _page(request, campaign, limited=limited, status=429)
        response["Retry-After"] = str(limited.retry_after)
        return response
    if created:
        from .tasks import render_commendation_print

        transaction.on_commit(lambda: render_commendation_print.delay(job.pk))
    return redirect("commendations:print_detail", pk=job.pk)


@require_GET
def print_detail(request, pk):
    job = commendation_print_for_user(request.user, pk)
    return render(request, "commendations/output_print.html", {"job": job, "campaign": job.campaign})


@require_GET
def print_status(request, pk):
    job = commendation_print_for_user(request.user, pk)
    return render(request, "commendations/output_print_status.html", {"job": job})


def _download_name(job):
    return f"{job.kind}-{job.campaign.code}-{job.pk}"


@require_GET
def print_pdf(request, pk):
    job = commendation_print_for_user(request.user, pk)
    return job_file_response(job, job.pdf, _download_name(job))


@require_GET
def print_docx(request, pk):
    job = commendation_print_for_user(request.user, pk)
    return job_file_response(job, job.docx, _download_name(job))
