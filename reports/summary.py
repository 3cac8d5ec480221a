"""The provincial summary: the 15/11 unit reports compiled into the 15/12 report the
People's Committee signs (PDF and an editable DOCX).

One compile reads one snapshot of the reports, inside one transaction (repeatable read on
PostgreSQL), records the report versions it used, and computes every figure through
`reports.aggregation.Snapshot`. The document is then assembled from parts:

- two frame parts: the report itself (body, page numbers from page 2), and the overview page
  of Phụ lục I with the charts of Phụ lục II;
- the unit annexes of Phụ lục I, one section per unit, in chunks.

The compiling task renders every part's HTML from the snapshot and writes the DOCX; the parts
are laid out by `render_summary_part` tasks that spread over every worker process. Each
unit's pages are cached in `UnitAnnex` under a key made of the print code version, the unit's
report version and the section's HTML, so a recompile renders only the units that changed.

Each finished part adds one to `Summary.parts_done` (an F() update); the part that completes
the count claims the merge with a conditional UPDATE and enqueues it, so exactly one merge
runs and no result backend is needed. The merge joins the parts with pikepdf and numbers the
appendix pages separately.
"""

import datetime
import hashlib
import io
import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from campaigns.models import UnitKind
from campaigns.numbers import format_vn_date

from .aggregation import (
    IN_PROGRESS,
    NEAR_REACHED,
    NO_DATA,
    NO_GOAL,
    NOT_REACHED,
    REACHED,
    SPEED_UP,
    Snapshot,
    format_value,
)
from .jobs import JobAbandoned, job_done, job_progress
from .models import Commendation, JobStatus, Narrative, Summary, UnitAnnex
from .pdf import (
    code_version,
    document_number_line,
    html_document,
    issuer_lines,
    lowercase_first,
    measure_display,
    pages_by_anchor,
    place_and_date,
    province_name,
    recipient_lines,
    render_html,
)
from .services import ReportError
from .text import text_problem, writing

CHUNK_UNITS = 4  # units per annex part: small enough to spread, large enough to amortise a render
CHART_ROWS = 30  # an SVG chart cannot break across pages: longer lists continue in a second chart

STAGE_COLLECTING = "Đang thu thập số liệu"
STAGE_COMPUTING = "Đang tính toán"
STAGE_RENDERING = "Đang dựng trang PDF: phần {done}/{total}"
STAGE_SAVING = "Đang ghép và lưu tệp"

ANNEX_1 = "annex-1"
ANNEX_2 = "annex-2"


# --- creating a summary ------------------------------------------------------------------------
def summary_create(*, campaign, by, recommendations="", document_number="", document_date=None):
    """A queued Summary with the campaign's next number (the caller enqueues it on commit).
    Recommendations holding control characters are refused (ReportError)."""
    message = text_problem(gettext("Kiến nghị, đề xuất"), recommendations)
    if message:
        raise ReportError({"recommendations": message})
    for _attempt in range(5):
        try:
            with transaction.atomic():
                number = (Summary.objects.filter(campaign=campaign).aggregate(n=Max("number"))["n"] or 0) + 1
                return Summary.objects.create(
                    campaign=campaign,
                    number=number,
                    requested_by=by,
                    recommendations=recommendations.strip(),
                    document_number=document_number.strip(),
                    document_date=document_date,
                )
        except IntegrityError:  # another reviewer took the number at the same moment
            continue
    raise IntegrityError("Could not allocate a summary number")


def summary_retry(*, summary):
    """Put a failed summary back in the queue (the caller enqueues it on commit)."""
    from .jobs import job_requeue

    if summary.status != JobStatus.FAILED:
        return False
    job_requeue(summary)
    Summary.objects.filter(pk=summary.pk).update(parts_done=0, parts_total=0)
    return True


