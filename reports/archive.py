"""Archival PDF (PDF/A-3b) for a document joined from several WeasyPrint renders.

Every part `reports.pdf` writes is PDF/A-3b, but a file joined with pikepdf keeps only the
parts' pages: it declares PDF 1.3 and has no XMP metadata, output intent or language. Worse,
WeasyPrint names a font subset after the font, not after the glyphs it holds (its six-letter
tag is a digest of the font's description), so each part embeds its own subset of Liberation
Serif under one name: `SWSLVQ+Liberation-Serif` with different glyphs in every part, which
ISO 32000-1 (9.6.4) forbids and which lets a viewer that caches fonts by name draw the wrong
glyphs. And the unit annexes cut from one render each keep a copy of that render's subsets.

`archive_finish` puts back what a PDF/A file needs, names every font program after a digest
of its bytes, and keeps one copy of each stream and font that the parts repeat. A caller saves
with `archive_save(pdf, target, title=…, author=…, subject=…)`, or, with save options of its
own, `pdf.save(target, **archive_finish(pdf, title=…, …))`: qpdf writes the PDF version only
when it saves, so archive_finish returns the save options the file needs.

`pdfa_problems` checks what can be checked without a validator: the document-level entries,
the metadata and the fonts. It does not read content streams, colours or the font programs
themselves; veraPDF does, and is the tool to settle a doubt.
"""

import datetime
import hashlib
import io
import re
from importlib.resources import files

import pikepdf
from django.utils import timezone
from pikepdf import Array, Dictionary, Name, String
from pikepdf.models.metadata import decode_pdf_date

PDFA_PART = "3"
PDFA_CONFORMANCE = "B"
PDF_VERSION = "1.7"  # PDF/A-3 is ISO 32000-1, that is PDF 1.7

# PDF/A-3 allows object streams (PDF/A-1 did not): they hold the many small font and page
# dictionaries of a joined file compressed.
SAVE_OPTIONS = {"min_version": PDF_VERSION, "object_stream_mode": pikepdf.ObjectStreamMode.generate}

FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
SUBSET_NAME = re.compile(r"^([A-Z]{6})\+(.+)$")
SRGB_NAME = "sRGB2014.icc"  # the profile WeasyPrint ships and puts in the parts it writes
# Stream entries that say how the data is stored, not what it is.
STORAGE_KEYS = {"/Length", "/Filter", "/DecodeParms", "/DL"}


def archive_finish(pdf, *, title, author, subject, lang="vi", created=None):
    """Make `pdf` (open, joined from WeasyPrint PDF/A parts) PDF/A-3b in place and return the
    options it must be saved with: `pdf.save(target, **archive_finish(pdf, …))`.

    `created` (an aware datetime, default now) is both the creation and the modification date:
    the joined file is a new document, made once."""
    created = timezone.localtime(created or timezone.now()).replace(microsecond=0)
    _output_intent(pdf)
    _metadata(pdf, title=title, author=author, subject=subject, lang=lang, created=created)
    pdf.Root.Lang = String(lang)
    preferences = pdf.Root.get("/ViewerPreferences", Dictionary())
    preferences.DisplayDocTitle = True
    pdf.Root.ViewerPreferences = preferences
    if "/StructTreeRoot" in pdf.Root:  # only a tagged file may say so; WeasyPrint's PDF/A-3b is not
        pdf.Root.MarkInfo = Dictionary(Marked=True)
    _name_font_subsets(pdf)  # first: identical subsets then have identical fonts, and are shared
    _share_identical(pdf)
    return dict(SAVE_OPTIONS)


def archive_save(pdf, target, *, title, author, subject, lang="vi", created=None):
    """archive_finish, then save to `target` (a path or a writable binary file)."""
    pdf.save(target, **archive_finish(pdf, title=title, author=author, subject=subject, lang=lang, created=created))


