"""What the proposal tests share: a campaign with the provincial catalogue, reports of units
A and B, a proposal in each, and small valid and invalid files."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from commendations.tests.factories import CERTIFICATE, FLAG, link, provincial_catalogue
from reports.models import Commendation
from reports.services import report_get_or_create

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def with_catalogue(campaign):
    catalogue = provincial_catalogue()
    link(campaign, catalogue)
    return {form.code: form for form in catalogue.forms.all()}


def proposal_in(campaign, unit, officer, *, kind="individual", name="Lò Văn Minh", form_code=CERTIFICATE, **extra):
    report = report_get_or_create(campaign=campaign, unit=unit, by=officer)
    form = campaign.award_catalogue.forms.get(code=form_code) if campaign.award_catalogue_id else None
    fields = {
        "kind": kind,
        "name": name,
        "position": "Trưởng bản" if kind == "individual" else "",
        "work_unit": "Bản Na Son" if kind == "individual" else "",
        "achievement": "Vận động 40 hộ trồng cây.",
        "award": form.name if form else "Giấy khen",
        "award_form": form,
        **extra,
    }
    return Commendation.objects.create(report=report, order=report.commendations.count() + 1, **fields)


def pdf_upload(name="to-trinh.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def exe_upload(name="bao-cao.pdf"):
    return SimpleUploadedFile(name, EXE, content_type="application/pdf")


def xlsx_upload(workbook, name="de-nghi.xlsx"):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


__all__ = ["CERTIFICATE", "FLAG", "with_catalogue", "proposal_in", "pdf_upload", "exe_upload", "xlsx_upload"]
