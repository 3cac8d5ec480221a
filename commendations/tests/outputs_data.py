"""A campaign with an award catalogue and approved proposals, for the tests of the decision's
documents (test_outputs*.py load them as a plugin)."""

import datetime

import pytest

from commendations.models import Decision
from reports.models import Commendation
from reports.tests.printing_data import fill_report

FLAG = "co-thi-dua-ubnd-tinh"
MERIT = "bang-khen-chu-tich-ubnd-tinh"
SIGNED_ON = datetime.date(2024, 12, 20)


@pytest.fixture
def outputs_catalogue(campaign):
    """The shipped catalogue, which the campaign file names."""
    assert campaign.award_catalogue.code == "dien-bien-nd98"
    return campaign.award_catalogue


def propose(report, form_code, kind, name, *, status="agreed", council="", position="", work_unit="", order=0):
    form = report.campaign.award_catalogue.forms.get(code=form_code)
    return Commendation.objects.create(
        report=report,
        kind=kind,
        name=name,
        position=position,
        work_unit=work_unit,
        achievement=f"Đã có thành tích xuất sắc trong phong trào thi đua năm 2024 ({name})",
        award_form=form,
        award=form.name,
        order=order,
        review_status=status,
        council_result=council,
    )


@pytest.fixture
def listed(outputs_catalogue, campaign, unit_a, unit_b, officer_a, officer_b):
    """Unit A (Mường Ảng) and unit B (Sở VHTTDL), both submitted. On the list: a flag for
    unit A's People's Committee (council passed) and Bằng khen for a collective, two people and
    a household; off it: a flag the council failed, a proposal asked for more, one refused."""
    report_a = fill_report(campaign, unit_a, officer_a)
    report_b = fill_report(campaign, unit_b, officer_b)
    return {
        "flag": propose(report_a, FLAG, "collective", "Ủy ban nhân dân huyện Mường Ảng", council="passed"),
        "flag_failed": propose(report_b, FLAG, "collective", "Phòng Nghiệp vụ Văn hóa", council="failed"),
        "person": propose(
            report_b,
            MERIT,
            "individual",
            "Bà Lò Thị Mai",
            position="Trưởng phòng Nghiệp vụ Văn hóa",
            work_unit="Sở Văn hóa, Thể thao và Du lịch",
            order=1,
        ),
        "collective": propose(report_a, MERIT, "collective", "Phòng Nội vụ huyện Mường Ảng", order=2),
        "household": propose(report_a, MERIT, "household", "Hộ ông Quàng Văn Tươi", work_unit="Xã Ẳng Nưa", order=3),
        "person_a": propose(
            report_a, MERIT, "individual", "Ông Lường Văn Sơn", position="Chủ tịch UBND xã Ẳng Tở", order=4
        ),
        "more": propose(report_a, MERIT, "individual", "Ông Cà Văn Bổ sung", status="more", order=5),
        "refused": propose(report_b, MERIT, "individual", "Bà Không Đồng Ý", status="disagreed", order=6),
    }


@pytest.fixture
def signed_decision(campaign, listed, reviewer):
    """The decision numbered and signed."""
    return Decision.objects.create(
        campaign=campaign,
        submission_number="45/TTr-SNV",
        submission_date=datetime.date(2024, 12, 16),
        number="123/QĐ-UBND",
        signed_on=SIGNED_ON,
        signer_title="PHÓ CHỦ TỊCH",
        signer_name="Lò Văn Tiến",
        updated_by=reviewer,
    )