def _output_intent(pdf):
    """The sRGB output intent every part had; the profile is the one the parts' colour spaces
    embed, so `_share_identical` keeps a single copy."""
    for intent in pdf.Root.get("/OutputIntents", Array()):
        if intent.get("/S") == Name.GTS_PDFA1 and "/DestOutputProfile" in intent:
            return
    profile = pikepdf.Stream(pdf, files("weasyprint.pdf").joinpath(SRGB_NAME).read_bytes())
    profile.N = 3
    intent = Dictionary(
        Type=Name.OutputIntent,
        S=Name.GTS_PDFA1,
        OutputConditionIdentifier=String(SRGB_NAME),
        Info=String(SRGB_NAME),
        DestOutputProfile=profile,
    )
    pdf.Root.OutputIntents = Array([pdf.make_indirect(intent)])


def _metadata(pdf, *, title, author, subject, lang, created):
    """XMP metadata with the PDF/A claim; pikepdf writes the Info dictionary from it, so the two
    agree as PDF/A requires."""
    producer = str(pdf.docinfo.get("/Producer", "")).strip()
    mark = f"pikepdf {pikepdf.__version__}"
    if mark not in producer:
        producer = f"{producer}, {mark}" if producer else mark
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["pdfaid:part"] = PDFA_PART
        meta["pdfaid:conformance"] = PDFA_CONFORMANCE
        meta["dc:title"] = title
        meta["dc:creator"] = [author]
        meta["dc:description"] = subject
        meta["dc:language"] = [lang]
        meta["dc:format"] = "application/pdf"
        meta["xmp:CreateDate"] = created
        meta["xmp:ModifyDate"] = created
        meta["xmp:MetadataDate"] = created
        meta["pdf:Producer"] = producer


# --- fonts -------------------------------------------------------------------------------------
def _font_objects(pdf):
    """Every font dictionary of the file, descendants of Type0 fonts included."""
    seen = set()
    for obj in pdf.objects:
        if not isinstance(obj, Dictionary) or obj.get("/Type") != Name.Font:
            continue
        for font in [obj, *obj.get("/DescendantFonts", Array())]:
            key = font.objgen if font.is_indirect else id(font)
            if key not in seen:
                seen.add(key)
                yield font


def _program(font):
    """(descriptor, embedded font program stream or None) of a font that draws with a program
    (not Type0, which draws with its descendant, nor Type3, which draws with content streams)."""
    if font.get("/Subtype") in (Name.Type0, Name.Type3):
        return None, None
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return None, None
    return descriptor, next((descriptor[key] for key in FONT_FILES if key in descriptor), None)


def _digest(stream):
    return hashlib.sha256(stream.read_bytes()).digest()


def _tag(digest, name, taken):
    """Six capital letters from the program's digest; another digest is drawn for the rare
    program whose tag and name another program already holds."""
    seed = digest
    while True:
        tag = "".join(chr(ord("A") + byte % 26) for byte in seed[:6])
        if taken.setdefault(f"{tag}+{name}", digest) == digest:
            return tag
        seed = hashlib.sha256(seed).digest()


def _name_font_subsets(pdf):
    """Give each embedded subset a tag derived from its program, in the font, its descriptor
    and the Type0 font above it: the same subset, wherever it came from, gets the same name, and
    different subsets different names."""
    taken = {}
    for font in _font_objects(pdf):
        descriptor, program = _program(font)
        if program is None:
            continue
        match = SUBSET_NAME.match(str(font.get("/BaseFont", descriptor.get("/FontName", "")))[1:])
        if match:  # a whole font, not a subset, has no tag
            font.BaseFont = descriptor.FontName = Name(f"/{_tag(_digest(program), match[2], taken)}+{match[2]}")
    for font in _font_objects(pdf):
        if font.get("/Subtype") != Name.Type0:
            continue
        own, descendant = (
            SUBSET_NAME.match(str(font.BaseFont)[1:]),
            SUBSET_NAME.match(str(font.DescendantFonts[0].BaseFont)[1:]),
        )
        if own and descendant and own[2].startswith(descendant[2]):  # `TAG+Name` or `TAG+Name-Identity-H`
            font.BaseFont = Name(f"/{descendant[1]}+{own[2]}")