# --- one snapshot, every figure --------------------------------------------------------------
@dataclass
class UnitSection:
    unit: object
    report: object
    counted: bool
    results: list
    rows: list
    html: str = ""
    key: str = ""

    @property
    def with_goal(self):
        return sum(1 for result in self.results if result.goal is not None)

    @property
    def reached(self):
        return sum(1 for result in self.results if result.status == REACHED)

    @property
    def standing(self):
        """How the unit reported, judged by its first submission: on time, late, or not."""
        if not self.counted:
            return "Chưa gửi"
        return "Gửi muộn" if self.report.is_late else "Đúng hạn"

    @property
    def sent_on(self):
        """The day of the first submission (`15/11/2024`; Asia/Ho_Chi_Minh), or ""."""
        if not self.counted:
            return ""
        return format_vn_date(self.report.first_submitted_at or self.report.submitted_at)

    @property
    def resent_on(self):
        """The day the report was sent again after a return, or ""."""
        return format_vn_date(self.report.resubmitted_at) if self.counted else ""


@dataclass
class Collected:
    snapshot: Snapshot
    report_versions: dict
    narratives: list
    commendations: list
    units: list = field(default_factory=list)


def _repeatable_read():
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        return True
    return False


def summary_collect(campaign):
    """Read everything the summary shows in one transaction: one consistent snapshot."""
    snapshot = Snapshot(campaign)
    set_isolation = _repeatable_read()
    with transaction.atomic():
        if set_isolation:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for name in ("targets", "measures", "participants", "groups", "reports", "counted_unit_ids"):
            getattr(snapshot, name)
        for name in ("sums_by_kind", "sums_by_group", "unit_values"):
            getattr(snapshot, name)
        counted = [snapshot.reports[unit_id] for unit_id in snapshot.counted_unit_ids]
        # Each report with its unit as the campaign saw it, in the campaign's order of units.
        place = {unit.pk: index for index, unit in enumerate(snapshot.participants)}
        reports_by_pk = {report.pk: report for report in counted}
        for report in counted:
            report.unit = snapshot.unit_by_id[report.unit_id]
        narratives = list(Narrative.objects.filter(report__in=counted).exclude(text="").select_related("section"))
        commendations = list(Commendation.objects.filter(report__in=counted))
        for item in narratives + commendations:
            item.report = reports_by_pk[item.report_id]
        narratives.sort(key=lambda n: (n.section.order, place[n.report.unit_id]))
        commendations.sort(key=lambda c: (place[c.report.unit_id], c.order, c.pk))
        stored = {}
        for report in counted:
            stored[report.pk] = {}
        for value in _values_of(counted):
            stored[value.report_id][value.measure_id] = value
        province = [snapshot.province_result(target) for target in snapshot.targets]
        units = []
        for unit in snapshot.participants:
            report = snapshot.reports.get(unit.pk)
            is_counted = unit.pk in snapshot.counted_unit_ids
            results = [snapshot.unit_result(target, unit) for target in snapshot.targets_for_unit(unit)]
            rows = _measure_rows(snapshot, unit, stored.get(report.pk, {}) if is_counted else {})
            units.append(UnitSection(unit=unit, report=report, counted=is_counted, results=results, rows=rows))
    versions = {report.unit.code: report.version for report in counted}
    collected = Collected(snapshot, versions, narratives, commendations, units)
    collected.province = province
    return collected


def _values_of(reports):
    from .models import MeasureValue

    return MeasureValue.objects.filter(report__in=reports)


def _measure_rows(snapshot, unit, stored):
    from .aggregation import measures_for_unit

    rows = []
    for measure in measures_for_unit(snapshot.measures, unit):
        value = stored.get(measure.pk)
        shown = "Không có số liệu" if value and value.no_data else measure_display(measure, value and value.value)
        rows.append({"measure": measure, "value": shown, "note": value.note if value else ""})
    return rows


# --- content: the same text for the PDF and the DOCX -------------------------------------------
def _shown(target, value):
    """A figure with its unit of measure (`85,3%`, `1.000 cây`), or "chưa có số liệu"."""
    if value is None:
        return str(NO_DATA.label).lower()
    text, uom = format_value(target, value), target.unit_of_measure
    if not uom:
        return text
    return f"{text}%" if uom == "%" else f"{text} {uom}"


