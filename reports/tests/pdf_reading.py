"""Reading printed documents back the way an archive would: text and fonts, with pypdf."""

import io

from pypdf import PdfReader


def pdf_reader(data):
    return PdfReader(io.BytesIO(data))


def pdf_text(data):
    """All the text, whitespace (line wraps included) collapsed to single spaces."""
    return " ".join(" ".join(page.extract_text() for page in pdf_reader(data).pages).split())


def embedded_fonts(data):
    """Base names of the fonts whose program is embedded in the PDF (FontFile2/FontFile3)."""
    names = set()
    for page in pdf_reader(data).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            for descendant in [d.get_object() for d in descendants] if descendants else [font]:
                descriptor = descendant.get("/FontDescriptor")
                if descriptor is not None:
                    descriptor = descriptor.get_object()
                    if "/FontFile2" in descriptor or "/FontFile3" in descriptor or "/FontFile" in descriptor:
                        names.add(str(descendant["/BaseFont"]))
    return names


def top_margin_text(page, margin_pt=56):
    """The text printed in the page's top margin (where the page number goes)."""
    top = float(page.mediabox.top) - margin_pt
    found = []

    def visit(text, cm, tm, _font, _size):
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if text.strip() and y > top:
            found.append(text.strip())

    page.extract_text(visitor_text=visit)
    return " ".join(found)


def read_field(file_field):
    """A FileField's bytes, closing the file."""
    with file_field.open("rb") as handle:
        return handle.read()


def assert_liberation_serif_embedded(data):
    fonts = embedded_fonts(data)
    assert fonts, "no embedded font"
    assert all("LiberationSerif" in name.replace("-", "") for name in fonts), fonts
