"""A proposal's page and its dossier files: who reads, who writes, the same checks as
evidence, and every change in the proposal's history."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commendations.models import DossierFile, DossierKind, ProposalAction, ProposalEvent
from commendations.proposals import ProposalError, proposal_file_add
from commendations.tests.proposal_data import exe_upload, pdf_upload, proposal_in, with_catalogue
from reports.models import ReportStatus, ReviewStatus, UnitReport


@pytest.fixture
def proposal(campaign, unit_a, officer_a):
    with_catalogue(campaign)
    return proposal_in(campaign, unit_a, officer_a)


@pytest.fixture
def proposal_b(campaign, unit_b, officer_b, proposal):
    return proposal_in(campaign, unit_b, officer_b, name="Tòng Thị Xuân")


def upload(client, proposal, file, kind=DossierKind.ACHIEVEMENT):
    return client.post(reverse("commendations:proposal_file_upload", args=[proposal.pk]), {"kind": kind, "file": file})


def url(name, *args):
    return reverse(f"commendations:{name}", args=args)


def test_the_unit_uploads_downloads_and_removes_a_dossier_file(proposal, officer_a, client_for):
    client = client_for(officer_a)
    response = upload(client, proposal, pdf_upload("Báo cáo thành tích ông Minh.pdf"))
    assert response.status_code == 302
    (stored,) = proposal.dossier_files.all()
    assert (stored.kind, stored.original_name, stored.content_type) == (
        DossierKind.ACHIEVEMENT,
        "Báo cáo thành tích ông Minh.pdf",
        "application/pdf",
    )
    assert stored.file.name.endswith("-Bao-cao-thanh-tich-ong-Minh.pdf")  # a safe stored name
    page = client.get(url("proposal_detail", proposal.pk)).content.decode()
    assert "Báo cáo thành tích ông Minh.pdf" in page and "Thêm hồ sơ" in page  # listed, and in the history

    download = client.get(url("proposal_file_download", proposal.pk, stored.pk))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    download.close()

    assert client.post(url("proposal_file_delete", proposal.pk, stored.pk)).status_code == 302
    assert not proposal.dossier_files.exists()
    actions = list(proposal.events.order_by("at", "pk").values_list("action", "detail__file"))
    assert actions == [
        (ProposalAction.FILE_ADDED, "Báo cáo thành tích ông Minh.pdf"),
        (ProposalAction.FILE_REMOVED, "Báo cáo thành tích ông Minh.pdf"),
    ]


def test_an_exe_renamed_as_pdf_is_refused_and_nothing_is_saved(proposal, officer_a, client_for):
    response = upload(client_for(officer_a), proposal, exe_upload())
    assert response.status_code == 200
    assert "không phải PDF, JPEG, PNG, XLSX hoặc DOCX" in response.content.decode()
    assert not DossierFile.objects.exists() and not ProposalEvent.objects.exists()


def test_a_file_over_the_limit_is_refused_and_nothing_is_saved(proposal, officer_a, client_for, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    big = SimpleUploadedFile("lon.pdf", b"%PDF-1.4\n" + b"0" * 2048, content_type="application/pdf")
    response = upload(client_for(officer_a), proposal, big)
    assert response.status_code == 200
    assert "vượt giới hạn" in response.content.decode()
    assert not DossierFile.objects.exists() and not ProposalEvent.objects.exists()


def test_a_file_without_its_kind_is_refused(proposal, officer_a, client_for):
    response = upload(client_for(officer_a), proposal, pdf_upload(), kind="")
    assert response.status_code == 200 and "Chọn loại hồ sơ." in response.content.decode()
    assert not DossierFile.objects.exists()


def test_an_outsider_gets_404_everywhere(proposal, proposal_b, officer_a, officer_b, reviewer, leader, client_for):
    stored = proposal_file_add(proposal=proposal, by=officer_a, upload=pdf_upload(), kind=DossierKind.SUBMISSION)
    bob = client_for(officer_b)
    assert bob.get(url("proposal_detail", proposal.pk)).status_code == 404
    assert bob.get(url("proposal_file_download", proposal.pk, stored.pk)).status_code == 404
    assert upload(bob, proposal, pdf_upload()).status_code == 404
    assert bob.post(url("proposal_file_delete", proposal.pk, stored.pk)).status_code == 404
    assert bob.post(url("proposal_resubmit", proposal.pk), {"achievement": "x"}).status_code == 404
    # Another proposal's file through this proposal's address: 404 too.
    assert client_for(officer_a).get(url("proposal_file_download", proposal_b.pk, stored.pk)).status_code == 404
    assert client_for(None).get(url("proposal_detail", proposal.pk)).status_code in (302, 404)
    # The province reads the proposal and its files but never writes them.
    for user in (reviewer, leader):
        client = client_for(user)
        assert client.get(url("proposal_detail", proposal.pk)).status_code == 200
        download = client.get(url("proposal_file_download", proposal.pk, stored.pk))
        download.close()
        assert download.status_code == 200
        assert upload(client, proposal, pdf_upload()).status_code == 404
        assert client.post(url("proposal_file_delete", proposal.pk, stored.pk)).status_code == 404
    assert list(DossierFile.objects.values_list("pk", flat=True)) == [stored.pk]


def test_get_never_changes_anything(proposal, officer_a, client_for):
    stored = proposal_file_add(proposal=proposal, by=officer_a, upload=pdf_upload(), kind=DossierKind.SUBMISSION)
    client = client_for(officer_a)
    assert client.get(url("proposal_file_delete", proposal.pk, stored.pk)).status_code == 405
    assert client.get(url("proposal_file_upload", proposal.pk)).status_code == 405
    assert client.get(url("proposal_resubmit", proposal.pk)).status_code == 405
    assert proposal.dossier_files.count() == 1 and proposal.events.count() == 1


def test_files_are_closed_once_the_report_is_sent_unless_more_is_asked(proposal, officer_a, client_for):
    UnitReport.objects.filter(pk=proposal.report_id).update(status=ReportStatus.SUBMITTED)
    proposal.report.refresh_from_db()
    client = client_for(officer_a)
    response = upload(client, proposal, pdf_upload())
    assert response.status_code == 200 and "khi Sở Nội vụ yêu cầu bổ sung" in response.content.decode()
    assert not DossierFile.objects.exists()
    with pytest.raises(ProposalError):
        proposal_file_add(proposal=proposal, by=officer_a, upload=pdf_upload(), kind=DossierKind.SUBMISSION)

    proposal.review_status = ReviewStatus.MORE_REQUESTED
    proposal.save()
    assert upload(client, proposal, pdf_upload()).status_code == 302
    assert proposal.dossier_files.count() == 1
