"""Selectors: what each dashboard page shows, assembled from one `Snapshot`.

Every figure comes from `reports.aggregation`; nothing here computes a rate. Each selector
runs a fixed number of queries whatever the number of units (the Snapshot loads each kind of
row once), so the pages stay fast for a province of 2.000 units.
"""

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from campaigns.models import Aggregation, Campaign, CampaignUnit, Profile, Role, Unit, UnitGroupKind, UnitKind
from campaigns.numbers import round_half_up

from .aggregation import REACHED, Snapshot, format_goal
from .charts import bar_chart
from .models import ReportStatus
from .summary import summary_latest_done

BY_UNIT, BY_GROUP, BY_KIND = "unit", "group", "kind"
DRILLDOWN_AXES = {
    BY_UNIT: _("theo đơn vị"),
    BY_GROUP: _("theo cụm, khối, nhóm"),
    BY_KIND: _("theo loại đơn vị"),
}
RANKING_TIE_RULE = _(
    "Xếp theo tỷ lệ chỉ tiêu có mức mà đơn vị đã đạt. Bằng nhau thì đơn vị đạt nhiều chỉ tiêu hơn xếp trên; "
    "vẫn bằng nhau thì xét mức độ hoàn thành bình quân các chỉ tiêu (mỗi chỉ tiêu tính tối đa 100%). "
    "Đơn vị bằng nhau cả ba tiêu chí cùng hạng và được liệt kê theo tên. Đơn vị chưa có báo cáo được tính "
    "(đã gửi hoặc đã chấp nhận) xếp cuối."
)


class FilterError(ValueError):
    """A filter value that names no unit kind or group of the campaign."""


@dataclass
class Filters:
    kind: str = ""
    group: object = None  # a UnitGroup of the snapshot

    @property
    def active(self):
        return bool(self.kind or self.group)

    def label(self):
        parts = []
        if self.kind:
            parts.append(str(UnitKind(self.kind).label))
        if self.group is not None:
            parts.append(self.group.name)
        return " · ".join(parts) or str(_("Toàn tỉnh"))

    def as_query(self):
        query = {}
        if self.kind:
            query["kind"] = self.kind
        if self.group is not None:
            query["group"] = self.group.code
        return query


def filters_from(snapshot, *, kind="", group=""):
    """Check the filter values of a request against the campaign. Raises FilterError with a
    Vietnamese message naming the bad value."""
    kind, group = (kind or "").strip(), (group or "").strip()
    if kind and kind not in {row.kind for row in snapshot.participant_rows}:
        raise FilterError(_("Loại đơn vị “%(kind)s” không có trong phong trào; đã bỏ bộ lọc.") % {"kind": kind})
    if group and group not in snapshot.group_by_code:
        raise FilterError(_("Nhóm “%(group)s” không có trong phong trào; đã bỏ bộ lọc.") % {"group": group})
    return Filters(kind=kind, group=snapshot.group_by_code.get(group))


def units_in(snapshot, filters, units=None):
    """The participants that match the filters, in the campaign's order: of `units` (by
    default every participant, as a Unit)."""
    units = snapshot.participants if units is None else units
    if filters.kind:
        units = [unit for unit in units if unit.kind == filters.kind]
    if filters.group is not None:
        units = [unit for unit in units if unit.pk in filters.group.member_ids]
    return units


def kind_choices(snapshot):
    present = {row.kind for row in snapshot.participant_rows}
    return [(kind.value, kind.label) for kind in UnitKind if kind.value in present]


# --- submissions ------------------------------------------------------------------------
@dataclass
class Submissions:
    total: int = 0
    submitted: int = 0
    accepted: int = 0
    returned: int = 0
    draft: int = 0
    not_started: int = 0
    on_time: int = 0
    late: int = 0

    @property
    def counted(self):
        return self.submitted + self.accepted

    @property
    def not_reported(self):
        return self.total - self.counted

    @property
    def share(self):
        """Counted reports as a percentage of the participants (None without participants)."""
        return Decimal(self.counted) * 100 / self.total if self.total else None


