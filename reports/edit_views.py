"""The officer's report form and the evidence files it lists.

A save writes only what the officer changed since opening the form (reports.merge). What
could not be saved comes back exactly as typed: fields that do not parse, changes that would
break a rule, and fields a colleague changed differently meanwhile, shown side by side for
the officer to choose. Evidence uploads and removals post on their own (htmx), leaving what
is being typed in the figures untouched."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from campaigns.numbers import format_vn_number
from campaigns.structure import campaign_structure
from commendations.awards import campaign_forms

from . import merge
from .access import report_for_user
from .forms import (
    SIGNER_FORM_FIELDS,
    CommendationFormSet,
    EvidenceForm,
    ReportForm,
    commendation_data,
    commendation_rows,
    narrative_field,
    no_data_field,
    note_field,
    value_field,
)
from .models import CommendationKind
from .outliers import CONFIRM_FIELD as OUTLIER_CONFIRM_FIELD
from .outliers import outlier_flags_save, outlier_warnings
from .services import ConcurrentEdit, ReportError, report_measures, report_reread
from .unit_document import default_signer_title
from .uploads import EvidenceError, evidence_add, evidence_remove
from .views import SIGNER_LABELS, _change_row, own_results, results_by_measure

COMMENDATION_PREFIX = "commendations"
RESOLVE_PREFIX = "resolve:"


# --- what the page is rendered from -------------------------------------------------------
@dataclass
class Page:
    """The form page to render: the report's stored state and version it is based on, and
    what the officer typed that is not saved (`typed`: merge key → the POSTed form fields)."""

    version: int
    state: dict
    typed_data: dict = field(default_factory=dict)
    typed_rows: list = field(default_factory=list)
    typed_keys: set = field(default_factory=set)
    conflicts: list = field(default_factory=list)
    unchosen: set = field(default_factory=set)
    choices: dict = field(default_factory=dict)
    held: dict = field(default_factory=dict)
    others: list = field(default_factory=list)
    bound: bool = False
    saved_partly: bool = False
    error: str = ""


def report_snapshot(report):
    """The report's version and stored state, read so that they belong together."""
    for _attempt in range(3):
        version = report.version
        state = merge.report_state(report)
        report_reread(report)
        if report.version == version:
            break
    return report.version, state


