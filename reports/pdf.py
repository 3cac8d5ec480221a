"""Printed documents: Django templates under templates/pdf/ rendered to PDF by WeasyPrint.

Rendering runs in Celery workers (no request there), so the base URL is the portal's own
static folder on disk, and the URL fetcher serves files from that folder only: text a unit
typed into a report can never make the server fetch anything else. The print stylesheet
(templates/pdf/print.css) is parsed once per process and embeds Liberation Serif from
static/fonts/, so every machine prints the same document. Control characters a unit's text
may still hold are removed from every page's HTML before layout (`reports.text.clean_text`).

Every PDF is written as PDF/A-3b (ISO 19005-3, level B), the archival form the provincial
archive accepts: fonts embedded, an sRGB output intent, XMP metadata naming the document, the
language of `<html lang>` in the catalog. Title, author and subject come from the template's
`<title>`, `<meta name="author">` and `<meta name="description">` (templates/pdf/base.html).
A PDF joined from several of them is made PDF/A again by `reports.archive`.
"""

import hashlib
import mimetypes
import warnings
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from campaigns.numbers import format_vn_number

from .text import clean_text

# Bump when a change to the print code (not the templates or CSS, which are hashed) changes
# the rendered pages, so cached unit annexes are rebuilt.
PRINT_CODE_VERSION = "2"  # 2: PDF/A-3b

# Every printed PDF; layout does not depend on it, only what write_pdf puts around the pages.
PDF_VARIANT = "pdf/a-3b"


def static_root():
    return (Path(settings.BASE_DIR) / "static").resolve()


def print_templates_dir():
    return Path(settings.BASE_DIR) / "templates" / "pdf"


def static_base_url():
    return static_root().as_uri() + "/"


class StaticOnlyFetcher(URLFetcher):
    """Serves files under static/ and refuses every other URL (http, data, file elsewhere)."""

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"Refused to fetch {url!r}: printed documents load only the portal's static files.")
        root = static_root()
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise ValueError(f"Refused to fetch {url!r}: not a static file of the portal.")
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix.lower() == ".ttf":
            mime_type = "font/ttf"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime_type})


@lru_cache(maxsize=1)
def _fonts():
    return FontConfiguration()


@lru_cache(maxsize=4)
def _stylesheet(name="print.css"):
    return weasyprint.CSS(
        string=print_templates_dir().joinpath(name).read_text(encoding="utf-8"),
        base_url=static_base_url(),
        url_fetcher=StaticOnlyFetcher(),
        font_config=_fonts(),
    )


def render_html(template_name, context):
    """The template rendered in Vietnamese (printed documents are always Vietnamese)."""
    with translation.override("vi"):
        return render_to_string(template_name, context)


def html_document(html, stylesheet="print.css"):
    """Lay out an HTML string into pages (a weasyprint Document); `write_pdf` writes it.
    `stylesheet` names the stylesheet under templates/pdf/ (certificates have their own)."""
    return weasyprint.HTML(string=clean_text(html), base_url=static_base_url(), url_fetcher=StaticOnlyFetcher()).render(
        stylesheets=[_stylesheet(stylesheet)], font_config=_fonts()
    )


def write_pdf(document):
    """A laid-out document as PDF/A bytes (PDF_VARIANT): every printed file is archival."""
    with warnings.catch_warnings():
        # WeasyPrint 70 opens its sRGB profile for the output intent and leaves the file
        # for the garbage collector to close, which it does at once: nothing leaks.
        warnings.filterwarnings("ignore", message=r"unclosed file .*sRGB2014\.icc", category=ResourceWarning)
        return document.write_pdf(pdf_variant=PDF_VARIANT)


def html_to_pdf(html, stylesheet="print.css"):
    return write_pdf(html_document(html, stylesheet))


def pages_by_anchor(document, anchors):
    """For each anchor (an element id), the index of the page it starts on."""
    wanted = set(anchors)
    found = {}
    for index, page in enumerate(document.pages):
        for name in wanted.intersection(page.anchors):
            found.setdefault(name, index)
    return found