# --- sharing identical objects -------------------------------------------------------------------
def _shareable(obj):
    if isinstance(obj, pikepdf.Stream):  # not the object and xref streams of a file read back
        return obj.get("/Type") not in (Name.ObjStm, Name.XRef)
    return isinstance(obj, Dictionary) and obj.get("/Type") in (Name.Font, Name.FontDescriptor)


def _share_identical(pdf):
    """Point every reference to a stream or font at one copy of it: a subset, ToUnicode map,
    colour profile or page-number stamp that several parts hold is kept once. Objects nothing
    refers to any more are left out when the file is saved."""
    fingerprints = {}

    def fingerprint(obj):
        key = obj.objgen
        if key not in fingerprints:
            fingerprints[key] = None  # a reference cycle ends at the object's own identity
            if isinstance(obj, pikepdf.Stream):
                try:
                    data = obj.read_bytes()
                    entries = {k: v for k, v in obj.items() if k not in STORAGE_KEYS}
                except pikepdf.PdfError:  # a filter qpdf does not decode: compare the stored bytes
                    data = obj.read_raw_bytes()
                    entries = {k: v for k, v in obj.items() if k != "/Length"}
                content = ("stream", canonical(entries), hashlib.sha256(data).hexdigest())
            else:
                content = canonical(dict(obj.items()))
            fingerprints[key] = hashlib.sha256(repr(content).encode()).hexdigest()
        return fingerprints[key] or ("object", key)

    def canonical(value):
        if isinstance(value, pikepdf.Object) and value.is_indirect:
            return ("ref", fingerprint(value)) if _shareable(value) else ("object", value.objgen)
        if isinstance(value, (dict, Dictionary)):
            return ("dict", tuple(sorted((str(k), canonical(v)) for k, v in value.items())))
        if isinstance(value, Array):
            return ("array", tuple(canonical(item) for item in value))
        if isinstance(value, String):
            return ("string", bytes(value))
        if isinstance(value, pikepdf.Object):  # a name, or an operator
            return ("pdf", str(value))
        return (type(value).__name__, str(value))

    # A page's own content stream is never repeated elsewhere: reading and hashing the few
    # hundred of them would be most of the work for nothing.
    contents = set()
    for page in pdf.pages:
        streams = page.obj.get("/Contents")
        for stream in streams if isinstance(streams, Array) else [streams] if streams is not None else []:
            if stream.is_indirect:
                contents.add(stream.objgen)
    kept, replace = {}, {}
    candidates = (o for o in pdf.objects if _shareable(o) and o.objgen not in contents)
    for obj in sorted(candidates, key=lambda o: o.objgen):
        original = kept.setdefault(fingerprint(obj), obj)
        if original.objgen != obj.objgen:
            replace[obj.objgen] = original
    if replace:
        for obj in list(pdf.objects):
            if isinstance(obj, (Dictionary, Array, pikepdf.Stream)):
                _point_at(obj, replace)
        _point_at(pdf.trailer, replace)


def _point_at(container, replace):
    """Replace, in `container` and the direct objects inside it, references to the keys of
    `replace` by references to its values."""
    items = enumerate(list(container)) if isinstance(container, Array) else list(container.items())
    for key, value in items:
        if not isinstance(value, pikepdf.Object):
            continue
        if value.is_indirect:
            if value.objgen in replace:
                container[key] = replace[value.objgen]
        elif isinstance(value, (Dictionary, Array)):
            _point_at(value, replace)