# --- the report form ----------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def report_edit(request, pk):
    """The officer's form. "Lưu nháp" saves every valid change and shows the others again
    with their message; "Lưu và gửi báo cáo…" saves all or nothing with every measure
    required, then asks for confirmation. Either way only what this officer changed since
    opening the form is written."""
    report = report_for_user(request.user, pk, write=True)
    if not report.editable:
        messages.info(request, _("Báo cáo đã gửi nên chỉ xem được; chờ Sở Nội vụ trả lại nếu cần sửa."))
        return redirect("reports:report_detail", pk=report.pk)
    if request.method == "GET":
        version, state = report_snapshot(report)
        return _render_edit(request, report, Page(version=version, state=state))

    measures = report_measures(report)
    sections = list(campaign_structure(report.campaign).sections)
    action = request.POST.get("action", "save")
    form = ReportForm(request.POST, measures=measures, sections=sections)
    awards = campaign_forms(report.campaign)
    formset = CommendationFormSet(request.POST, prefix=COMMENDATION_PREFIX, awards=awards)
    form_valid = form.is_valid()
    base = _posted_base(request, report)
    known = _commendation_pks(base)
    mine = {**form.edits(), **formset.edits(known)}
    unresolved, choices = set(), {}
    for field_key in base.pending:
        choice = request.POST.get(RESOLVE_PREFIX + field_key)
        choices[field_key] = choice
        if choice == "theirs":
            mine.pop(field_key, None)  # what is stored stays, as chosen
        elif choice != "mine":
            unresolved.add(field_key)
    if not base.known:
        unresolved |= set(mine)
    # Unusual figures this officer typed are confirmed before anything is saved. The report
    # was read with its unit as in the campaign; when nobody saved since the form was
    # opened, what it holds is the form's base.
    current = base.known and base.version == report.version
    outliers = outlier_warnings(
        report,
        _changed_figures(mine),
        request.POST.getlist(OUTLIER_CONFIRM_FIELD),
        kind=report.unit.kind,
        last=_figures(base.state) if current else None,
    )
    if outliers.pending:
        page = Page(
            version=base.version,
            state=base.state,
            typed_keys=set(mine),
            typed_data=_typed_fields(request.POST, set(mine)),
            typed_rows=_typed_rows(formset, known, set(mine)),
            unchosen={field_key for field_key in unresolved if field_key in base.pending},
            choices=choices,
            bound=True,
        )
        return _render_edit(request, report, page, outliers=outliers)
    error = ""
    try:
        outcome = merge.report_save_edits(
            report=report, by=request.user, base=base, mine=mine, unresolved=unresolved, submit=action == "submit"
        )
    except ConcurrentEdit as exc:
        version, state = report_snapshot(report)
        outcome, error = merge.Outcome(version=version, state=state), str(exc)
    except ReportError as exc:
        messages.error(request, "; ".join(exc.problems.values()))
        return redirect("reports:report_detail", pk=report.pk)

    if outcome.saved:
        outlier_flags_save(report=report, check=outliers)
    if not (error or outcome.conflicts or outcome.held or not form_valid or not formset.is_valid()):
        if action == "submit":
            return redirect("reports:report_submit", pk=report.pk)
        _saved_message(request, outcome)
        url = reverse("reports:report_edit", args=[report.pk])
        return redirect(url + ("#commendations" if action == "add_row" else ""))

    # Show the form again on top of what is stored now: what was saved or left alone reads
    # as stored; what was not saved reads as typed, with its message or its conflict.
    typed = {
        field_key
        for field_key, value in mine.items()
        if field_key in unresolved or not merge.same(value, base.get(field_key))
    } - outcome.written
    page = Page(
        version=outcome.version,
        state=outcome.state,
        typed_keys=typed,
        typed_data=_typed_fields(request.POST, typed),
        typed_rows=_typed_rows(formset, known, typed),
        conflicts=outcome.conflicts,
        unchosen={field_key for field_key in unresolved if field_key in base.pending},
        choices=choices,
        held=outcome.held,
        others=outcome.others,
        bound=True,
        saved_partly=outcome.saved,
        error=error,
    )
    if outcome.saved:
        messages.success(
            request,
            _("Đã lưu nháp các ô hợp lệ (phiên bản %(version)s). Các ô còn lỗi dưới đây chưa được lưu.")
            % {"version": outcome.version},
        )
    return _render_edit(request, report, page)


def _posted_base(request, report):
    """The base the form carried. A form without a readable one (opened before bases
    existed, or tampered with) is taken at its version when nobody has saved since;
    otherwise nothing it holds can be told unchanged."""
    base = merge.base_from_token(request.POST.get("base"), report.pk)
    if base is not None:
        return base
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = 0
    if version == report.version:
        return merge.Base(version=version, state=merge.report_state(report))
    return merge.Base(version=version, state={}, known=False)


def _commendation_pks(base):
    pks = set()
    for field_key in [*base.state, *base.pending]:
        kind, name = merge.split(field_key)
        if kind == merge.COMMENDATION and name.isdigit():
            pks.add(int(name))
    return pks


def _typed_fields(post, typed):
    """The POSTed figure, note and narrative fields of the merge keys in `typed`."""
    data = {}
    for field_key in typed:
        kind, name = merge.split(field_key)
        if kind == merge.FIGURE:
            data[value_field(name)] = post.get(value_field(name), "")
            data[no_data_field(name)] = post.get(no_data_field(name))  # None: unticked
        elif kind == merge.NOTE:
            data[note_field(name)] = post.get(note_field(name), "")
        elif kind == merge.NARRATIVE:
            data[narrative_field(name)] = post.get(narrative_field(name), "")
        elif kind == merge.SIGNER and name in SIGNER_FORM_FIELDS:
            data[SIGNER_FORM_FIELDS[name]] = post.get(SIGNER_FORM_FIELDS[name])  # None: unticked
    return data


