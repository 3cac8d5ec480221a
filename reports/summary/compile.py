"""The compile job: one snapshot → one `Document` → a PDF/A and a .docx.

The compiling task reads the snapshot, the drafted prose, builds the document, writes the
DOCX and the HTML of every page part; the parts are laid out by `render_summary_part` tasks
that spread over every worker process:

- two frame parts: the report itself (page numbers from page 2), and the appendices' own
  pages (the overview of Phụ lục I, the charts of Phụ lục II);
- the unit sections of Phụ lục I, in chunks. Each unit's pages are kept in `UnitAnnex` under
  a key made of the print code version, the unit's report version and the section's HTML, so
  a recompile lays out only the units that changed.

Each finished part adds one to `Summary.parts_done` (an F() update); the part that completes
the count claims the merge with a conditional UPDATE and enqueues it, so exactly one merge
runs and no result backend is needed. The merge joins the parts with pikepdf, numbers the
appendix pages separately and makes the file archive-grade (reports.archive).

Every file goes through Django's storage API (no local paths, no work folders on disk), so
workers on machines that share no disk can compile against an object store.
"""

import datetime
import hashlib
import io
import json
import pickle

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from reports.jobs import JobAbandoned, job_done, job_progress
from reports.models import JobStatus, Summary, SummaryDraft, UnitAnnex
from reports.pdf import code_version, html_document, pages_by_anchor, render_html, write_pdf

from .collect import summary_collect
from .content import ANNEX_1, ANNEX_2, annex_sections, summary_document
from .content import unit_section as unit_section_of
from .docx import document_docx
from .html import FRAME_APPENDICES, FRAME_BODY, document_html, section_html, sections_document_html
from .prose import draft_parts, prefill

CHUNK_UNITS = 4  # units per annex part: small enough to spread, large enough to amortise a render

STAGE_COLLECTING = "Đang thu thập số liệu"
STAGE_COMPUTING = "Đang tính toán"
STAGE_RENDERING = "Đang dựng trang PDF: phần {done}/{total}"
STAGE_SAVING = "Đang ghép và lưu tệp"

WORK_ROOT = "summaries/work"


# --- the prose ---------------------------------------------------------------------------------
def drafts_current(campaign):
    """part key → the latest saved SummaryDraft of each part of the campaign's summary."""
    current = {}
    for draft in SummaryDraft.objects.filter(campaign=campaign).order_by("part", "-saved_at", "-pk"):
        current.setdefault(draft.part, draft)
    return current


def summary_prose(summary, collected):
    """Each part's text for this compile: the reviewer's draft where one was saved, else what
    the snapshot prefills. Recommendations given to summary_create override the draft."""
    drafted = {part: draft.text for part, draft in drafts_current(summary.campaign).items()}
    filled = prefill(summary.campaign, collected)
    prose = {part.key: drafted.get(part.key, filled.get(part.key, "")) for part in draft_parts(summary.campaign)}
    if summary.recommendations.strip():
        prose["recommendations"] = summary.recommendations.strip()
    return prose


# --- files, through the storage API only ----------------------------------------------------------
def _work_dir(summary):
    return f"{WORK_ROOT}/{summary.pk}-{summary.run}"


def _write(path, data):
    """Store `data` under `path`, replacing what was there. Returns `path`."""
    if default_storage.exists(path):
        default_storage.delete(path)
    saved = default_storage.save(path, ContentFile(data))
    if saved != path:  # written meanwhile by a process of the same run: drop ours, theirs is the same
        default_storage.delete(saved)
    return path


def _read(path):
    with default_storage.open(path, "rb") as handle:
        return handle.read()


def _remove_tree(path):
    """Delete every file under `path` (folders exist only through their files)."""
    try:
        folders, files = default_storage.listdir(path)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        default_storage.delete(f"{path}/{name}")
    for name in folders:
        _remove_tree(f"{path}/{name}")
    try:
        default_storage.delete(path)  # an empty folder on a file system; nothing on an object store
    except OSError:
        pass


