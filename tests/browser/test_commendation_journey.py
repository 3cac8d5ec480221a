"""Commendations end to end in a real Chromium: an officer proposes the emulation flag for the
unit and a Bằng khen for a person, with a dossier file; the Sở Nội vụ asks for more on the
person's proposal; the officer adds a file, rewrites the achievement and sends it again; the
reviewer agrees to the person and to the flag the results back, is refused the unit's own flag
as the cluster's second, records the council's votes,
and prints the Tờ trình and the draft Quyết định, whose PDF and Word files are read back."""

import io
import re

import pytest
from django.utils import timezone
from docx import Document as WordFile
from playwright.sync_api import expect

from campaigns.models import Unit
from conftest import make_user
from reports.models import Commendation, CouncilResult, ReviewStatus
from reports.tests.pdf_reading import pdf_text

from .conftest import ARTIFACTS, pdf_download, report_filled
from .test_commendation_outputs import SLOW_MS

pytestmark = pytest.mark.browser

FLAG = "Cờ thi đua của Ủy ban nhân dân tỉnh"
MERIT = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"
COLLECTIVE = "Ủy ban nhân dân huyện Mường Ảng"
PERSON = "Ông Lò Văn Thắng"
RIVAL = "Ủy ban nhân dân thành phố Điện Biên Phủ"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
PDF += b"trailer<</Root 1 0 R>>\n%%EOF\n"


def docx_text(data):
    document = WordFile(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    parts += [p.text for table in document.tables for row in table.rows for cell in row.cells for p in cell.paragraphs]
    return " ".join(" ".join(parts).split())


def flat(text):
    return " ".join(text.split())


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"commendation-{name}.png"), full_page=True)


def fill_row(page, index, *, kind, name, award, achievement, position="", work_unit=""):
    row = f"#id_commendations-{index}-"
    page.locator(f"{row}kind").select_option(label=kind)
    page.locator(f"{row}name").fill(name)
    if position:
        page.locator(f"{row}position").fill(position)
        page.locator(f"{row}work_unit").fill(work_unit)
    page.locator(f"{row}award_form").select_option(value=award)
    page.locator(f"{row}achievement").fill(achievement)


def upload(page, tmp_path, kind, filename):
    """Add a file of `kind` to the dossier of the proposal on the page."""
    path = tmp_path / filename
    path.write_bytes(PDF)
    page.get_by_label("Loại hồ sơ").select_option(label=kind)
    page.get_by_label("Tệp hồ sơ").set_input_files(str(path))
    page.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_role("link", name=filename)).to_be_visible()


def decide(page, proposal, button, reason=""):
    row = page.locator(f"#p-{proposal.pk}")
    if reason:
        row.get_by_label("Lý do").fill(reason)
    row.get_by_role("button", name=button, exact=True).click()