@lru_cache(maxsize=1)
def code_version():
    """A digest of everything besides the data that shapes a printed page: the print
    templates, the stylesheet, WeasyPrint's version and PRINT_CODE_VERSION."""
    digest = hashlib.sha256(f"{PRINT_CODE_VERSION}|{weasyprint.__version__}".encode())
    for path in sorted(print_templates_dir().glob("*")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# --- the administrative document format (NĐ 30/2020/NĐ-CP, Phụ lục I) -----------------------
UBND = "ỦY BAN NHÂN DÂN"
BLANK_NUMBER = "\u00a0" * 8  # room for the clerk to write the number by hand


def document_number_line(number, symbol):
    """`Số: 05/BC-UBND` (numbers under 10 take a leading 0); blank for the clerk to fill."""
    number = (number or "").strip()
    if number.isdigit() and int(number) < 10:
        number = f"{int(number):02d}"
    number = number or BLANK_NUMBER
    return f"Số: {number}/{symbol}" if symbol else f"Số: {number}"


def place_and_date(place, date):
    """`Điện Biên, ngày 05 tháng 02 năm 2024`: days under 10 and months 1–2 take a leading 0."""
    month = f"{date.month:02d}" if date.month <= 2 else str(date.month)
    return f"{place}, ngày {date.day:02d} tháng {month} năm {date.year}"


def recipient_lines(recipients):
    """`- Như trên;` … `- Lưu: VT, KSTT.`: every line ends with `;`, the last with `.`."""
    names = [str(name).strip().rstrip(";.").strip() for name in recipients if str(name).strip()]
    return [f"- {name}{'.' if index == len(names) - 1 else ';'}" for index, name in enumerate(names)]


def issuer_lines(issuer):
    """`ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN` → [`ỦY BAN NHÂN DÂN`, `TỈNH ĐIỆN BIÊN`]."""
    issuer = issuer.strip().upper()
    if issuer.startswith(UBND + " "):
        return [UBND, issuer[len(UBND) + 1 :]]
    return [issuer]


def province_short(campaign):
    """`UBND TỈNH ĐIỆN BIÊN`, the parent body line of the province's departments."""
    return f"UBND TỈNH {campaign.province.upper()}"


def province_name(campaign):
    """`UBND tỉnh Điện Biên` for running text."""
    return f"UBND tỉnh {campaign.province}"


def lowercase_first(text):
    return text[:1].lower() + text[1:] if text else text


# --- the unit's printed report (built by reports.unit_document) ----------------------------------
PROVINCE_DEPARTMENT_KINDS = ("department", "school")
LOCAL_GOVERNMENT_KINDS = ("district", "commune")


def unit_issuer(unit, campaign):
    """(parent body line, issuing body lines) of a unit's own documents: a district issues as
    `ỦY BAN NHÂN DÂN` / `HUYỆN …`; a department under `UBND TỈNH ĐIỆN BIÊN`."""
    if unit.kind in LOCAL_GOVERNMENT_KINDS:
        return "", [UBND, unit.name.upper()]
    if unit.parent_id:
        return unit.parent.name.upper(), [unit.name.upper()]
    if unit.kind in PROVINCE_DEPARTMENT_KINDS:
        return province_short(campaign), [unit.name.upper()]
    return "", [unit.name.upper()]


def unit_place(unit, campaign):
    """The place name a unit dates its documents from: a district's own name without its
    prefix (`Mường Ảng`), otherwise the province's."""
    if unit.kind in LOCAL_GOVERNMENT_KINDS:
        for prefix in ("Thành phố ", "Thị xã ", "Huyện ", "Thị trấn ", "Phường ", "Xã "):
            if unit.name.startswith(prefix):
                return unit.name[len(prefix) :]
    return campaign.place


def measure_display(measure, value):
    """A reported measure's value as printed: Vietnamese digits, Có/Không for yes/no."""
    if value is None:
        return ""
    if measure.value_type == "boolean":
        return "Có" if value else "Không"
    return format_vn_number(value)


def stored_value_display(measure, stored):
    """A report's stored value of `measure` (a MeasureValue or None) as printed, with
    "Không có số liệu" where the unit marked it so."""
    if stored is not None and stored.no_data:
        return "Không có số liệu"
    return measure_display(measure, stored.value if stored is not None else None)


def report_print_render(*, job):
    """Render a ReportPrint job's PDF and Word file from the report as it stands now and
    attach both (reports.unit_document)."""
    from django.core.files.base import ContentFile
    from django.db import IntegrityError, transaction

    from .jobs import JobAbandoned, job_done, job_progress
    from .unit_document import unit_report_files

    job_progress(job, stage="Đang dựng trang PDF và bản Word", progress=20)
    report = type(job.report).objects.select_related("campaign", "unit", "unit__parent").get(pk=job.report_id)
    pdf, docx = unit_report_files(report, created=job.started_at or timezone.now())
    job_progress(job, stage="Đang lưu tệp", progress=90)
    name = f"bao-cao-{report.unit.code}-v{report.version}"
    job.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
    job.docx.save(f"{name}.docx", ContentFile(docx), save=False)
    try:
        try:
            with transaction.atomic():
                job_done(job, pdf=job.pdf.name, docx=job.docx.name, report_version=report.version)
        except IntegrityError:
            # The report was saved after this print was asked for, and the newer version has
            # a print of its own (one_live_print_per_report_version): this one stays the print
            # asked for at its version, with the pages as the report now stands.
            job_done(job, pdf=job.pdf.name, docx=job.docx.name)
    except JobAbandoned:  # another run owns the row now: keep no file that nothing points to
        job.pdf.delete(save=False)
        job.docx.delete(save=False)
        raise