def _typed_rows(formset, known, typed):
    """(merge key, the row as POSTed) for the commendation rows in `typed`."""
    rows = []
    for form, row_key in zip(formset.forms, formset.row_keys(known), strict=True):
        if row_key in typed:
            row = {name: form[name].value() for name in merge.COMMENDATION_FIELDS}
            row["DELETE"] = bool(form["DELETE"].value())
            name = merge.split(row_key)[1]
            row["id"] = None if name.startswith("+") else int(name)
            rows.append((row_key, row))
    return rows


def _saved_message(request, outcome):
    if not outcome.saved:
        messages.info(request, _("Không có thay đổi nào cần lưu."))
    elif outcome.merged_with:
        who = _who(outcome.others)
        messages.success(
            request,
            _(
                "Đã lưu nháp (phiên bản %(version)s). Trong lúc bạn sửa, %(who)s đã lưu báo cáo; "
                "các thay đổi của họ được giữ nguyên và gộp với thay đổi của bạn."
            )
            % {"version": outcome.version, "who": who},
        )
    else:
        messages.success(request, _("Đã lưu nháp (phiên bản %(version)s).") % {"version": outcome.version})


def _who(events):
    names = []
    for event in events:
        if event.by is not None:
            name = event.by.get_full_name() or event.by.username
            if name not in names:
                names.append(name)
    return ", ".join(names) or _("người khác")


# --- rendering ----------------------------------------------------------------------------
def _changed_figures(mine):
    """measure code → the number this officer typed, for the figures the save would change."""
    figures = {}
    for field_key, value in mine.items():
        kind, code = merge.split(field_key)
        if kind == merge.FIGURE and isinstance(value, str) and value != merge.NO_DATA:
            figures[code] = Decimal(value)
    return figures


def _figures(state):
    """measure code → the stored number, for the figures of a state (reports.merge)."""
    figures = {}
    for field_key, value in state.items():
        kind, code = merge.split(field_key)
        if kind == merge.FIGURE and (number := merge.figure_number(value)) is not None:
            figures[code] = number
    return figures


def _render_edit(request, report, page, *, evidence_form=None, outliers=None):
    measures = report_measures(report)
    sections = list(campaign_structure(report.campaign).sections)
    reported = {measure.code for measure in measures}
    results = own_results(report, {code: n for code, n in _figures(page.state).items() if code in reported})
    goals = results_by_measure(results)

    data = ReportForm.data_for(page.state, measures, sections)
    for name, value in page.typed_data.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    pending = {conflict.key for conflict in page.conflicts}
    data["version"] = page.version
    data["base"] = merge.base_token(report.pk, page.version, page.state, pending)
    title = default_signer_title(report.unit)
    if page.bound:
        form = ReportForm(data, measures=measures, sections=sections, goals=goals, signer_title=title)
        form.is_valid()
        form.add_problems({k: v for k, v in page.held.items() if merge.split(k)[0] != merge.COMMENDATION})
    else:
        form = ReportForm(initial=data, measures=measures, sections=sections, goals=goals, signer_title=title)

    rows, row_keys = _form_rows(page)
    awards = campaign_forms(report.campaign)
    if page.bound:
        data = commendation_data(rows, COMMENDATION_PREFIX)
        formset = CommendationFormSet(data, prefix=COMMENDATION_PREFIX, awards=awards)
        formset.is_valid()
        # What the merge held back of a row (a rule of the campaign's catalogue) shows on the row.
        for row_form, row_key in zip(formset.forms, row_keys, strict=False):
            if row_key in page.held:
                field_name = "award_form" if "award_form" in row_form.fields and awards is not None else None
                row_form.add_error(field_name, page.held[row_key])
    else:
        formset = CommendationFormSet(initial=rows, prefix=COMMENDATION_PREFIX, awards=awards)

    names = {measure.code: measure.name for measure in measures}
    views = {conflict.key: _conflict_view(conflict, page, names) for conflict in page.conflicts}
    form.conflicts = {k: view for k, view in views.items() if merge.split(k)[0] != merge.COMMENDATION}
    for row_form, row_key in zip(formset.forms, row_keys, strict=False):
        row_form.conflict = views.get(row_key)
    for event in page.others:
        event.change_rows = [_change_row(change, names) for change in event.changes]

    context = {
        "report": report,
        "campaign": report.campaign,
        "unit": report.unit,
        "results": results,
        "outliers": outliers,
        "evidence_list": list(report.evidence.select_related("uploaded_by")),
        "commendations": list(report.commendations.all()),
    }
    context.update(
        page=page,
        form=form,
        formset=formset,
        conflicts=list(views.values()),
        conflict_by=_who(page.others),
        error_summary=_error_summary(form, formset, views, page),
        dirty=bool(page.typed_keys),
        evidence_form=evidence_form or EvidenceForm(),
        max_evidence_mb=settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
    )
    return render(request, "reports/report_edit.html", context)