def test_from_a_units_proposal_to_the_signed_lists_documents(
    page, sign_in, campaign, unit_a, officer_a, reviewer, background_jobs, tmp_path
):
    assert campaign.award_catalogue.code == "dien-bien-nd98"
    report = report_filled(campaign=campaign, unit=unit_a, officer=officer_a, submit=False)
    # A unit of the same cluster (Cụm thi đua các huyện số 1) proposes the flag too.
    rival_unit = Unit.objects.get(code="tp-dien-bien-phu")
    rival_officer = make_user("cuong", "officer", rival_unit)
    rival = report_filled(campaign=campaign, unit=rival_unit, officer=rival_officer)
    flag = campaign.award_catalogue.forms.get(code="co-thi-dua-ubnd-tinh")
    rival_flag = Commendation.objects.create(
        report=rival, kind="collective", name=RIVAL, achievement="Dẫn đầu cụm", award=flag.name, award_form=flag
    )

    # The officer writes two proposals into the report and sends it.
    sign_in(officer_a)
    page.goto(f"/reports/{report.pk}/edit/")
    fill_row(
        page,
        0,
        kind="Tập thể",
        name=COLLECTIVE,
        award="co-thi-dua-ubnd-tinh",
        achievement="Dẫn đầu Cụm thi đua các huyện số 1.",
    )
    page.get_by_role("button", name="Lưu và thêm dòng").click()
    fill_row(
        page,
        1,
        kind="Cá nhân",
        name=PERSON,
        position="Chủ tịch Ủy ban nhân dân xã Ẳng Nưa",
        work_unit="Xã Ẳng Nưa, huyện Mường Ảng",
        award="bang-khen-chu-tich-ubnd-tinh",
        achievement="Vận động 120 hộ hiến đất làm đường.",
    )
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.get_by_text("Đã lưu nháp")).to_be_visible()
    person = Commendation.objects.get(name=PERSON)
    collective = Commendation.objects.get(name=COLLECTIVE)
    assert (person.award_form.code, person.position) == (
        "bang-khen-chu-tich-ubnd-tinh",
        "Chủ tịch Ủy ban nhân dân xã Ẳng Nưa",
    )

    # …gives the person's proposal its report of achievements, and sends the report.
    page.goto(f"/reports/{report.pk}/")
    page.get_by_role("link", name=PERSON).click()
    upload(page, tmp_path, "Báo cáo thành tích", "bao-cao-thanh-tich.pdf")
    page.goto(f"/reports/{report.pk}/edit/")
    page.get_by_role("button", name="Lưu và gửi báo cáo…").click()
    page.get_by_role("button", name="Xác nhận gửi").click()
    expect(page.get_by_role("link", name=PERSON)).to_be_visible()

    # The Sở Nội vụ asks for more on the person's proposal, first without a reason.
    sign_in(reviewer)
    page.goto("/commendations/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đề nghị khen thưởng")
    # The results back the rival's flag (it leads the cluster), not the unit's own.
    expect(page.locator(f'[data-candidate="{rival_unit.code}"]')).to_contain_text("Dẫn đầu Cụm thi đua các huyện số 1")
    expect(page.locator("[data-unbacked-list]")).to_contain_text(COLLECTIVE)
    decide(page, person, "Yêu cầu bổ sung")
    expect(page.get_by_text("Cần ghi rõ lý do để đơn vị biết.")).to_be_visible()
    decide(page, person, "Yêu cầu bổ sung", reason="Bổ sung tờ trình của xã và số liệu hộ hiến đất.")
    expect(page.get_by_text(f"Đã yêu cầu đơn vị bổ sung đề nghị “{PERSON}”.")).to_be_visible()

    # The officer reads why, adds the submission and sends the proposal again.
    sign_in(officer_a)
    page.goto(f"/commendations/proposals/{person.pk}/")
    expect(page.locator("#more-requested")).to_contain_text("Bổ sung tờ trình của xã và số liệu hộ hiến đất.")
    upload(page, tmp_path, "Tờ trình đề nghị", "to-trinh-xa-ang-nua.pdf")
    page.locator("#resubmit").get_by_label("Thành tích").fill("Vận động 120 hộ hiến 8.400 m² đất làm 6 km đường.")
    page.get_by_role("button", name="Gửi lại").click()
    expect(page.locator("#review-status")).to_contain_text("Đã bổ sung, chờ xét")
    shot(page, "resubmitted")

    # The reviewer agrees to the person and to the flag the results back; the unit's own flag
    # is then one too many for the cluster.
    sign_in(reviewer)
    page.goto(f"/commendations/campaigns/{campaign.code}/proposals/")
    decide(page, person, "Đồng ý")
    decide(page, rival_flag, "Đồng ý")
    decide(page, collective, "Đồng ý")
    refusal = page.get_by_text(re.compile(r"Cụm thi đua các huyện số 1 đã có 1 đề nghị “Cờ thi đua"))
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text(RIVAL)
    shot(page, "quota")
    collective.refresh_from_db()
    assert collective.review_status == ReviewStatus.PENDING

    # The council meets and votes on the flag: 4 of 5 members for it, 80 %.
    page.get_by_role("link", name="Hội đồng").click()
    page.get_by_role("link", name="Ghi phiên họp mới").click()
    page.get_by_label("Tên phiên họp").fill("Phiên họp xét khen thưởng phong trào 1908")
    page.get_by_label("Ngày họp").fill(timezone.localdate().isoformat())
    members = ["Ông Mùa A Sơn", "Bà Lò Thị Luyến", "Ông Vừ A Bằng", "Bà Giàng Thị Hoa", "Ông Lò Văn Mừng"]
    for number, name in enumerate(members, start=1):
        page.get_by_label(f"Họ và tên thành viên {number}", exact=True).fill(name)
        page.get_by_label(f"Chức vụ trong Hội đồng của thành viên {number}", exact=True).fill("Ủy viên Hội đồng")
    page.get_by_role("button", name="Lưu phiên họp").click()
    card = page.locator(f"#p-{rival_flag.pk}")
    for name in members[:4]:
        card.get_by_label(f"{name}: Đồng ý").check()
    card.get_by_role("button", name="Ghi phiếu").click()
    expect(page.get_by_text("Chưa ghi phiếu của Ông Lò Văn Mừng.", exact=False)).to_be_visible()
    card = page.locator(f"#p-{rival_flag.pk}")
    for name in members[:4]:
        card.get_by_label(f"{name}: Đồng ý").check()
    card.get_by_label(f"{members[4]}: Không đồng ý").check()
    card.get_by_role("button", name="Ghi phiếu").click()
    expect(page.get_by_text(f"Đã ghi phiếu cho “{RIVAL}”: đạt.")).to_be_visible()
    expect(page.locator(f"#p-{rival_flag.pk} [data-share]")).to_contain_text("4/5 đồng ý (80,0%)")
    rival_flag.refresh_from_db()
    assert rival_flag.council_result == CouncilResult.PASSED

    # The history of the person's proposal tells every step.
    page.goto(f"/commendations/proposals/{person.pk}/")
    history = page.locator("#proposal-history")
    for step in ("Thêm hồ sơ", "Yêu cầu bổ sung", "Gửi lại sau khi bổ sung", "Đồng ý"):
        expect(history).to_contain_text(step)

    # The Tờ trình and the draft Quyết định, printed and read back.
    page.goto(f"/commendations/campaigns/{campaign.code}/decision/")
    files = {}
    for button, kind in (("In Tờ trình", "to-trinh"), ("In dự thảo Quyết định", "quyet-dinh")):
        page.get_by_role("button", name=button).click()
        expect(page).to_have_url(re.compile(r"/commendations/prints/\d+/$"))
        pdf_link = page.get_by_role("link", name="Tải bản in (PDF)")
        expect(pdf_link).to_be_visible(timeout=SLOW_MS)
        pdf = flat(pdf_text(pdf_download(page, pdf_link.click)))
        docx = docx_text(pdf_download(page, page.get_by_role("link", name="Tải bản Word (.docx)").click))
        files[kind] = (pdf, docx)
        page.goto(f"/commendations/campaigns/{campaign.code}/decision/")
    for pdf, docx in files.values():
        for text in (pdf, docx):
            assert RIVAL in text and PERSON in text and COLLECTIVE not in text
            assert "CỜ THI ĐUA CỦA ỦY BAN NHÂN DÂN TỈNH" in text
            assert "BẰNG KHEN CỦA CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH" in text
    submission_pdf, _docx = files["to-trinh"]
    decision_pdf, decision_docx = files["quyet-dinh"]
    assert "TỜ TRÌNH" in submission_pdf and "Kính gửi: Ủy ban nhân dân tỉnh" in submission_pdf
    assert "QUYẾT ĐỊNH" in decision_pdf and "DỰ THẢO" in decision_pdf
    assert (
        "Chủ tịch Ủy ban nhân dân xã Ẳng Nưa" in decision_pdf and "Chủ tịch Ủy ban nhân dân xã Ẳng Nưa" in decision_docx
    )
    # The flag's group comes before the Bằng khen's, as the catalogue orders them.
    annex = decision_pdf[decision_pdf.index("DANH SÁCH") :]
    assert annex.index(RIVAL) < annex.index(PERSON)
    assert page.problems == []