# --- the compile -----------------------------------------------------------------------------------
def _inline_dispatch(summary, index=None):
    if index is None:
        summary_merge(summary=summary)
    else:
        summary_render_part(summary=summary, index=index, dispatch=_inline_dispatch)


def annex_key(unit_code, version, html):
    """The cache key of a unit's annex pages: print code version, report version, HTML."""
    digest = hashlib.sha256(f"{code_version()}|{unit_code}|v{version}|".encode())
    digest.update(html.encode())
    return digest.hexdigest()[:40]


def annex_entry(unit_section, section):
    """What the compile needs to find or lay out a unit's pages of Phụ lục I: the unit, its
    anchor and title, the section's HTML (`text`) and the key its pages are kept under."""
    text = section_html(section)
    return {
        "unit": unit_section.unit.pk,
        "code": unit_section.unit.code,
        "anchor": section.anchor,
        "key": annex_key(unit_section.unit.code, unit_section.report.version, text),
        "title": section.title,
        "text": text,
    }


def annex_render_ahead(*, report_id):
    """Lay out one unit's pages of Phụ lục I now, from the report as it stands, so that the
    compile finds them ready (reports are submitted and accepted over weeks; the summary is
    asked for on one day). The pages are kept under the same key the compile computes — the
    print code, the report's version and the section's HTML, which holds every figure, goal
    and word it shows — so a page made before a goal or the campaign file changed has
    another key and is never used: the compile lays that unit out again. Returns True if
    pages were laid out, False if they were ready or the report does not count."""
    from reports.models import UnitReport

    report = UnitReport.objects.select_related("campaign").filter(pk=report_id).first()
    if report is None:
        return False
    collected = summary_collect(report.campaign)
    for index, unit_section in annex_sections(collected.units):
        if unit_section.unit.pk == report.unit_id:
            entry = annex_entry(unit_section, unit_section_of(index, unit_section))
            break
    else:
        return False
    if UnitAnnex.objects.filter(campaign=report.campaign, unit_id=entry["unit"], key=entry["key"]).exists():
        return False
    _render_units(report.campaign, [entry])
    return True


def annexes_render_ahead(campaign):
    """Every counted report's pages of Phụ lục I that are not ready, laid out in chunks from one
    snapshot (after a campaign file or a goal changed, for instance). Returns how many units
    were laid out."""
    collected = summary_collect(campaign)
    entries = [
        annex_entry(unit_section, unit_section_of(index, unit_section))
        for index, unit_section in annex_sections(collected.units)
    ]
    ready = set(UnitAnnex.objects.filter(campaign=campaign).values_list("unit_id", "key"))
    missing = [entry for entry in entries if (entry["unit"], entry["key"]) not in ready]
    for start in range(0, len(missing), CHUNK_UNITS):
        _render_units(campaign, missing[start : start + CHUNK_UNITS])
    return len(missing)