def submissions_of(units):
    """Counts by status of the units' reports; on time vs late among the counted ones."""
    counts = Submissions(total=len(units))
    for unit in units:
        status = unit.report_status
        if status is None:
            counts.not_started += 1
            continue
        setattr(counts, str(status), getattr(counts, str(status)) + 1)
        if status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
            if unit.report_is_late:
                counts.late += 1
            else:
                counts.on_time += 1
    return counts


@dataclass
class Contact:
    name: str
    email: str
    phone: str
    position: str = ""


@dataclass
class MissingUnit:
    unit: object
    status_label: str
    contacts: list = field(default_factory=list)


def not_reported(snapshot, units):
    """The units whose report does not count yet (none, draft or returned), with the
    contacts of their officers (one query). `units` may be Participant rows: the units
    listed are built from them."""
    missing = [
        unit if isinstance(unit, Unit) else snapshot.unit_for(unit)
        for unit in units
        if unit.pk not in snapshot.counted_unit_ids
    ]
    contacts = {}
    profiles = (
        Profile.objects.filter(role=Role.OFFICER, unit__in=[unit.pk for unit in missing], user__is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    for profile in profiles:
        user = profile.user
        contacts.setdefault(profile.unit_id, []).append(
            Contact(
                name=" ".join(part for part in (user.last_name, user.first_name) if part) or user.username,
                email=user.email,
                phone=profile.phone,
                position=profile.position,
            )
        )
    return [
        MissingUnit(
            unit=unit,
            status_label=str(ReportStatus(unit.report_status).label) if unit.report_status else str(_("Chưa bắt đầu")),
            contacts=contacts.get(unit.pk, []),
        )
        for unit in missing
    ]


# --- target table ---------------------------------------------------------------------
def _target_applies(target, units):
    kinds = set(target.over_kinds) if target.over_kinds else None
    if kinds is None:
        return True
    return any(unit.kind in kinds for unit in units)


def target_results(snapshot, filters, units=None):
    """One Result per target for the filtered scope: the province, a unit kind, or a group
    (a group and a kind together: the group, within that kind)."""
    units = units_in(snapshot, filters) if units is None else units
    results = []
    for target in snapshot.targets:
        if not _target_applies(target, units):
            continue
        if filters.group is not None:
            results.append(snapshot.group_result(target, filters.group))
        elif filters.kind:
            results.append(snapshot.kind_result(target, filters.kind))
        else:
            results.append(snapshot.province_result(target))
    return results


def reviewer_dashboard(*, campaign, kind="", group="", snapshot=None):
    """Everything the reviewer dashboard shows. Raises FilterError for unknown filters."""
    snapshot = snapshot or Snapshot(campaign)
    filters = filters_from(snapshot, kind=kind, group=group)
    if filters.kind and filters.group is not None:
        # The group sums cannot be cut by kind; the group decides the scope.
        filters.kind = ""
    # Counting needs no unit objects: only the units not reported are built, for their rows.
    units = units_in(snapshot, filters, snapshot.participant_rows)
    return {
        "campaign": campaign,
        "snapshot": snapshot,
        "filters": filters,
        "kind_choices": kind_choices(snapshot),
        "group_choices": snapshot.groups,
        "submissions": submissions_of(units),
        "missing": not_reported(snapshot, units),
        "results": target_results(snapshot, filters, units),
    }


# --- drill-down -------------------------------------------------------------------------
@dataclass
class DrilldownRow:
    label: str
    result: object
    unit: object = None
    group: object = None
    report_id: int | None = None
    report_status: str | None = None
    earlier: list = field(default_factory=list)  # the predecessors' figures (PredecessorFigure)


@dataclass
class PredecessorFigure:
    """What a unit this one continues achieved on the same target in an earlier campaign."""

    name: str
    year: int
    result: object


def predecessor_figures(campaign, target):
    """unit id → [PredecessorFigure]: for each participant that continues earlier units (a
    commune of 2026 and the district of 2024 whose territory it took), the predecessor's
    result on the target of the same code in the latest earlier campaign it reported in."""
    links = list(
        CampaignUnit.predecessors.through.objects.filter(campaignunit__campaign=campaign).values_list(
            "campaignunit__unit_id", "unit_id"
        )
    )
    if not links:
        return {}
    earlier = (
        Campaign.objects.filter(
            directive_date__lt=campaign.directive_date,
            targets__code=target.code,
            units__unit_id__in={predecessor for _, predecessor in links},
            units__participant=True,
        )
        .order_by("-directive_date")
        .first()
    )
    if earlier is None:
        return {}
    snapshot = Snapshot(earlier)
    earlier_target = snapshot.target_by_code[target.code]
    figures = {}
    for unit_id, predecessor_id in links:
        unit = snapshot.unit_by_id.get(predecessor_id)
        if unit is None or not snapshot._in_scope(earlier_target, unit):
            continue
        figure = PredecessorFigure(unit.name, earlier.directive_date.year, snapshot.unit_result(earlier_target, unit))
        figures.setdefault(unit_id, []).append(figure)
    return figures


def target_drilldown(*, campaign, target_code, by=BY_UNIT, kind="", group="", snapshot=None):
    """One target across units, groups or unit kinds, with its chart. Returns None when the
    campaign has no such target; raises FilterError for unknown filters."""
    snapshot = snapshot or Snapshot(campaign)
    target = snapshot.target_by_code.get(target_code)
    if target is None:
        return None
    by = by if by in DRILLDOWN_AXES else BY_UNIT
    if by == BY_UNIT:
        snapshot.participants  # noqa: B018 — listed whole below; loaded first, the rows are taken from them
    filters = filters_from(snapshot, kind=kind, group=group)
    kinds = set(target.over_kinds) if target.over_kinds else None
    rows = []
    if by == BY_UNIT:
        earlier = predecessor_figures(campaign, target)
        for unit in sorted(units_in(snapshot, filters), key=lambda unit: name_key(unit.name)):
            if (kinds is None or unit.kind in kinds) and any(
                snapshot.reports_measure(unit, name) for name in target.parsed.names
            ):
                rows.append(
                    DrilldownRow(
                        label=unit.name,
                        result=snapshot.unit_result(target, unit),
                        unit=unit,
                        report_id=unit.report_id,
                        report_status=unit.report_status,
                        earlier=earlier.get(unit.pk, []),
                    )
                )
    elif by == BY_GROUP:
        for candidate in snapshot.groups:
            if filters.group is not None and candidate.pk != filters.group.pk:
                continue
            if kinds is not None and not any(snapshot.kind_of[unit_id] in kinds for unit_id in candidate.member_ids):
                continue
            rows.append(
                DrilldownRow(label=candidate.name, result=snapshot.group_result(target, candidate), group=candidate)
            )
    else:
        for value, label in kind_choices(snapshot):
            if (kinds is None or value in kinds) and (not filters.kind or value == filters.kind):
                rows.append(DrilldownRow(label=str(label), result=snapshot.kind_result(target, value, label)))
    province = snapshot.province_result(target)
    goals = {row.result.goal for row in rows}
    common_goal = goals.pop() if len(goals) == 1 else None
    items = [
        (row.label, row.result.value)
        if common_goal is not None or not rows
        else (row.label, row.result.value, row.result.goal)
        for row in rows
    ]
    unit_word = "%" if target.is_rate else target.unit_of_measure
    chart = mark_safe(
        bar_chart(
            title=f"{target.name} — {DRILLDOWN_AXES[by]}",
            items=items,
            goal=common_goal,
            unit=unit_word,
            description=str(_("Toàn tỉnh: %(value)s; mức: %(goal)s."))
            % {"value": province.display_value, "goal": format_goal(target, province.goal, province.due)},
            direction=target.direction,
        )
    )  # bar_chart escapes every label
    return {
        "campaign": campaign,
        "target": target,
        "by": by,
        "axes": DRILLDOWN_AXES,
        "filters": filters,
        "kind_choices": kind_choices(snapshot),
        "group_choices": snapshot.groups,
        "province": province,
        "rows": rows,
        "chart": chart,
        "common_goal": common_goal,
        "has_earlier": any(row.earlier for row in rows),
    }


# --- ranking ----------------------------------------------------------------------------
@dataclass
class RankedUnit:
    unit: object
    reported: bool
    goals: int
    reached: int
    average_share: Decimal | None
    rank: int = 0

    @property
    def reached_share(self):
        return Decimal(self.reached) * 100 / self.goals if self.goals else None

    def key(self):
        return (
            self.reported,
            self.reached_share if self.reached_share is not None else Decimal(-1),
            self.reached,
            self.average_share if self.average_share is not None else Decimal(-1),
        )


def name_key(name):
    """Sort Vietnamese names by their letters (Đ with D), ignoring tone marks first."""
    plain = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return ("".join(char for char in plain if not unicodedata.combining(char)).casefold(), name)


def rank_units(snapshot, units):
    """The units ranked by the rule in RANKING_TIE_RULE: share of their goals reached, then
    targets reached, then average progress; full ties share a rank and list by name."""
    ranked = []
    for unit in units:
        reported = unit.pk in snapshot.counted_unit_ids
        results = [
            snapshot.unit_result(target, unit)
            for target in snapshot.targets_for_unit(unit)
            if snapshot.goal_for_unit(target, unit) is not None
        ]
        shares = [result.share if result.share is not None else Decimal(0) for result in results]
        ranked.append(
            RankedUnit(
                unit=unit,
                reported=reported,
                goals=len(results),
                reached=sum(1 for result in results if result.status == REACHED) if reported else 0,
                average_share=(sum(shares) / len(shares)) if reported and shares else None,
            )
        )
    ranked.sort(key=lambda row: name_key(row.unit.name))
    ranked.sort(key=RankedUnit.key, reverse=True)
    for position, row in enumerate(ranked, start=1):
        previous = ranked[position - 2] if position > 1 else None
        row.rank = previous.rank if previous is not None and previous.key() == row.key() else position
    return ranked


def cluster_ranking(*, campaign, snapshot=None):
    """Each emulation cluster and block (Cụm / Khối) with its units ranked."""
    snapshot = snapshot or Snapshot(campaign)
    order = {UnitGroupKind.CLUSTER: 0, UnitGroupKind.BLOCK: 1}
    groups = sorted(
        (group for group in snapshot.groups if group.kind in order),
        key=lambda group: (order[group.kind], name_key(group.name)),
    )
    return {
        "campaign": campaign,
        "tie_rule": RANKING_TIE_RULE,
        "groups": [
            (group, rank_units(snapshot, [unit for unit in snapshot.participants if unit.pk in group.member_ids]))
            for group in groups
        ],
    }


# --- leader overview ------------------------------------------------------------------
@dataclass
class Card:
    title: str
    result: object = None  # the headline Result, when the card has one
    rows: list = field(default_factory=list)  # (label, Result) pairs shown under it
    target: object = None  # the drill-down target
    note: str = ""


def _single_measure_target(snapshot, target, single_codes):
    return len(target.parsed.names) == 1 and target.parsed.names[0] in single_codes


def leader_overview(*, campaign, snapshot=None):
    """Headline cards: each headline target of the campaign with its group goals and its
    component targets; the single-unit projects together in one card; the submissions."""
    snapshot = snapshot or Snapshot(campaign)
    single_codes = {measure.code for measure in snapshot.measures if measure.aggregation == Aggregation.SINGLE}
    cards, projects = [], []
    for target in snapshot.targets:
        if not target.headline:
            continue
        if _single_measure_target(snapshot, target, single_codes):
            projects.append((target.name, snapshot.province_result(target)))
            continue
        rows = [
            (goal.group.name, snapshot.group_result(target, snapshot.group_by_code[goal.group.code]))
            for goal in target.goals.all()
            if goal.group_id and goal.group.code in snapshot.group_by_code
        ]
        rows += [
            (other.name, snapshot.province_result(other)) for other in snapshot.targets if other.parent_id == target.pk
        ]
        cards.append(Card(title=target.name, result=snapshot.province_result(target), rows=rows, target=target))
    if projects:
        done = sum(1 for _label, result in projects if result.status == REACHED)
        cards.append(
            Card(
                title=str(_("Công trình, dự án trọng điểm")),
                rows=projects,
                note=str(_("%(done)s/%(total)s công trình hoàn thành")) % {"done": done, "total": len(projects)},
            )
        )
    summary = summary_latest_done(campaign)
    return {
        "campaign": campaign,
        "cards": cards,
        "submissions": submissions_of(snapshot.participant_rows),
        "summary": summary,
    }


# --- export -----------------------------------------------------------------------------
def _rounded(target, value):
    """A figure for a spreadsheet: rates to one decimal, as on the page."""
    if value is None:
        return None
    return round_half_up(value, 1) if target.is_rate else value


def dashboard_tables(data):
    """The dashboard as plain tables (title, headers, rows) for the Excel export: what the
    page shows with the same filters. Titles, headers and labels may be lazy strings."""
    submissions = data["submissions"]
    scope = data["filters"].label()
    targets = [
        (
            result.target.section.code,
            result.target.name,
            result.target.unit_of_measure,
            _rounded(result.target, result.value),
            None if result.goal is None else format_goal(result.target, result.goal, result.due),
            result.status.text,
            None if result.share is None else round_half_up(result.share, 1),
            result.coverage_text,
        )
        for result in data["results"]
    ]
    missing = [
        (
            row.unit.name,
            str(UnitKind(row.unit.kind).label),
            row.status_label,
            "; ".join(contact.name for contact in row.contacts),
            "; ".join(contact.email for contact in row.contacts if contact.email),
            "; ".join(contact.phone for contact in row.contacts if contact.phone),
        )
        for row in data["missing"]
    ]
    counts = [
        (_("Phạm vi"), scope),
        (_("Số đơn vị"), submissions.total),
        (_("Đã chấp nhận"), submissions.accepted),
        (_("Đã gửi, chờ duyệt"), submissions.submitted),
        (_("Bị trả lại"), submissions.returned),
        (_("Đang soạn"), submissions.draft),
        (_("Chưa bắt đầu"), submissions.not_started),
        (_("Gửi đúng hạn"), submissions.on_time),
        (_("Gửi muộn"), submissions.late),
        (_("Hạn gửi"), data["campaign"].unit_deadline),
    ]
    # Lazy strings are fine: reports.excel.write_table_sheet turns them into text.
    target_headers = [
        _("Phần"),
        _("Chỉ tiêu"),
        _("Đơn vị tính"),
        _("Kết quả"),
        _("Mức"),
        _("Đánh giá"),
        _("Tiến độ (%)"),
        _("Độ đầy đủ số liệu"),
    ]
    missing_headers = [_("Đơn vị"), _("Loại"), _("Tình trạng"), _("Cán bộ đầu mối"), _("Thư điện tử"), _("Điện thoại")]
    return [
        (_("Chỉ tiêu"), target_headers, targets),
        (_("Chưa báo cáo"), missing_headers, missing),
        (_("Tình hình gửi báo cáo"), [_("Mục"), _("Số")], counts),
    ]