@translation.override("vi")
def assessment_sentences(province, units):
    """General assessment generated from the figures: how many targets reached, which not,
    which are on their way to a goal due in a later year, and where the gaps are."""
    with_goal = [result for result in province if result.goal is not None]
    count = {status: sum(1 for r in with_goal if r.status == status) for status in (REACHED, NEAR_REACHED)}
    behind = [r for r in with_goal if r.status in (SPEED_UP, NOT_REACHED)]
    near = [r for r in with_goal if r.status == NEAR_REACHED]
    ongoing = [r for r in with_goal if r.status == IN_PROGRESS]
    missing = [r for r in with_goal if r.status == NO_DATA]
    sentences = [
        f"Trong {len(with_goal)} chỉ tiêu có mức phấn đấu, toàn tỉnh có {count[REACHED]} chỉ tiêu đạt, "
        f"{count[NEAR_REACHED]} chỉ tiêu gần đạt, {len(behind)} chỉ tiêu chưa đạt"
        + (f", {len(ongoing)} chỉ tiêu có mức của năm sau đang thực hiện" if ongoing else "")
        + (f" và {len(missing)} chỉ tiêu chưa có số liệu." if missing else ".")
    ]
    for label, group in (("Các chỉ tiêu chưa đạt", behind), ("Các chỉ tiêu gần đạt", near)):
        if group:
            parts = [
                f"{r.target.name} (đạt {_shown(r.target, r.value)}, mức {_shown(r.target, r.goal)})" for r in group
            ]
            sentences.append(f"{label}: {'; '.join(parts)}.")
    if ongoing:
        parts = [f"{r.target.name} ({_shown(r.target, r.value)}, {r.status.note})" for r in ongoing]
        sentences.append(f"Các chỉ tiêu đang thực hiện: {'; '.join(parts)}.")
    gaps = {}
    for section in units:
        if not section.counted:
            continue
        for result in section.results:
            if result.goal is not None and result.status in (SPEED_UP, NOT_REACHED):
                gaps.setdefault(result.target.pk, []).append((section.unit, result))
    for target_results in gaps.values():
        target = target_results[0][1].target
        worst = sorted(target_results, key=lambda item: (item[1].share or 0, item[0].name))[:5]
        listed = ", ".join(f"{unit.name} ({_shown(result.target, result.value)})" for unit, result in worst)
        more = f" và {len(target_results) - len(worst)} đơn vị khác" if len(target_results) > len(worst) else ""
        sentences.append(f"Chỉ tiêu “{target.name}” còn khoảng cách lớn ở: {listed}{more}.")
    if not with_goal:
        sentences.append("Phong trào không đặt mức cho chỉ tiêu nào.")
    return sentences


def _chart_pieces(title, items, goal, unit, description, direction="at_least", coverage=""):
    """The chart in pieces of CHART_ROWS bars; `coverage` is printed under the last piece."""
    from .charts import bar_chart

    pieces = []
    for start in range(0, len(items), CHART_ROWS):
        piece_title = title if start == 0 else f"{title} (tiếp theo)"
        svg = bar_chart(
            title=piece_title,
            items=items[start : start + CHART_ROWS],
            goal=goal,
            unit=unit,
            description=description,
            width=640,
            font_family="Liberation Serif",
            direction=direction,
        )
        pieces.append({"title": piece_title, "svg": mark_safe(svg)})  # noqa: S308 - bar_chart escapes its text
    if pieces:
        pieces[-1]["coverage"] = coverage
    return pieces


def _coverage_line(labelled):
    """What each bar of a chart rests on: "Số liệu: Cụm 1: 3/4 đơn vị có đủ số liệu; …"."""
    parts = [f"{label}: {result.coverage_text}" for label, result in labelled if result.coverage_text]
    return f"Số liệu: {'; '.join(parts)}." if parts else ""