def _form_rows(page):
    """The commendation rows to show (stored rows first, as the formset needs) and the merge
    key of each: stored ones as stored unless typed, then typed ones no longer stored
    (removed by a colleague), then new typed ones."""
    typed = dict(page.typed_rows)
    shown = []
    for row in commendation_rows(page.state):
        row_key = merge.key(merge.COMMENDATION, row["id"])
        shown.append((row_key, typed.pop(row_key, row)))
    shown += [(row_key, row) for row_key, row in typed.items() if row["id"] is not None]
    shown += [(row_key, row) for row_key, row in typed.items() if row["id"] is None]
    return [row for _key, row in shown], [row_key for row_key, _row in shown]


@dataclass
class ConflictView:
    """One conflict as the page shows it: the two values side by side and the choice."""

    key: str
    label: str
    theirs: str
    mine: str
    input_name: str
    dom_id: str
    choice: str | None = None
    needs_choice: bool = False


def _conflict_view(conflict, page, names):
    kind, name = merge.split(conflict.key)
    if kind == merge.FIGURE:
        label = names.get(name, name)
    elif kind == merge.NOTE:
        label = _("Ghi chú — %(name)s") % {"name": names.get(name, name)}
    elif kind == merge.NARRATIVE:
        label = _("Kết quả thực hiện, đánh giá — phần %(code)s") % {"code": name}
    elif kind == merge.SIGNER:
        label = SIGNER_LABELS.get(name, name)
    else:
        row = next(
            (value for value in (conflict.theirs, conflict.mine, conflict.base) if isinstance(value, list)), None
        )
        label = _("Đề nghị khen thưởng: %(name)s") % {"name": row[1] if row else ""}
    return ConflictView(
        key=conflict.key,
        label=label,
        theirs=_shown(kind, conflict.theirs),
        mine=_shown(kind, conflict.mine),
        input_name=RESOLVE_PREFIX + conflict.key,
        dom_id="conflict-" + conflict.key.replace(":", "-").replace("+", "new"),
        choice=page.choices.get(conflict.key),
        needs_choice=conflict.key in page.unchosen,
    )


def _shown(kind, value):
    """A field's value as a person reads it."""
    if isinstance(value, merge.Unparsed):
        return value.text or _("(chưa hợp lệ)")
    if kind == merge.FIGURE:
        if value == merge.NO_DATA:
            return _("Không có số liệu")
        return _("(để trống)") if value is None else format_vn_number(merge.figure_number(value))
    if kind == merge.COMMENDATION:
        if value is None:
            return _("(đã xóa dòng này)")
        row = merge.commendation_row(value)
        kinds = dict(CommendationKind.choices)
        person = ", ".join(part for part in (row["position"], row["work_unit"]) if part)
        parts = [str(kinds.get(row["kind"], row["kind"])), row["name"], person, row["award"], row["achievement"]]
        return " — ".join(str(part) for part in parts if part)
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    return value or _("(để trống)")