# --- checking ----------------------------------------------------------------------------------
def pdfa_problems(data):
    """What keeps the PDF `data` (bytes) from being PDF/A-3b, as far as pikepdf can tell, in
    plain words; an empty list when nothing was found."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        return ["The file is encrypted: PDF/A forbids encryption."]
    with pdf:
        problems = []
        if pdf.is_encrypted or "/Encrypt" in pdf.trailer:
            problems.append("The file is encrypted: PDF/A forbids encryption.")
        if pdf.pdf_version != PDF_VERSION:
            problems.append(f"The file declares PDF {pdf.pdf_version}; PDF/A-3 files are PDF {PDF_VERSION}.")
        if "/ID" not in pdf.trailer:
            problems.append("The trailer has no file identifier (/ID).")
        problems += _metadata_problems(pdf)
        problems += _catalog_problems(pdf)
        problems += _font_problems(pdf)
        return problems


def _metadata_problems(pdf):
    problems = []
    meta = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
    part, conformance = meta.get("pdfaid:part"), meta.get("pdfaid:conformance")
    if "/Metadata" not in pdf.Root:
        problems.append("The catalog has no XMP metadata stream.")
    elif str(part) != PDFA_PART or str(conformance).upper() not in ("A", "B", "U"):
        problems.append(f"The XMP metadata does not claim PDF/A-3 (pdfaid:part {part}, conformance {conformance}).")
    info = pdf.docinfo
    for key, label in (("/Title", "title"), ("/Author", "author"), ("/Subject", "subject")):
        if not str(info.get(key, "")).strip():
            problems.append(f"The document information has no {label} ({key}).")
    if not meta.get("dc:title"):
        problems.append("The XMP metadata has no dc:title.")
    pairs = (
        ("/Title", "dc:title", str),
        ("/Author", "dc:creator", lambda value: ", ".join(value)),
        ("/Subject", "dc:description", str),
    )
    for key, prop, as_text in pairs:
        if key in info and prop in meta and str(info[key]) != as_text(meta[prop]):
            problems.append(f"{key} in the document information differs from {prop} in the XMP metadata.")
    for key, prop in (("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")):
        if key in info and _same_moment(str(info[key]), meta.get(prop)) is False:
            problems.append(f"{key} in the document information differs from {prop} in the XMP metadata.")
    return problems


def _same_moment(pdf_date, xmp_date):
    """Whether a PDF date and an XMP date are the same moment; False also when the XMP date is
    missing, None when either cannot be read."""
    if not xmp_date:
        return False
    try:
        left, right = decode_pdf_date(pdf_date), datetime.datetime.fromisoformat(str(xmp_date))
    except ValueError:
        return None
    if (left.tzinfo is None) != (right.tzinfo is None):
        left, right = left.replace(tzinfo=None), right.replace(tzinfo=None)
    return left == right


def _catalog_problems(pdf):
    problems = []
    intents = [
        intent
        for intent in pdf.Root.get("/OutputIntents", Array())
        if intent.get("/S") == Name.GTS_PDFA1 and isinstance(intent.get("/DestOutputProfile"), pikepdf.Stream)
    ]
    if not intents:
        problems.append("There is no PDF/A output intent (/GTS_PDFA1 with an ICC profile).")
    if not str(pdf.Root.get("/Lang", "")).strip():
        problems.append("The catalog names no language (/Lang).")
    return problems


def _font_problems(pdf):
    problems, programs = [], {}
    for font in _font_objects(pdf):
        if font.get("/Subtype") in (Name.Type0, Name.Type3):
            continue
        name = str(font.get("/BaseFont", "/?"))[1:]
        descriptor, program = _program(font)
        if program is None:
            problems.append(f"The font {name} is not embedded.")
            continue
        if SUBSET_NAME.match(name):
            programs.setdefault(name, set()).add(_digest(program))
    for name, digests in sorted(programs.items()):
        if len(digests) > 1:
            problems.append(f"{len(digests)} different font programs share the subset name {name}.")
    return problems