def summary_charts(collected):
    """Phụ lục II: each key target by emulation cluster and block (by unit kind when the
    units belong to no group) against its goal, beside the province's figure; the targets a
    single unit reports (the projects) together in one chart of the province's figures.
    Unit-by-unit figures are in Phụ lục I."""
    snapshot = collected.snapshot
    kinds = dict(UnitKind.choices)
    charts, province_rows = [], []
    for result in collected.province:
        target = result.target
        if not target.headline:
            continue
        labelled = [
            (group.name, group_result)
            for group in snapshot.groups
            for group_result in [snapshot.group_result(target, group)]
            if group_result.value is not None
        ]
        if not labelled:
            labelled = [
                (kinds[kind], kind_result)
                for kind in (target.over_kinds or list(kinds))
                for kind_result in [snapshot.kind_result(target, kind)]
                if kind_result.value is not None
            ]
        if len(labelled) >= 2:
            labelled.append(("Toàn tỉnh", result))
            charts.extend(
                _chart_pieces(
                    f"{target.name} ({target.unit_of_measure})",
                    [(label, row.value, row.goal) for label, row in labelled],
                    None,
                    target.unit_of_measure,
                    f"Kết quả theo cụm, khối thi đua; toàn tỉnh đạt {_shown(target, result.value)}.",
                    target.direction,
                    coverage=_coverage_line(labelled),
                )
            )
        elif target.unit_of_measure == "%":
            province_rows.append((target.name, result))
    if province_rows:
        charts.extend(
            _chart_pieces(
                "Các chỉ tiêu chủ yếu của toàn tỉnh (%)",
                [(label, row.value, row.goal, row.target.direction) for label, row in province_rows],
                None,
                "%",
                "Kết quả toàn tỉnh so với mức.",
                coverage=_coverage_line(province_rows),
            )
        )
    return charts


def summary_content(summary, collected):
    """Everything the summary says, as plain data both renderers (PDF, DOCX) use."""
    campaign = summary.campaign
    snapshot = collected.snapshot
    on_time, late, missing = [], [], []
    for section in collected.units:
        if not section.counted:
            missing.append(section.unit)
        elif section.report.is_late:
            late.append(section.unit)
        else:
            on_time.append(section.unit)

    sections = []
    for section in campaign.sections.order_by("order"):
        results = [r for r in collected.province if r.target.section_id == section.pk]
        points = [(n.report.unit.name, n.text.strip()) for n in collected.narratives if n.section_id == section.pk]
        sections.append({"section": section, "results": results, "points": points})

    commendations = []
    for item in collected.commendations:
        if not commendations or commendations[-1]["unit"].pk != item.report.unit_id:
            commendations.append({"unit": item.report.unit, "items": []})
        commendations[-1]["items"].append(item)

    date = summary.document_date or timezone.localdate()
    number = document_number_line(summary.document_number, campaign.summary_symbol)
    reference = (
        f"(Kèm theo Báo cáo số {number.removeprefix('Số: ')} ngày {date:%d/%m/%Y} của {province_name(campaign)})"
    )
    doc = {
        "parent": campaign.issuer_parent.upper(),
        "issuer_lines": issuer_lines(campaign.issuer),
        "number_line": number,
        "place_date": place_and_date(campaign.place, date),
        "doc_type": "BÁO CÁO",
        "summary_line": f"Kết quả {lowercase_first(campaign.title)}",
        "recipients": recipient_lines(campaign.recipients),
        "signature": {
            "authority_lines": [line for line in (campaign.signer_authority, campaign.signer_title) if line],
            "name": campaign.signer_name,
        },
    }
    kinds = dict(UnitKind.choices)
    return {
        "doc": doc,
        "summary": summary,
        "campaign": campaign,
        "campaign_title": lowercase_first(campaign.title),
        "province": province_name(campaign),
        "participants": len(collected.units),
        "on_time": on_time,
        "late": late,
        "missing": missing,
        "reported": len(on_time) + len(late),
        "sections": sections,
        "commendations": commendations,
        "assessment": assessment_sentences(collected.province, collected.units),
        "recommendations": [line.strip() for line in summary.recommendations.splitlines() if line.strip()],
        "annex_reference": reference,
        "units": collected.units,
        "kinds": kinds,
        "charts": summary_charts(collected),
        "no_goal": NO_GOAL,
        "targets_total": len(snapshot.targets),
    }


def annex_sections(units):
    """The unit sections of Phụ lục I, each with its number: the unit's row in the overview
    table, which lists every participant. A unit that reports late therefore does not
    renumber (and so re-render) the sections after it."""
    return [(index, section) for index, section in enumerate(units, start=1) if section.counted]


def unit_section_html(section, index):
    return render_html("pdf/annex_unit.html", {"section": section, "index": index})