def summary_compile(*, summary, dispatch=None):
    """Compile a claimed (running) Summary: stages collecting → computing → rendering page
    parts → saving, each written to the row. Every figure and every page's HTML comes from
    the one snapshot read here; the parts only lay that HTML out. `dispatch(summary, index)`
    runs or enqueues part `index`, or the merge when index is None; by default everything
    runs here, in order."""
    dispatch = dispatch or _inline_dispatch
    campaign = summary.campaign
    job_progress(summary, stage=STAGE_COLLECTING, progress=3)
    collected = summary_collect(campaign, accepted_only=summary.accepted_only)
    prose = summary_prose(summary, collected)
    job_progress(summary, stage=STAGE_COMPUTING, progress=8, report_versions=collected.report_versions, prose=prose)
    summary.report_versions, summary.prose = collected.report_versions, prose
    document = summary_document(summary, collected, prose)

    work = _work_dir(summary)
    parts = [
        {
            "frame": name,
            "html": _write(f"{work}/{name}.html", document_html(document, name, sections=False).encode()),
        }
        for name in (FRAME_BODY, FRAME_APPENDICES)
    ]
    cached = set(UnitAnnex.objects.filter(campaign=campaign).values_list("unit_id", "key"))
    entries, to_render = [], []
    counted = annex_sections(collected.units)
    for (_index, unit_section), section in zip(counted, document.appendices[0].sections, strict=True):
        entry = annex_entry(unit_section, section)
        # Every unit's HTML, cached or not: the merge renders any pages that went missing.
        entry["html"] = _write(f"{work}/units/{entry['code']}.html", entry.pop("text").encode())
        if (unit_section.unit.pk, entry["key"]) not in cached:
            to_render.append((len(unit_section.rows) + len(unit_section.results), len(entries)))
        entries.append(entry)
    # The longest units first, so the last parts to finish are short ones and no process waits
    # long for another at the end; the merge keeps the document's order (the manifest's).
    to_render = [position for _size, position in sorted(to_render, key=lambda item: -item[0])]
    parts.extend({"units": to_render[start : start + CHUNK_UNITS]} for start in range(0, len(to_render), CHUNK_UNITS))
    # The Word file is a part too, written by whichever process is free: the document model,
    # our own objects, is handed over through the run's work files.
    parts.insert(2, {"docx": _write(f"{work}/document.pickle", pickle.dumps(document))})
    metadata = {"title": document.title, "author": document.author, "subject": document.subject}
    _write(f"{work}/manifest.json", json.dumps({"units": entries, "parts": parts, "metadata": metadata}).encode())
    job_progress(
        summary,
        stage=STAGE_RENDERING.format(done=0, total=len(parts)),
        progress=10,
        parts_total=len(parts),
        parts_done=0,
    )
    for index in range(len(parts)):  # the frames first: they are the longest parts of a recompile
        dispatch(summary, index)


def _write_docx(summary, part):
    """Write the Word file from the document model the compile handed over."""
    document = pickle.loads(_read(part["docx"]))  # noqa: S301 - written by this run's compile, in our storage
    docx = document_docx(document, created=summary.started_at or timezone.now())
    summary.docx.save(f"bao-cao-tong-hop-{summary.campaign.code}-{summary.number}.docx", ContentFile(docx), save=False)
    try:
        job_progress(summary, docx=summary.docx.name)
    except JobAbandoned:  # another run owns the row now: keep no file that nothing points to
        summary.docx.delete(save=False)
        raise


def _manifest(summary):
    return json.loads(_read(f"{_work_dir(summary)}/manifest.json"))


def _bookmarks(tree):
    """WeasyPrint's bookmark tree (its headings) as [title, page index, children]."""
    return [[label, target[0], _bookmarks(children)] for label, target, children, _state in tree]


def _render_frame(summary, part):
    """Lay out one frame part; store its PDF, the pages its appendices start on and its
    bookmarks (the merged file would lose them)."""
    document = html_document(_read(part["html"]).decode())
    work = _work_dir(summary)
    _write(f"{work}/{part['frame']}.pdf", write_pdf(document))
    layout = {
        "anchors": pages_by_anchor(document, [ANNEX_1, ANNEX_2]),
        "bookmarks": _bookmarks(document.make_bookmark_tree()),
    }
    _write(f"{work}/{part['frame']}.json", json.dumps(layout).encode())


def _outline_items(bookmarks, offset=0):
    from pikepdf import OutlineItem

    items = []
    for title, page, children in bookmarks:
        item = OutlineItem(title, page + offset)
        item.children.extend(_outline_items(children, offset))
        items.append(item)
    return items


