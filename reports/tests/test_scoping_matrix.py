"""Who gets what on every page of unit reporting: anonymous → login, the unit's officer,
another unit's officer (404), a reviewer, a leader. GET never changes anything."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import CampaignStatus
from reports.models import (
    Commendation,
    Evidence,
    JobStatus,
    MeasureValue,
    Narrative,
    ReportEvent,
    ReportPrint,
    ReportStatus,
    Summary,
    SummaryDraft,
    UnitReport,
)
from reports.services import report_get_or_create
from reports.uploads import evidence_add

ACTORS = ["anonymous", "officer_a", "officer_b", "reviewer", "leader"]


def per_actor(*expected):
    """(actor, expected) pairs for parametrize, in ACTORS order."""
    return list(zip(ACTORS, expected, strict=True))


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def report(campaign, unit_a, officer_a):
    return report_get_or_create(campaign=campaign, unit=unit_a, by=officer_a)


@pytest.fixture
def evidence(report, officer_a):
    return evidence_add(report=report, by=officer_a, upload=SimpleUploadedFile("bien-ban.pdf", PDF))


@pytest.fixture
def as_actor(actors, client_for):
    def _as(name):
        return client_for(None if name == "anonymous" else actors[name])

    return _as


def state():
    """Everything a page could change."""
    return (
        [(r.pk, r.status, r.version, r.is_late) for r in UnitReport.objects.order_by("pk")],
        MeasureValue.objects.count(),
        Narrative.objects.count(),
        Commendation.objects.count(),
        Evidence.objects.count(),
        ReportEvent.objects.count(),
        Summary.objects.count(),
        list(SummaryDraft.objects.order_by("pk").values_list("pk", "part", "text")),
    )


def assert_outcome(response, expected):
    if expected == "login":
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    else:
        assert response.status_code == expected, response.content[:500]


PAGE_MATRIX = {
    # (url name, method): expected per actor (anonymous, officer_a, officer_b, reviewer, leader).
    # POSTs are empty: the unit's officer gets the form back with errors, nobody changes anything.
    ("report_detail", "get"): ("login", 200, 404, 200, 200),
    ("report_edit", "get"): ("login", 200, 404, 404, 404),
    ("report_submit", "get"): ("login", 200, 404, 404, 404),
    ("report_edit", "post"): ("login", 200, 404, 404, 404),
    ("report_submit", "post"): ("login", 200, 404, 404, 404),
    ("evidence_upload", "post"): ("login", 200, 404, 404, 404),
}


@pytest.mark.parametrize("name,method", list(PAGE_MATRIX))
@pytest.mark.parametrize("actor", ACTORS)
def test_report_pages(name, method, actor, report, as_actor):
    before = state()
    response = getattr(as_actor(actor), method)(reverse(f"reports:{name}", args=[report.pk]), {})
    assert_outcome(response, PAGE_MATRIX[name, method][ACTORS.index(actor)])
    assert state() == before


@pytest.mark.parametrize("actor,expected", per_actor("login", 200, 404, 200, 200), ids=ACTORS)
def test_evidence_download(actor, expected, evidence, as_actor):
    before = state()
    response = as_actor(actor).get(reverse("reports:evidence_download", args=[evidence.report_id, evidence.pk]))
    assert_outcome(response, expected)
    if expected == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"].startswith("attachment")
    assert state() == before


@pytest.fixture
def printed(report, officer_a):
    """A finished print of the report: its PDF and its Word file."""
    job = ReportPrint.objects.create(report=report, report_version=report.version, requested_by=officer_a)
    job.pdf.save("bao-cao.pdf", ContentFile(PDF), save=False)
    job.docx.save("bao-cao.docx", ContentFile(b"PK\x03\x04 docx"), save=False)
    ReportPrint.objects.filter(pk=job.pk).update(status=JobStatus.DONE, pdf=job.pdf.name, docx=job.docx.name)
    return job


@pytest.mark.parametrize("name", ["print_detail", "print_status", "print_download", "print_download_docx"])
@pytest.mark.parametrize("actor,expected", per_actor("login", 200, 404, 200, 200), ids=ACTORS)
def test_print_pages(name, actor, expected, printed, as_actor):
    before = state(), list(ReportPrint.objects.values_list("pk", "status", "pdf", "docx"))
    response = as_actor(actor).get(reverse(f"reports:{name}", args=[printed.pk]))
    assert_outcome(response, expected)
    if expected == 200 and name.startswith("print_download"):
        body = b"".join(response.streaming_content)
        assert body == (PDF if name == "print_download" else b"PK\x03\x04 docx")
        assert response["Content-Disposition"].startswith("attachment")
    response.close()
    assert (state(), list(ReportPrint.objects.values_list("pk", "status", "pdf", "docx"))) == before


def test_evidence_of_another_report_is_404_even_for_a_reader(evidence, campaign, unit_b, officer_b, client_for):
    other = report_get_or_create(campaign=campaign, unit=unit_b, by=officer_b)
    response = client_for(officer_b).get(reverse("reports:evidence_download", args=[other.pk, evidence.pk]))
    assert response.status_code == 404


CAMPAIGN_PAGE_MATRIX = {
    # Pages of a campaign's provincial summary. The empty POST to the drafting page changes
    # nothing: every part is sent back as the suggestion it showed (none), so nothing is saved.
    ("summary_list", "get"): ("login", 404, 404, 200, 200),
    ("summary_draft", "get"): ("login", 404, 404, 200, 404),
    ("summary_draft", "post"): ("login", 404, 404, 302, 404),
}


@pytest.mark.parametrize("name,method", list(CAMPAIGN_PAGE_MATRIX))
@pytest.mark.parametrize("actor", ACTORS)
def test_summary_pages(name, method, actor, report, as_actor):
    before = state()
    response = getattr(as_actor(actor), method)(reverse(f"reports:{name}", args=[report.campaign.code]), {})
    assert_outcome(response, CAMPAIGN_PAGE_MATRIX[name, method][ACTORS.index(actor)])
    assert state() == before


@pytest.mark.parametrize("actor,expected", per_actor("login", 200, 200, 404, 404), ids=ACTORS)
def test_my_unit(actor, expected, report, as_actor):
    before = state()
    response = as_actor(actor).get(reverse("reports:my_unit"))
    assert_outcome(response, expected)
    if actor == "officer_b":
        # Bob sees his own unit, never unit A's report.
        assert reverse("reports:report_detail", args=[report.pk]) not in response.content.decode()
    assert state() == before


@pytest.mark.parametrize("actor,expected", per_actor("login", 404, 404, 200, 404), ids=ACTORS)
def test_review_queue(actor, expected, report, as_actor):
    before = state()
    assert_outcome(as_actor(actor).get(reverse("reports:review_queue")), expected)
    assert state() == before


@pytest.mark.parametrize("actor,expected", per_actor("login", 302, 302, 404, 404), ids=ACTORS)
def test_start_creates_only_the_actors_own_report(actor, expected, campaign, actors, as_actor):
    response = as_actor(actor).post(reverse("reports:report_start", args=[campaign.code]))
    assert_outcome(response, expected)
    if expected == 302:
        report = UnitReport.objects.get()
        assert report.unit == actors[actor].profile.unit
        assert response.url == reverse("reports:report_edit", args=[report.pk])
    else:
        assert not UnitReport.objects.exists()


def test_start_refuses_get_and_draft_campaigns(campaign, officer_a, client_for):
    client = client_for(officer_a)
    assert client.get(reverse("reports:report_start", args=[campaign.code])).status_code == 405
    campaign.status = CampaignStatus.DRAFT
    campaign.save()
    assert client.post(reverse("reports:report_start", args=[campaign.code])).status_code == 404
    assert not UnitReport.objects.exists()


@pytest.mark.parametrize("decision", ["report_accept", "report_return"])
@pytest.mark.parametrize("actor,expected", per_actor("login", 404, 404, 302, 404), ids=ACTORS)
def test_review_actions(decision, actor, expected, report, as_actor):
    UnitReport.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    report.refresh_from_db()
    before = state()
    response = as_actor(actor).post(
        reverse(f"reports:{decision}", args=[report.pk]), {"version": report.version, "comment": "Thiếu số liệu"}
    )
    assert_outcome(response, expected)
    report.refresh_from_db()
    if expected == 302:
        assert report.status == (ReportStatus.ACCEPTED if decision == "report_accept" else ReportStatus.RETURNED)
    else:
        assert state() == before


@pytest.mark.parametrize("actor,expected", per_actor("login", 404, 404, 302, 404), ids=ACTORS)
def test_reopen(actor, expected, report, as_actor):
    UnitReport.objects.filter(pk=report.pk).update(status=ReportStatus.ACCEPTED)
    report.refresh_from_db()
    before = state()
    response = as_actor(actor).post(
        reverse("reports:report_reopen", args=[report.pk]), {"version": report.version, "comment": "Sai số liệu"}
    )
    assert_outcome(response, expected)
    report.refresh_from_db()
    if expected == 302:
        assert report.status == ReportStatus.RETURNED
    else:
        assert state() == before


@pytest.mark.parametrize("actor,expected", per_actor("login", 302, 404, 404, 404), ids=ACTORS)
def test_recall(actor, expected, report, as_actor):
    UnitReport.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    report.refresh_from_db()
    before = state()
    response = as_actor(actor).post(reverse("reports:report_recall", args=[report.pk]), {"version": report.version})
    assert_outcome(response, expected)
    report.refresh_from_db()
    if expected == 302:
        assert report.status == ReportStatus.DRAFT
    else:
        assert state() == before


@pytest.mark.parametrize("actor,expected", per_actor("login", 302, 404, 404, 404), ids=ACTORS)
def test_evidence_delete(actor, expected, evidence, as_actor):
    response = as_actor(actor).post(reverse("reports:evidence_delete", args=[evidence.report_id, evidence.pk]))
    assert_outcome(response, expected)
    assert Evidence.objects.exists() == (expected != 302)


@pytest.mark.parametrize(
    "name,method",
    [
        ("report_detail", "post"),
        ("report_accept", "get"),
        ("report_return", "get"),
        ("report_reopen", "get"),
        ("report_recall", "get"),
        ("evidence_upload", "get"),
    ],
)
def test_wrong_method_is_refused(name, method, report, officer_a, reviewer, client_for):
    for user in (officer_a, reviewer):
        before = state()
        response = getattr(client_for(user), method)(reverse(f"reports:{name}", args=[report.pk]))
        assert response.status_code == 405
        assert state() == before


def test_unknown_report_is_404(report, officer_a, reviewer, client_for):
    for user in (officer_a, reviewer):
        assert client_for(user).get(reverse("reports:report_detail", args=[report.pk + 99])).status_code == 404