def annex_key(section):
    """The cache key of a unit's annex pages: print code version, report version, HTML."""
    version = section.report.version if section.report is not None and section.counted else 0
    digest = hashlib.sha256(f"{code_version()}|{section.unit.code}|v{version}|".encode())
    digest.update(section.html.encode())
    return digest.hexdigest()[:40]


def summary_full_html(content, fragments, part=""):
    """The summary as HTML: the whole of it with the unit sections given (what a naive single
    render would print), or one frame part: FRAME_BODY or FRAME_APPENDICES."""
    return render_html("pdf/summary.html", {**content, "unit_fragments": fragments, "part": part})


# --- the compile -------------------------------------------------------------------------------
FRAME_BODY = "body"  # the report itself, page numbers from page 2
FRAME_APPENDICES = "appendices"  # overview page of Phụ lục I and the charts of Phụ lục II


WORK_ROOT = "summaries/work"


def _work_dir(summary):
    return f"{WORK_ROOT}/{summary.pk}-{summary.run}"


def _write(path, data):
    """Write `data` at `path` (under MEDIA_ROOT) in one step: a reader in another process sees
    the old file or the new one, never a part of it. Returns `path`."""
    full = Path(default_storage.path(path))
    full.parent.mkdir(parents=True, exist_ok=True)
    partial = full.with_name(f".{full.name}.{uuid.uuid4().hex}.part")
    partial.write_bytes(data)
    os.replace(partial, full)
    return path


def _read(path):
    with default_storage.open(path, "rb") as handle:
        return handle.read()


def _inline_dispatch(summary, index=None):
    if index is None:
        summary_merge(summary=summary)
    else:
        summary_render_part(summary=summary, index=index, dispatch=_inline_dispatch)


def summary_compile(*, summary, dispatch=None):
    """Compile a claimed (running) Summary: stages collecting → computing → rendering page
    parts → saving, each written to the row. Every figure and every page's HTML comes from
    the one snapshot read here; the parts only lay that HTML out. `dispatch(summary, index)`
    runs or enqueues part `index`, or the merge when index is None; by default everything
    runs here, in order."""
    dispatch = dispatch or _inline_dispatch
    campaign = summary.campaign
    job_progress(summary, stage=STAGE_COLLECTING, progress=3)
    collected = summary_collect(campaign)
    job_progress(summary, stage=STAGE_COMPUTING, progress=8, report_versions=collected.report_versions)
    summary.report_versions = collected.report_versions
    content = summary_content(summary, collected)

    work = _work_dir(summary)
    parts = [
        {"frame": name, "html": _write(f"{work}/{name}.html", summary_full_html(content, [], part=name).encode())}
        for name in (FRAME_BODY, FRAME_APPENDICES)
    ]
    cached = set(UnitAnnex.objects.filter(campaign=campaign).values_list("unit_id", "key"))
    entries, to_render = [], []
    for index, section in annex_sections(collected.units):
        with writing(section.unit.name, "Phụ lục I"):
            section.html = unit_section_html(section, index)
        section.key = annex_key(section)
        entry = {
            "unit": section.unit.pk,
            "code": section.unit.code,
            "key": section.key,
            "title": f"{index}. {section.unit.name}",
            # Every unit's HTML, cached or not: the merge renders any pages that went missing.
            "html": _write(f"{work}/units/{section.unit.code}.html", section.html.encode()),
        }
        if (section.unit.pk, section.key) not in cached:
            to_render.append((len(section.rows) + len(section.results), len(entries)))
        entries.append(entry)
    # The longest units first, so the last parts to finish are short ones and no process waits
    # long for another at the end; the merge keeps the document's order (the manifest's).
    to_render = [position for _size, position in sorted(to_render, key=lambda item: -item[0])]
    parts.extend({"units": to_render[start : start + CHUNK_UNITS]} for start in range(0, len(to_render), CHUNK_UNITS))
    _write(f"{work}/manifest.json", json.dumps({"units": entries, "parts": parts}).encode())
    total = len(parts) + 1  # and the DOCX, written here meanwhile
    job_progress(
        summary, stage=STAGE_RENDERING.format(done=0, total=total), progress=10, parts_total=total, parts_done=0
    )

    for index in range(len(parts)):  # the frames first: they are the longest parts of a recompile
        dispatch(summary, index)

    from .docx import summary_docx

    summary.docx.save(f"bao-cao-tong-hop-{campaign.code}-{summary.number}.docx", summary_docx(content), save=False)
    try:
        job_progress(summary, docx=summary.docx.name)
    except JobAbandoned:  # another run owns the row now: keep no file that nothing points to
        summary.docx.delete(save=False)
        raise
    _part_done(summary, dispatch)


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
    _write(f"{work}/{part['frame']}.pdf", document.write_pdf())
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

    fragments = [mark_safe(_read(entry["html"]).decode()) for entry in entries]  # noqa: S308 - our own rendered HTML
    names = ", ".join(entry["title"].split(". ", 1)[-1] for entry in entries)
    with writing(names, "trang Phụ lục I"):
        document = html_document(render_html("pdf/annex_part.html", {"unit_fragments": fragments}))
    starts = pages_by_anchor(document, [f"unit-{entry['code']}" for entry in entries])
    with pikepdf.open(io.BytesIO(document.write_pdf())) as source:
        bounds = [starts[f"unit-{entry['code']}"] for entry in entries] + [len(source.pages)]
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
    pdf = html_document(render_html("pdf/page_numbers.html", {"pages": range(count)})).write_pdf()
    _write(path, pdf)
    return pdf