def _render_units(campaign, entries):
    """Render the given unit sections as one document and store each unit's pages."""
    import pikepdf

    from reports.text import writing

    fragments = [entry["text"] if "text" in entry else _read(entry["html"]).decode() for entry in entries]
    names = ", ".join(entry["title"].split(". ", 1)[-1] for entry in entries)
    with writing(names, "trang Phụ lục I"):
        document = html_document(sections_document_html(fragments, "Phụ lục I"))
    starts = pages_by_anchor(document, [entry["anchor"] for entry in entries])
    with pikepdf.open(io.BytesIO(write_pdf(document))) as source:
        bounds = [starts[entry["anchor"]] for entry in entries] + [len(source.pages)]
        for position, entry in enumerate(entries):
            with pikepdf.new() as single:
                single.pages.extend(source.pages[bounds[position] : bounds[position + 1]])
                buffer = io.BytesIO()
                single.save(buffer)
            annex = UnitAnnex(campaign=campaign, unit_id=entry["unit"], key=entry["key"])
            annex.pdf.save(
                f"{campaign.pk}/{entry['code']}-{entry['key'][:16]}.pdf", ContentFile(buffer.getvalue()), save=False
            )
            try:
                with transaction.atomic():
                    annex.save()
            except IntegrityError:  # a concurrent compile rendered the same pages first
                annex.pdf.delete(save=False)


def summary_render_part(*, summary, index, dispatch):
    """Render part `index`: a frame, or a chunk of unit annexes (skipping units cached meanwhile)."""
    job_progress(summary)
    manifest = _manifest(summary)
    part = manifest["parts"][index]
    if "frame" in part:
        _render_frame(summary, part)
    elif "docx" in part:
        _write_docx(summary, part)
    else:
        entries = [manifest["units"][position] for position in part["units"]]
        present = set(
            UnitAnnex.objects.filter(campaign=summary.campaign, key__in=[e["key"] for e in entries]).values_list(
                "unit_id", "key"
            )
        )
        missing = [entry for entry in entries if (entry["unit"], entry["key"]) not in present]
        if missing:
            _render_units(summary.campaign, missing)
    _part_done(summary, dispatch)


def _part_done(summary, dispatch):
    mine = Summary.objects.filter(pk=summary.pk, run=summary.run, status=JobStatus.RUNNING)
    mine.update(parts_done=F("parts_done") + 1, heartbeat_at=timezone.now())
    counts = Summary.objects.values("parts_done", "parts_total").get(pk=summary.pk)
    done, total = counts["parts_done"], max(counts["parts_total"], 1)
    mine.exclude(stage=STAGE_SAVING).update(
        stage=STAGE_RENDERING.format(done=min(done, total), total=total), progress=10 + 80 * min(done, total) // total
    )
    claimed = mine.filter(parts_done__gte=F("parts_total")).exclude(stage=STAGE_SAVING).update(stage=STAGE_SAVING)
    if claimed:
        dispatch(summary, None)


STAMP_BLOCK = 100  # page-number stamps are made for a multiple of this many pages, once


