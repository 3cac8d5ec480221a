"""Certificates (Bằng khen, Giấy khen): one A4 landscape page per name on the signed decision's
list, for every award form whose catalogue entry prints one (`AwardForm.certificate`).

Two layouts, chosen when printing:

- `plain`: the whole certificate on plain paper, with a simple border: the national motto,
  the issuer, "TẶNG BẰNG KHEN", the name, position and unit, the achievement, the decision's
  number and date, the place and date, the signer's title and name;
- `blank`: only the variable fields, for the pre-printed blanks the province buys. Where each
  field goes is measured on the blank, in millimetres from the sheet's top left corner:
  `BLANK_FIELDS` below is the one place that says it (adjust it there for another blank).

Both are laid out by WeasyPrint with the print font under static/fonts and the portal's
static-only URL fetcher (reports.pdf), with a stylesheet of their own
(templates/pdf/certificate.css: `@page { size: A4 landscape }`), every field in a box of
its own that clips what does not fit, so each name is one page whatever it holds.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from campaigns.numbers import format_vn_date
from reports.pdf import UBND, html_to_pdf, place_and_date, render_html

from .documents import decision_authority, position_and_unit

# What a certificate has room for: a longer achievement is cut at a word, with "…" (the
# decision's list keeps the whole text).
ACHIEVEMENT_MAX_CHARS = 320

PLAIN = "plain"
BLANK = "blank"
LAYOUTS = (PLAIN, BLANK)
STYLESHEET = "certificate.css"


@dataclass(frozen=True)
class Field:
    """Where a variable field is printed on a pre-printed blank: its box in mm from the
    sheet's top left corner, and its type size in points."""

    top: float
    left: float
    width: float
    height: float
    size: float
    bold: bool = False
    italic: bool = False
    align: str = "center"


# The pre-printed Bằng khen of the UBND tỉnh, A4 landscape (297 × 210 mm): the motto, the
# issuer, "TẶNG BẰNG KHEN" and the seal's place are printed on it; these boxes are the lines left
# blank for the name, the position and unit, the achievement, the decision and the date.
BLANK_FIELDS = {
    "name": Field(top=86, left=40, width=217, height=14, size=24, bold=True),
    "position_unit": Field(top=101, left=40, width=217, height=10, size=15),
    "achievement": Field(top=112, left=40, width=217, height=30, size=15, italic=True),
    "decision": Field(top=172, left=22, width=105, height=14, size=13, align="left"),
    "place_date": Field(top=148, left=165, width=115, height=8, size=13, italic=True),
}


class CertificatesRefused(Exception):
    """Certificates cannot be printed yet; the message says why, in Vietnamese."""


@dataclass
class Certificate:
    """The texts of one certificate."""

    issuer: str
    title: str
    name: str
    position_unit: str
    achievement: str
    decision_line: str
    place_date: str
    authority_lines: list
    signer_name: str


def shortened(text, limit):
    """`text` if it fits in `limit` characters, else cut at the last word that fits, with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;.") + "…"


def certificate_issuer(form, campaign):
    """`CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH ĐIỆN BIÊN`: the form's issuer, with the province named."""
    issuer = (form.issuer or "Chủ tịch Ủy ban nhân dân tỉnh").strip().upper().replace("UBND", UBND)
    province = campaign.province.upper()
    return issuer if province in issuer else f"{issuer} {province}"


def certificate_title(form):
    """`TẶNG BẰNG KHEN`: the catalogue's title for the certificate (else the form's name)."""
    title = (form.certificate_title or form.name).strip().upper()
    return title if title.startswith("TẶNG ") else f"TẶNG {title}"


def certificate_groups(groups):
    """The decision list's groups whose form prints a certificate."""
    return [group for group in groups if group.form.certificate and group.proposals]


def certificates(campaign, decision, groups):
    """A Certificate per name of every form that prints one, in the list's order. Refused
    (CertificatesRefused) until the decision has its number and date, or with no name."""
    if not decision.issued:
        raise CertificatesRefused(
            _("Chưa in được bằng khen: cần nhập số và ngày ký Quyết định khen thưởng trước khi in.")
        )
    printed = certificate_groups(groups)
    if not printed:
        raise CertificatesRefused(_("Danh sách khen thưởng chưa có tên nào thuộc hình thức được in bằng, giấy khen."))
    decision_line = f"Quyết định số {decision.number} ngày {format_vn_date(decision.signed_on)}"
    place_date = place_and_date(campaign.place, decision.signed_on)
    authority = decision_authority(decision)
    return [
        Certificate(
            issuer=certificate_issuer(group.form, campaign),
            title=certificate_title(group.form),
            name=proposal.name,
            position_unit=position_and_unit(proposal),
            achievement=shortened(proposal.achievement.strip(), ACHIEVEMENT_MAX_CHARS),
            decision_line=decision_line,
            place_date=place_date,
            authority_lines=authority,
            signer_name=(decision.signer_name or "").strip(),
        )
        for group in printed
        for proposal in group.proposals
    ]


def certificates_html(items, layout):
    """The pages' HTML: templates/pdf/certificate.html (plain) or certificate_blank.html."""
    if layout == BLANK:
        fields = {name: _field_style(field) for name, field in BLANK_FIELDS.items()}
        return render_html("pdf/certificate_blank.html", {"certificates": items, "fields": fields})
    return render_html("pdf/certificate.html", {"certificates": items})


def _field_style(field):
    style = (
        f"top:{field.top}mm;left:{field.left}mm;width:{field.width}mm;height:{field.height}mm;"
        f"font-size:{field.size}pt;text-align:{field.align};"
    )
    if field.bold:
        style += "font-weight:bold;"
    if field.italic:
        style += "font-style:italic;"
    return style


def certificates_pdf(items, layout):
    """The certificates as PDF bytes, one A4 landscape page each."""
    if layout not in LAYOUTS:
        raise CertificatesRefused(_("Kiểu in bằng không hợp lệ."))
    return html_to_pdf(certificates_html(items, layout), stylesheet=STYLESHEET)