def summary_merge(*, summary):
    """Join the frame parts and the unit annexes, number the appendix pages, save the PDF.

    pikepdf (qpdf) copies pages without parsing their content: three times faster than
    pypdf here, and the file a third of the size."""
    import pikepdf

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
    for part in manifest["parts"]:  # the same for a frame part
        if "frame" in part and not all(
            default_storage.exists(f"{work}/{part['frame']}.{suffix}") for suffix in ("pdf", "json")
        ):
            _render_frame(summary, part)

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
    with pikepdf.new() as merged:
        merged.pages.extend(body)
        for appendix in (appendix_1, appendix_2):
            start = len(merged.pages)
            merged.pages.extend(appendix)
            for number in range(1, len(appendix)):
                merged.pages[start + number].add_overlay(stamps[number])
        merged.docinfo = merged.copy_foreign(sources[0].docinfo)
        with merged.open_outline() as outline:
            outline.root.extend(_outline_items(json.loads(_read(f"{work}/{FRAME_BODY}.json"))["bookmarks"]))
            annex_1_item = pikepdf.OutlineItem("Phụ lục I", len(body))
            annex_1_item.children.extend(pikepdf.OutlineItem(title, page) for title, page in unit_starts)
            outline.root.extend([annex_1_item, pikepdf.OutlineItem("Phụ lục II", len(body) + len(appendix_1))])
        buffer = io.BytesIO()
        merged.save(buffer)
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


def _remove_work(work):
    shutil.rmtree(default_storage.path(work), ignore_errors=True)


def summaries_sweep_work():
    """Remove the work folders of runs that are not compiling (failed, abandoned, or of a
    deleted summary): a finished compile removes its own. Scheduled with the stale-job sweep;
    returns how many folders were removed."""
    root = Path(default_storage.path(WORK_ROOT))
    if not root.is_dir():
        return 0
    folders = [entry.name for entry in root.iterdir() if entry.is_dir()]  # listed first: a run started
    running = {  # after this never reuses a listed folder, since run numbers never repeat
        f"{pk}-{run}" for pk, run in Summary.objects.filter(status=JobStatus.RUNNING).values_list("pk", "run")
    }
    removed = [name for name in folders if name not in running]
    for name in removed:
        _remove_work(f"{WORK_ROOT}/{name}")
    return len(removed)


def _clean_up(work, campaign, keys):
    _remove_work(work)
    # Older pages of units that changed; kept an hour in case a compile still running uses them.
    old = UnitAnnex.objects.filter(campaign=campaign, created_at__lt=timezone.now() - datetime.timedelta(hours=1))
    for annex in old.exclude(key__in=keys):
        annex.pdf.delete(save=False)
        annex.delete()


def summary_latest_done(campaign):
    """The summary leaders are offered: the last one that finished."""
    return Summary.objects.filter(campaign=campaign, status=JobStatus.DONE).order_by("-finished_at", "-number").first()
