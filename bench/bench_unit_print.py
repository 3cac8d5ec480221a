"""The worst unit print the limits allow: every narrative at REPORT_NARRATIVE_MAX_CHARS and
REPORT_COMMENDATIONS_MAX proposals, each achievement at REPORT_ACHIEVEMENT_MAX_CHARS (and
its name and award at 255). Prints the pages and seconds of the PDF and of the Word file,
rendered the way the print task renders them (reports.unit_document.unit_report_files),
beside the demo-sized report. The goal: one unit print under 30 s of worker (CPU) time.

Runs in a throwaway directory with its own SQLite database; db.sqlite3 is never touched.
`BENCH_COMMENDATIONS=50,100` measures other numbers of proposals at the caps.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 30

# A plausible narrative paragraph (about 600 characters): what a unit writes, not random bytes.
PARAGRAPH = (
    "Trong năm, đơn vị đã tổ chức quán triệt, triển khai thực hiện phong trào thi đua đến toàn thể "
    "cán bộ, công chức, viên chức và người lao động; xây dựng kế hoạch cụ thể, phân công nhiệm vụ "
    "cho từng phòng, ban chuyên môn, gắn kết quả thi đua với việc đánh giá, xếp loại cuối năm. "
    "Kết quả, 100% cơ quan, đơn vị trực thuộc đăng ký giao ước thi đua; tổ chức 12 hội nghị tuyên "
    "truyền với trên 1.500 lượt người tham dự; phối hợp với Ủy ban Mặt trận Tổ quốc và các đoàn thể "
    "vận động nhân dân hiến đất, góp công xây dựng nhà ở cho hộ nghèo, hộ có hoàn cảnh khó khăn, "
    "hoàn thành vượt chỉ tiêu được giao."
)


def main():
    with tempfile.TemporaryDirectory(prefix="thidua-bench-print-") as tmp:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="emulation.settings",
            DATABASE_URL=f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
            MEDIA_ROOT=str(Path(tmp) / "media"),
            SUMMARY_ANNEX_AHEAD="0",
            PYTHONPATH=str(ROOT),
            LOG_LEVEL="ERROR",
        )
        subprocess.run([sys.executable, __file__, "drive"], env=env, check=True, cwd=ROOT)


def text_of(length):
    """`length` characters of narrative: paragraphs of PARAGRAPH, one a line."""
    paragraphs, size = [], 0
    while size < length:
        paragraphs.append(PARAGRAPH)
        size += len(PARAGRAPH) + 1
    return "\n".join(paragraphs)[:length].rstrip()


def drive():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from campaigns.loader import campaign_load
    from campaigns.models import Unit
    from commendations.catalogue import SHIPPED_CATALOGUE, catalogue_load
    from reports.models import Commendation, CommendationKind, Narrative
    from reports.tests.printing_data import fill_report

    call_command("migrate", verbosity=0)
    catalogue_load(path=SHIPPED_CATALOGUE)  # the award catalogue the campaign file names
    campaign = campaign_load(path=ROOT / "campaigns" / "campaign_files" / "1908-UBND-KSTT.yaml").campaign
    officer = User.objects.create_user("bench")
    counts = [int(n) for n in os.environ.get("BENCH_COMMENDATIONS", "").split(",") if n.strip()]
    counts = counts or [settings.REPORT_COMMENDATIONS_MAX]
    narrative = text_of(settings.REPORT_NARRATIVE_MAX_CHARS)
    achievement = text_of(settings.REPORT_ACHIEVEMENT_MAX_CHARS)
    units = list(Unit.objects.filter(kind="district").order_by("code")[: len(counts) + 1])

    demo = fill_report(
        campaign,
        units[0],
        officer,
        narrative="Tổ chức 12 buổi tuyên truyền.",
        commendations=[("collective", "Phòng Nội vụ", "Hoàn thành xuất sắc nhiệm vụ năm 2024.", "Bằng khen")],
    )
    rows = [("demo report", demo)]
    for unit, count in zip(units[1:], counts, strict=True):
        report = fill_report(campaign, unit, officer)
        # Written straight to the tables: the services would refuse nothing here (every text
        # is at its cap, not over it), but one save of this size is not what is measured.
        Narrative.objects.bulk_create(
            Narrative(report=report, section=section, text=narrative) for section in campaign.sections.all()
        )
        Commendation.objects.bulk_create(
            Commendation(
                report=report,
                order=index,
                kind=CommendationKind.INDIVIDUAL,
                name=("Nguyễn Văn An " * 20)[:255],
                achievement=achievement,
                award=("Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh " * 6)[:255],
            )
            for index in range(count)
        )
        rows.append((f"{campaign.sections.count()} × {len(narrative):,} chars, {count} × {len(achievement):,}", report))

    print(f"{'report':<44} {'pages':>6} {'pdf s':>7} {'docx s':>7} {'total s':>8} {'cpu s':>7} {'MB':>6}")
    for label, report in rows:
        pages, pdf_seconds, docx_seconds, cpu, size = measure(report)
        total = pdf_seconds + docx_seconds
        mark = "" if cpu <= GOAL_SECONDS else "  over the goal"
        print(
            f"{label:<44} {pages:>6} {pdf_seconds:>7.1f} {docx_seconds:>7.1f} {total:>8.1f} {cpu:>7.1f} "
            f"{size / 1e6:>6.1f}{mark}",
            flush=True,
        )


def measure(report):
    """(pages, wall seconds for the PDF, for the Word file, CPU seconds of both, PDF bytes)
    of one print. CPU seconds are the worker time it costs, whatever else the machine runs."""
    import io

    import pikepdf

    from reports.models import UnitReport
    from reports.pdf import html_to_pdf
    from reports.summary.docx import document_docx
    from reports.summary.html import document_html
    from reports.unit_document import unit_report_document

    report = UnitReport.objects.select_related("campaign", "unit").get(pk=report.pk)
    cpu = time.process_time()
    start = time.perf_counter()
    document = unit_report_document(report)
    pdf = html_to_pdf(document_html(document))
    pdf_seconds = time.perf_counter() - start
    start = time.perf_counter()
    document_docx(document)
    docx_seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        pages = len(opened.pages)
    return pages, pdf_seconds, docx_seconds, cpu, len(pdf)


if __name__ == "__main__":
    drive() if sys.argv[1:] == ["drive"] else main()
