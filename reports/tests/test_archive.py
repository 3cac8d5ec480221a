"""Archival PDF: every printed page is PDF/A-3b, and a file joined from several renders is made
PDF/A-3b again (metadata, output intent, language, one name per font subset)."""

import datetime
import hashlib
import io
from zoneinfo import ZoneInfo

import pikepdf
import pytest

from reports.archive import archive_finish, archive_save, pdfa_problems
from reports.pdf import html_to_pdf
from reports.tests.pdf_reading import assert_liberation_serif_embedded, pdf_text
from reports.tests.printing_data import fill_report
from reports.unit_document import unit_report_pdf

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
META = {"title": "Báo cáo tổng hợp 1908", "author": "UBND tỉnh Điện Biên", "subject": "Kết quả thi đua"}


def page(text, *, bold=""):
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Phần</title>'
        '<meta name="author" content="UBND tỉnh Điện Biên"><meta name="description" content="Một phần">'
        f"</head><body><p>{text}</p><p><b>{bold}</b></p></body></html>"
    )


@pytest.fixture(scope="module")
def part_one():
    return html_to_pdf(page("Điện Biên, ngày 15 tháng 12 năm 2024", bold="Ủy ban nhân dân"))


@pytest.fixture(scope="module")
def part_two():
    return html_to_pdf(page("Tổng hợp kết quả thực hiện phong trào thi đua", bold="Quyết định khen thưởng"))


def joined(*parts):
    """The parts' pages in one file, as the summary joins them: pikepdf.new() and pages.extend."""
    sources = [pikepdf.open(io.BytesIO(data)) for data in parts]
    merged = pikepdf.new()
    for source in sources:
        merged.pages.extend(source.pages)
    return merged


def saved(pdf, **options):
    buffer = io.BytesIO()
    pdf.save(buffer, **options)
    return buffer.getvalue()


def font_programs(data):
    """The font program streams of a file: (how many objects, how many different contents)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        streams = [obj.FontFile2 for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary) and "/FontFile2" in obj]
        objects = {stream.objgen for stream in streams}
        contents = {hashlib.sha256(stream.read_bytes()).digest() for stream in streams}
    return len(objects), len(contents)


def test_a_printed_page_is_pdf_a_3b_with_its_title_author_and_language(part_one):
    assert pdfa_problems(part_one) == []
    with pikepdf.open(io.BytesIO(part_one)) as pdf:
        assert pdf.pdf_version == "1.7"
        assert str(pdf.Root.Lang) == "vi"
        assert str(pdf.docinfo.Author) == "UBND tỉnh Điện Biên"
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("3", "B")
        assert meta["dc:title"] == "Phần"


@pytest.mark.django_db
def test_the_units_printed_report_is_pdf_a_3b(campaign, unit_a, officer_a):
    data = unit_report_pdf(fill_report(campaign, unit_a, officer_a))
    assert pdfa_problems(data) == []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert str(pdf.docinfo.Author) == "UBND huyện Mường Ảng"  # the issuing body, as it signs
        assert str(pdf.docinfo.Title) == "Báo cáo UBND huyện Mường Ảng"
        assert str(pdf.docinfo.Subject).startswith("Kết quả")


def test_separate_renders_reuse_one_subset_name_for_different_glyphs(part_one, part_two):
    problems = pdfa_problems(saved(joined(part_one, part_two)))
    assert any("share the subset name" in problem and "Liberation-Serif" in problem for problem in problems)
    assert any("PDF 1.3" in problem for problem in problems)
    assert any("/Lang" in problem for problem in problems)
    assert any("XMP" in problem for problem in problems)
    assert any("output intent" in problem for problem in problems)


def test_a_joined_file_made_archival_passes_and_reads_back(part_one, part_two):
    pdf = joined(part_one, part_two)
    data = saved(pdf, **archive_finish(pdf, **META))
    assert pdfa_problems(data) == []
    text = pdf_text(data)
    assert "Điện Biên, ngày 15 tháng 12 năm 2024" in text
    assert "Tổng hợp kết quả thực hiện phong trào thi đua" in text
    assert "Ủy ban nhân dân" in text and "Quyết định khen thưởng" in text
    assert_liberation_serif_embedded(data)


def test_each_different_subset_gets_its_own_name_in_every_font_object(part_one, part_two):
    pdf = joined(part_one, part_two)
    data = saved(pdf, **archive_finish(pdf, **META))
    with pikepdf.open(io.BytesIO(data)) as result:
        programs = {}
        for font in result.objects:
            if isinstance(font, pikepdf.Dictionary) and font.get("/Subtype") == "/Type0":
                descendant = font.DescendantFonts[0]
                assert font.BaseFont == descendant.BaseFont == descendant.FontDescriptor.FontName
                program = hashlib.sha256(descendant.FontDescriptor.FontFile2.read_bytes()).digest()
                programs.setdefault(program, set()).add(str(font.BaseFont))
    names = [name for names in programs.values() for name in names]
    assert all(len(names) == 1 for names in programs.values())  # one name a program …
    assert len(names) == len(set(names))  # … and one program a name
    assert len(programs) >= 3  # regular and bold, differing between the parts


def test_identical_subsets_are_kept_once(part_one):
    pdf = joined(part_one, part_one, part_one)
    before = saved(pdf)
    assert font_programs(before)[0] == 3 * font_programs(before)[1]
    after = saved(pdf, **archive_finish(pdf, **META))
    assert font_programs(after)[0] == font_programs(after)[1] == font_programs(before)[1]
    assert len(after) < len(before)
    assert pdf_text(after).count("Điện Biên") == 3


def test_metadata_and_document_information_agree(part_one, part_two):
    pdf = joined(part_one, part_two)
    created = datetime.datetime(2024, 12, 15, 9, 30, tzinfo=HANOI)
    data = saved(pdf, **archive_finish(pdf, **META, created=created))
    with pikepdf.open(io.BytesIO(data)) as result:
        info, meta = result.docinfo, result.open_metadata()
        assert str(info.Title) == meta["dc:title"] == META["title"]
        assert str(info.Author) == META["author"] and meta["dc:creator"] == [META["author"]]
        assert str(info.Subject) == meta["dc:description"] == META["subject"]
        assert str(info.CreationDate).startswith("D:20241215093000+07")
        assert datetime.datetime.fromisoformat(meta["xmp:CreateDate"]) == created
        assert meta["xmp:ModifyDate"] == meta["xmp:CreateDate"]
        assert meta["dc:language"] == {"vi"}
        assert result.Root.ViewerPreferences.DisplayDocTitle is True
        [intent] = result.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1" and intent.DestOutputProfile.N == 3


def test_archive_save_writes_an_archival_file(part_one, part_two, tmp_path):
    target = tmp_path / "tong-hop.pdf"
    archive_save(joined(part_one, part_two), target, **META)
    assert pdfa_problems(target.read_bytes()) == []


def test_it_reports_a_font_that_is_not_embedded_and_missing_information():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    helvetica = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    pdf.pages[0].Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pdf.make_indirect(helvetica)))
    problems = pdfa_problems(saved(pdf, min_version="1.7"))
    assert "The font Helvetica is not embedded." in problems
    assert "The document information has no title (/Title)." in problems
    assert not any("PDF 1.7" in problem for problem in problems)