def _error_summary(form, formset, conflicts, page):
    """The error summary at the top (GOV.UK pattern): each problem, linking to its field."""
    items = []
    for name, errors in form.errors.items():
        if name == "__all__":
            items += [{"anchor": "report-form", "label": _("Biểu mẫu"), "message": error} for error in errors]
        elif name in ("version", "base"):
            items.append(
                {
                    "anchor": "report-form",
                    "label": _("Biểu mẫu"),
                    "message": _("Biểu mẫu thiếu phiên bản báo cáo; hãy tải lại trang."),
                }
            )
        else:
            bound = form[name]
            label = bound.field.widget.attrs.get("aria-label") or bound.label
            items += [{"anchor": bound.auto_id, "label": label, "message": error} for error in errors]
    for index, row_form in enumerate(formset.forms, start=1):
        for name, errors in row_form.errors.items():
            anchor = row_form[name].auto_id if name in row_form.fields else f"commendation-row-{index - 1}"
            label = _("Đề nghị khen thưởng, dòng %(number)s") % {"number": index}
            items += [{"anchor": anchor, "label": label, "message": error} for error in errors]
    for error in formset.non_form_errors():
        items.append({"anchor": "commendations", "label": _("Đề nghị khen thưởng"), "message": error})
    for view in conflicts.values():
        if view.needs_choice:
            items.append(
                {"anchor": view.dom_id, "label": view.label, "message": _("Chọn giữ của họ hoặc dùng của tôi.")}
            )
    if page.error:
        items.append({"anchor": "report-form", "label": _("Biểu mẫu"), "message": page.error})
    return items


# --- evidence -----------------------------------------------------------------------------
def _evidence_response(request, report, form=None, status_message=""):
    """The evidence list partial for htmx; the whole page otherwise."""
    if request.headers.get("HX-Request"):
        context = {
            "report": report,
            "evidence_list": list(report.evidence.select_related("uploaded_by")),
            "evidence_form": form or EvidenceForm(),
            "max_evidence_mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
            "status_message": status_message,
        }
        return render(request, "reports/_evidence.html", context)
    if status_message:
        messages.success(request, status_message)
    if form is None:
        return redirect(reverse("reports:report_edit", args=[report.pk]) + "#evidence")
    version, state = report_snapshot(report)
    return _render_edit(request, report, Page(version=version, state=state), evidence_form=form)


def _to_detail(report):
    """htmx: the report was sent meanwhile; the whole page moves to the read-only report."""
    return HttpResponse(headers={"HX-Redirect": reverse("reports:report_detail", args=[report.pk])})


@require_POST
def evidence_upload(request, pk):
    report = report_for_user(request.user, pk, write=True)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            evidence = evidence_add(
                report=report,
                by=request.user,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except EvidenceError as exc:
            for field_name, message in exc.problems.items():
                form.add_error(field_name, message)
        else:
            return _evidence_response(
                request, report, status_message=_("Đã tải lên “%(name)s”.") % {"name": evidence.original_name}
            )
    if not report.editable:
        messages.error(request, "; ".join(form.errors.get("file", [])))
        if request.headers.get("HX-Request"):
            return _to_detail(report)
        return redirect("reports:report_detail", pk=report.pk)
    return _evidence_response(request, report, form)


@require_POST
def evidence_delete(request, pk, evidence_pk):
    report = report_for_user(request.user, pk, write=True)
    evidence = get_object_or_404(report.evidence, pk=evidence_pk)
    try:
        evidence_remove(evidence=evidence, by=request.user)
    except EvidenceError as exc:
        messages.error(request, exc.problems["file"])
        if request.headers.get("HX-Request"):
            return _to_detail(report)
        return redirect("reports:report_detail", pk=report.pk)
    return _evidence_response(
        request, report, status_message=_("Đã xóa “%(name)s”.") % {"name": evidence.original_name}
    )