def _stamp_pages(count):
    """A PDF of at least `count` pages that carry only a page number, top centre, from page 2.
    It depends on nothing but the print code, so it is laid out once for all summaries up to
    the same multiple of STAMP_BLOCK pages and kept (laying out 300 pages takes a second)."""
    count = -(-max(count, 1) // STAMP_BLOCK) * STAMP_BLOCK
    path = f"annex/stamps/{code_version()}-{count}.pdf"
    if default_storage.exists(path):
        return _read(path)
    pdf = write_pdf(html_document(render_html("pdf/page_numbers.html", {"pages": range(count)})))
    _write(path, pdf)
    return pdf


def summary_merge(*, summary):
    """Join the frame parts and the unit annexes, number the appendix pages, save the PDF.

    pikepdf (qpdf) copies pages without parsing their content: three times faster than
    pypdf here, and the file a third of the size."""
    import pikepdf

    from reports.archive import archive_save

    job_progress(summary, stage=STAGE_SAVING, progress=92)
    campaign = summary.campaign
    work = _work_dir(summary)
    manifest = _manifest(summary)
    annexes = {
        (annex.unit_id, annex.key): annex
        for annex in UnitAnnex.objects.filter(campaign=campaign, key__in=[e["key"] for e in manifest["units"]])
    }
    missing = [entry for entry in manifest["units"] if (entry["unit"], entry["key"]) not in annexes]
    if missing:  # a part was lost or counted twice: render what is missing here
        _render_units(campaign, missing)
        return summary_merge(summary=summary)
    summary.refresh_from_db(fields=["docx"])
    for part in manifest["parts"]:  # the same for a frame part, and for the Word file
        if "frame" in part and not all(
            default_storage.exists(f"{work}/{part['frame']}.{suffix}") for suffix in ("pdf", "json")
        ):
            _render_frame(summary, part)
        if "docx" in part and not summary.docx:
            _write_docx(summary, part)

    sources = []  # every source stays open until the merged file is written

    def pages_of(data):
        sources.append(pikepdf.open(io.BytesIO(data)))
        return list(sources[-1].pages)

    body = pages_of(_read(f"{work}/{FRAME_BODY}.pdf"))
    frame = pages_of(_read(f"{work}/{FRAME_APPENDICES}.pdf"))
    annex_2 = json.loads(_read(f"{work}/{FRAME_APPENDICES}.json"))["anchors"].get(ANNEX_2, len(frame))
    appendix_1, appendix_2 = frame[:annex_2], frame[annex_2:]
    unit_starts = []
    for entry in manifest["units"]:
        with annexes[(entry["unit"], entry["key"])].pdf.open("rb") as handle:
            unit_starts.append((entry["title"], len(body) + len(appendix_1)))
            appendix_1.extend(pages_of(handle.read()))
    stamps = pages_of(_stamp_pages(max(len(appendix_1), len(appendix_2), 1)))
    buffer = io.BytesIO()
    with pikepdf.new() as merged:
        merged.pages.extend(body)
        for appendix in (appendix_1, appendix_2):
            start = len(merged.pages)
            merged.pages.extend(appendix)
            for number in range(1, len(appendix)):
                merged.pages[start + number].add_overlay(stamps[number])
        with merged.open_outline() as outline:
            outline.root.extend(_outline_items(json.loads(_read(f"{work}/{FRAME_BODY}.json"))["bookmarks"]))
            annex_1_item = pikepdf.OutlineItem("Phụ lục I", len(body))
            annex_1_item.children.extend(pikepdf.OutlineItem(title, page) for title, page in unit_starts)
            outline.root.extend([annex_1_item, pikepdf.OutlineItem("Phụ lục II", len(body) + len(appendix_1))])
        archive_save(merged, buffer, created=summary.started_at, **manifest["metadata"])
    for source in sources:
        source.close()
    summary.pdf.save(
        f"bao-cao-tong-hop-{campaign.code}-{summary.number}.pdf", ContentFile(buffer.getvalue()), save=False
    )
    try:
        job_done(summary, pdf=summary.pdf.name)
    except JobAbandoned:
        summary.pdf.delete(save=False)
        raise
    _clean_up(work, campaign, {entry["key"] for entry in manifest["units"]})


def summaries_sweep_work():
    """Remove the work files of runs that are not compiling (failed, abandoned, or of a
    deleted summary): a finished compile removes its own. Scheduled with the stale-job sweep;
    returns how many runs' files were removed."""
    try:
        folders = default_storage.listdir(WORK_ROOT)[0]  # listed first: a run started after
    except FileNotFoundError:  # this never reuses a listed folder, since run numbers never repeat
        return 0
    running = {f"{pk}-{run}" for pk, run in Summary.objects.filter(status=JobStatus.RUNNING).values_list("pk", "run")}
    removed = [name for name in folders if name not in running]
    for name in removed:
        _remove_tree(f"{WORK_ROOT}/{name}")
    return len(removed)


def _clean_up(work, campaign, keys):
    _remove_tree(work)
    # Older pages of units that changed; kept an hour in case a compile still running uses them.
    old = UnitAnnex.objects.filter(campaign=campaign, created_at__lt=timezone.now() - datetime.timedelta(hours=1))
    for annex in old.exclude(key__in=keys):
        annex.pdf.delete(save=False)
        annex.delete()
