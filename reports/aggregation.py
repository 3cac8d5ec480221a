"""The one place results are computed (dashboards, exports, PDFs and the report form use it).

The rule (DESIGN.md): aggregate measures first — sum over the units in the target's scope —
then apply the formula. A provincial rate is Σ numerator / Σ denominator × 100, never the
mean of the units' percentages. Only submitted and accepted reports count. Division by zero
or a measure nobody reported gives None ("no data").

Coverage: a target's inputs are summed only over the units that gave every input of the
target they are expected to report, so a unit with 900 records but "no data" for records
online counts in neither sum (it would turn 90 % into 9 %). Each provincial, kind and group
figure says how many units it rests on (`Result.coverage_text`).

`Snapshot` loads a campaign's structure and its counted sums in a fixed number of queries,
whatever the number of units: which inputs each counted unit gave (one row a unit, the
database folds its values into bit masks), then sums per (unit kind, measure) and per
(group, unit kind, measure), computed by the database with the units that did not give
every input kept apart; per-unit values are loaded once, on first use.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import BigIntegerField, Case, F, FilteredRelation, IntegerField, Q, Sum, Value, When
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns.models import Direction, GoalScope, Target, Unit, UnitKind
from campaigns.numbers import format_vn_number, round_half_up
from campaigns.structure import campaign_structure

from .models import COUNTED_STATUSES, MeasureValue, UnitReport

NEAR = Decimal("0.95")
BEHIND = Decimal("0.60")
MASK_BITS = 62  # inputs per bit mask: a sum of distinct powers of two below 2**62 fits a signed 64-bit integer


@dataclass(frozen=True)
class Status:
    code: str
    label: str
    colour: str  # Bootstrap contextual colour
    icon: str  # a text glyph, so status is never shown by colour alone
    rank: int  # for sorting: higher is better
    # An in-progress status also says how far along it is and by when; not part of its identity.
    progress: Decimal | None = field(default=None, compare=False)
    due: int | None = field(default=None, compare=False)

    @property
    def note(self):
        """What the label leaves out: "đạt 57 % chỉ tiêu đến năm 2025" (empty for other statuses).
        The share is rounded down, so a goal not yet reached never reads "đạt 100 %"."""
        if self.progress is None or self.due is None:
            return ""
        share = format_vn_number(self.progress.quantize(Decimal(1), rounding=ROUND_DOWN), 0)
        return gettext("đạt %(share)s %% chỉ tiêu đến năm %(year)s") % {"share": share, "year": self.due}

    @property
    def text(self):
        """The label with its note, for print and spreadsheets."""
        return f"{self.label} ({self.note})" if self.note else str(self.label)


REACHED = Status("reached", _("Đạt"), "success", "✔", 6)
NEAR_REACHED = Status("near", _("Gần đạt"), "info", "◕", 5)
# A goal due after the campaign's reporting year, not reached yet: progress, never "Chưa đạt".
IN_PROGRESS = Status("in_progress", _("Đang thực hiện"), "primary", "↗", 4)
SPEED_UP = Status("speed_up", _("Cần đẩy nhanh"), "warning", "◑", 3)
NOT_REACHED = Status("not_reached", _("Chưa đạt"), "danger", "✘", 2)
NO_GOAL = Status("no_goal", _("Không đặt mức"), "secondary", "—", 1)
NO_DATA = Status("no_data", _("Chưa có số liệu"), "light", "?", 0)
STATUSES = (REACHED, NEAR_REACHED, IN_PROGRESS, SPEED_UP, NOT_REACHED, NO_GOAL, NO_DATA)


def goal_status(value, goal, direction=Direction.AT_LEAST, *, due=None, year=None):
    """Where a value stands against its goal. "At most" goals are mirrored: the ratio is
    goal / value, so being under the ceiling is reached.

    A goal due after `year` (the campaign's reporting year) and not reached yet is
    IN_PROGRESS, carrying its share (goal_share, so ceiling / value for "at most") and its
    due year; from the due year on it is judged as usual."""
    status = _judged(value, goal, direction)
    if status in (NEAR_REACHED, SPEED_UP, NOT_REACHED) and due is not None and year is not None and year < due:
        return replace(IN_PROGRESS, progress=goal_share(value, goal, direction), due=due)
    return status


def _judged(value, goal, direction):
    if value is None:
        return NO_DATA
    if goal is None:
        return NO_GOAL
    value, goal = Decimal(value), Decimal(goal)
    if direction == Direction.AT_MOST:
        if value <= goal:
            return REACHED
        ratio = goal / value if value > 0 else Decimal(0)
    else:
        if value >= goal:
            return REACHED
        ratio = value / goal if goal > 0 else Decimal(0)
    if ratio >= NEAR:
        return NEAR_REACHED
    if ratio >= BEHIND:
        return SPEED_UP
    return NOT_REACHED


def goal_share(value, goal, direction=Direction.AT_LEAST):
    """Progress towards the goal as a percentage capped to 0–100 (for progress bars)."""
    if value is None or goal is None:
        return None
    value, goal = Decimal(value), Decimal(goal)
    if direction == Direction.AT_MOST:
        share = Decimal(100) if value <= goal else (goal / value * 100 if value > 0 else Decimal(0))
    else:
        share = Decimal(100) if goal <= 0 or value >= goal else value / goal * 100
    return max(Decimal(0), min(Decimal(100), share))


@dataclass
class Result:
    """A target's figure for one scope (the province, a unit kind, a group or one unit).

    An aggregate figure carries its coverage: `coverage_expected` is the number of the scope's
    participants expected to report the target's inputs, whether or not their report counts
    yet; `coverage_complete` the number of them whose counted report gave every one of those
    inputs, the units the figure is summed over. The denominator is the whole scope, not the
    counted reports, because the figure speaks for the whole scope ("Toàn tỉnh"): a unit that
    has not reported is as absent from it as one that marked "no data", and the reviewer must
    see both before quoting it. Both are None on a unit's own figure.
    """

    target: Target
    value: Decimal | None
    goal: Decimal | None
    status: Status
    share: Decimal | None
    scope_label: str = ""
    due: int | None = None  # the year the goal is due, when the campaign file names one
    coverage_complete: int | None = None
    coverage_expected: int | None = None

    @property
    def display_value(self):
        return format_value(self.target, self.value)

    @property
    def coverage_text(self):
        """The coverage as shown: "12/14 đơn vị có đủ số liệu"; "" on a unit's own figure or
        when nobody in the scope is expected to report the target."""
        if not self.coverage_expected:
            return ""
        return gettext("%(complete)s/%(expected)s đơn vị có đủ số liệu") % {
            "complete": format_vn_number(self.coverage_complete, 0),
            "expected": format_vn_number(self.coverage_expected, 0),
        }

    @property
    def display_goal(self):
        return format_value(self.target, self.goal) if self.goal is not None else str(NO_GOAL.label).lower()


def format_value(target, value):
    """A target's value as shown everywhere: rates to one decimal (half-up), counts whole."""
    if value is None:
        return str(NO_DATA.label).lower()
    if target.is_rate:
        return format_vn_number(value, 1)
    rounded = round_half_up(value, 1)
    return format_vn_number(rounded, 0 if rounded == rounded.to_integral_value() else 1)


def format_goal(target, goal, due=None, *, with_unit=False):
    """A goal as every table shows it: its direction, the figure and the year it is due —
    "≥ 90,0", "≤ 5,0 %", "≥ 3.868.370 cây (đến 2025)". `with_unit` where no column
    gives the unit of measure. No goal reads "không đặt mức"."""
    if goal is None:
        return str(NO_GOAL.label).lower()
    text = f"{Direction(target.direction).sign} {format_value(target, goal)}"
    if with_unit and target.unit_of_measure:
        text += f" {target.unit_of_measure}"
    if due is not None:
        text += " " + gettext("(đến %(year)s)") % {"year": due}
    return text


@dataclass(frozen=True)
class Standing:
    """Where a unit stands towards the targets: its kind, the inputs it is expected to report
    and those its counted report left without a value. Units that stand the same weigh the
    same in every figure, so the database sums them together and sums apart only the units
    that stand apart from the rest of their kind."""

    kind: str
    inputs: frozenset  # the target inputs (measure codes) it is expected to report
    missing: frozenset | None  # those its counted report gave no value for; None: no counted report

    def in_scope(self, target):
        """Expected to report some input of `target`, in a unit kind the target is computed over."""
        return (not target.over_kinds or self.kind in target.over_kinds) and not self.inputs.isdisjoint(
            target.parsed.names
        )

    def complete_for(self, target):
        """Its counted report gave every input of `target` it is expected to report."""
        return self.missing is not None and self.missing.isdisjoint(target.parsed.names)


class Participant(NamedTuple):
    """A participant as counting needs it: no model instance and no submission time (turning
    2.000 of those into datetimes took as long as the rest), so a province of 2.000 units is
    read in a few milliseconds. `Snapshot.unit_for` gives the unit itself."""

    pk: int
    code: str
    name: str  # as in the campaign, like kind, head_title, parent_id and document_symbol
    kind: str
    head_title: str
    parent_id: int | None
    document_symbol: str
    report_id: int | None
    report_status: str | None
    report_is_late: bool | None


@dataclass(frozen=True)
class Figure:
    """An aggregate figure and its coverage (see Result)."""

    value: Decimal | None
    complete: int
    expected: int


class Snapshot:
    """A campaign's counted figures at one moment.

    Structure and sums load lazily, each in one query, so a page that uses a Snapshot makes
    the same number of queries for 20 units or 2.000.
    """

    def __init__(self, campaign, *, statuses=COUNTED_STATUSES):
        self.campaign = campaign
        self.statuses = tuple(statuses)

    # --- structure (campaigns.structure: cached per process, rebuilt when the campaign changes)
    @cached_property
    def structure(self):
        return campaign_structure(self.campaign)

    @cached_property
    def targets(self):
        return list(self.structure.targets)

    @cached_property
    def target_by_code(self):
        return self.structure.target_by_code

    @cached_property
    def measures(self):
        return list(self.structure.measures)

    @cached_property
    def measure_by_id(self):
        return self.structure.measure_by_id

    @cached_property
    def reporters(self):
        """measure code → (unit kinds, unit ids) expected to report it."""
        return self.structure.reporters

    @cached_property
    def code_by_measure_id(self):
        return self.structure.code_by_measure_id

    def reports_measure(self, unit, code):
        """True when `unit` is expected to report measure `code`."""
        kinds, units = self.reporters.get(code, ((), ()))
        return unit.kind in kinds or unit.pk in units

    @cached_property
    def participant_queryset(self):
        return self.campaign.participants()

    @cached_property
    def participants(self):
        """The campaign's units, each annotated with its report in the campaign (`report_id`,
        `report_status`, `report_is_late`, `report_submitted_at`; None when not started),
        in one query."""
        return list(
            self.participant_queryset.annotate(
                campaign_report=FilteredRelation("reports", condition=Q(reports__campaign=self.campaign)),
                report_id=F("campaign_report__id"),
                report_status=F("campaign_report__status"),
                report_is_late=F("campaign_report__is_late"),
                report_submitted_at=F("campaign_report__submitted_at"),
            )
        )

    @cached_property
    def participant_rows(self):
        """The participants as Participant rows, in the campaign's order: taken from
        `participants` when those are loaded, else read in one query of plain values."""
        if "participants" in self.__dict__:
            return [
                Participant(
                    unit.pk,
                    unit.code,
                    unit.name,
                    unit.kind,
                    unit.head_title,
                    unit.parent_id,
                    unit.document_symbol,
                    unit.report_id,
                    unit.report_status,
                    unit.report_is_late,
                )
                for unit in self.participants
            ]
        rows = self.participant_queryset.annotate(
            campaign_report=FilteredRelation("reports", condition=Q(reports__campaign=self.campaign))
        ).values_list(
            "pk",
            "code",
            "as_in_name",
            "as_in_kind",
            "as_in_head_title",
            "as_in_parent_id",
            "as_in_document_symbol",
            "campaign_report__id",
            "campaign_report__status",
            "campaign_report__is_late",
        )
        return [Participant(*row) for row in rows]

    def unit_for(self, row):
        """The Unit of a Participant row, read as in the campaign, with the row's report_id,
        report_status and report_is_late (no query; its other fields load on first use)."""
        unit = Unit.from_db(self.participant_queryset.db, ["id", "code"], [row.pk, row.code])
        unit.read_as(
            name=row.name,
            kind=row.kind,
            head_title=row.head_title,
            parent_id=row.parent_id,
            document_symbol=row.document_symbol,
        )
        unit.report_id, unit.report_status, unit.report_is_late = row.report_id, row.report_status, row.report_is_late
        return unit

    @cached_property
    def unit_by_id(self):
        return {unit.pk: unit for unit in self.participants}

    @cached_property
    def kind_of(self):
        """Participant id → its unit kind in the campaign."""
        return {row.pk: row.kind for row in self.participant_rows}

    @cached_property
    def groups(self):
        """The unit groups with at least one participant, each with `member_ids`."""
        return list(self.structure.groups)

    @cached_property
    def group_by_code(self):
        return {group.code: group for group in self.groups}

    @cached_property
    def groups_of_unit(self):
        groups = defaultdict(list)
        for group in self.groups:
            for unit_id in group.member_ids:
                groups[unit_id].append(group)
        return groups

    @cached_property
    def reports(self):
        """Every report of the campaign by unit id, whatever its status."""
        return {
            report.unit_id: report
            for report in UnitReport.objects.filter(campaign=self.campaign).select_related(
                "submitted_by", "reviewed_by"
            )
        }

    @cached_property
    def counted_unit_ids(self):
        return {row.pk for row in self.participant_rows if row.report_status in self.statuses}

    # --- coverage: which inputs each unit gave ------------------------------------------
    @cached_property
    def input_codes(self):
        """The measure codes some target's formula uses."""
        return frozenset(name for target in self.targets for name in target.parsed.names)

    @cached_property
    def _inputs_by_kind(self):
        """unit kind → the inputs every unit of that kind is expected to report."""
        by_kind = defaultdict(set)
        for code, (kinds, _units) in self.reporters.items():
            if code in self.input_codes:
                for kind in kinds:
                    by_kind[kind].add(code)
        return {kind: frozenset(codes) for kind, codes in by_kind.items()}

    @cached_property
    def _inputs_by_unit(self):
        """unit id → the inputs the campaign file names that unit for (a project, a forest cover)."""
        by_unit = defaultdict(set)
        for code, (_kinds, units) in self.reporters.items():
            if code in self.input_codes:
                for unit_id in units:
                    by_unit[unit_id].add(code)
        return by_unit

    @cached_property
    def _input_bits(self):
        """The measures some target uses, in chunks of MASK_BITS: [[(measure id, code), …], …];
        a measure's bit in its chunk's mask is its place in the chunk."""
        inputs = sorted((pk, code) for pk, code in self.code_by_measure_id.items() if code in self.input_codes)
        return [inputs[start : start + MASK_BITS] for start in range(0, len(inputs), MASK_BITS)]

    @cached_property
    def _given_masks(self):
        """Counted unit id → one bit mask per chunk of `_input_bits`: the inputs its report gave
        a value for ("no data" and empty values are not given). One query, one row a unit: each
        value adds its measure's bit, and a report has one value a measure, so the sum is the
        mask."""
        if not self._input_bits:
            return {}
        # Written out rather than built from When() objects: compiling those cost more than
        # running the query. Every number in it is a measure id or a power of two.
        column = f"{connection.ops.quote_name(MeasureValue._meta.db_table)}.{connection.ops.quote_name('measure_id')}"
        masks = {
            f"mask_{number}": Sum(
                RawSQL(
                    f"CASE {column} "
                    + " ".join(f"WHEN {int(pk)} THEN {1 << bit}" for bit, (pk, _code) in enumerate(chunk))
                    + " ELSE 0 END",
                    (),
                    output_field=BigIntegerField(),
                )
            )
            for number, chunk in enumerate(self._input_bits)
        }
        rows = (
            self._counted_values()
            .values_list("report__unit_id")
            .annotate(**masks)
            .values_list("report__unit_id", *masks)
            .order_by()
        )
        return {unit_id: tuple(int(mask or 0) for mask in masks) for unit_id, *masks in rows}

    def _codes_in(self, masks):
        return frozenset(
            code
            for chunk, mask in zip(self._input_bits, masks, strict=True)
            for bit, (_pk, code) in enumerate(chunk)
            if mask >> bit & 1
        )

    @cached_property
    def standing_of(self):
        """Participant id → its Standing (equal standings are one object). Units of one kind
        that gave the same inputs stand the same, so each standing is worked out once."""
        standings, by_key, known = {}, {}, {}
        counted, given = self.counted_unit_ids, self._given_masks
        nothing = (0,) * len(self._input_bits)
        for row in self.participant_rows:
            own = self._inputs_by_unit.get(row.pk)
            masks = given.get(row.pk, nothing) if row.pk in counted else None
            key = (row.kind, frozenset(own) if own else None, masks)
            standing = by_key.get(key)
            if standing is None:
                expected = self._inputs_by_kind.get(row.kind, frozenset()) | frozenset(own or ())
                missing = None if masks is None else expected - self._codes_in(masks)
                standing = Standing(row.kind, expected, missing)
                standing = by_key[key] = known.setdefault(standing, standing)
            standings[row.pk] = standing
        return standings

    def _as_its_kind(self, kind):
        """The standing of a counted unit that reports what its kind reports and gave all of it."""
        return Standing(kind, self._inputs_by_kind.get(kind, frozenset()), frozenset())

    @cached_property
    def _apart(self):
        """The standings of the counted units that cannot be summed with the rest of their kind
        (they left an input out, or the campaign file names them for a measure), numbered:
        (list of Standing, {number: unit ids})."""
        standings, numbers, units = [], {}, defaultdict(list)
        for unit_id in sorted(self.counted_unit_ids):
            standing = self.standing_of[unit_id]
            if standing == self._as_its_kind(standing.kind):
                continue
            if standing not in numbers:
                numbers[standing] = len(standings)
                standings.append(standing)
            units[numbers[standing]].append(unit_id)
        return standings, units

    @cached_property
    def _province_standings(self):
        return Counter(self.standing_of.values())

    def _kind_standings(self, kind):
        return Counter({standing: n for standing, n in self._province_standings.items() if standing.kind == kind})

    @cached_property
    def _group_standings(self):
        """group id → its participants counted by Standing."""
        return {group.pk: Counter(self.standing_of[unit_id] for unit_id in group.member_ids) for group in self.groups}

    # --- sums, computed by the database ----------------------------------------------
    def _counted_values(self):
        """Counted values of the campaign's participants, joined once to the unit as it was in
        this campaign (`report__unit__campaign_units`), so sums go by the campaign's kinds."""
        return MeasureValue.objects.filter(
            report__campaign=self.campaign,
            report__status__in=self.statuses,
            report__unit__campaign_units__campaign=self.campaign,
            report__unit__campaign_units__participant=True,
            value__isnull=False,
        )

    def _sums(self, *keys):
        """Counted values summed by `keys`, the unit's kind in the campaign, its standing's
        number in `_apart` (None: summed as its kind) and the measure."""
        standings, units = self._apart
        apart = Case(
            *(When(report__unit_id__in=unit_ids, then=Value(number)) for number, unit_ids in units.items()),
            default=Value(None),
            output_field=IntegerField(),
        )
        rows = (
            self._counted_values()
            .annotate(apart=apart)
            .values_list(*keys, "report__unit__campaign_units__kind", "apart", "measure_id")
            .annotate(total=Sum("value"))
            .order_by()
        )
        for *key, kind, number, measure_id, total in rows:
            standing = self._as_its_kind(kind) if number is None else standings[number]
            yield *key, standing, self.code_by_measure_id[measure_id], total

    @cached_property
    def sums_by_kind(self):
        """unit kind → measure code → [(Standing, sum)]."""
        sums = defaultdict(lambda: defaultdict(list))
        for standing, code, total in self._sums():
            sums[standing.kind][code].append((standing, total))
        return sums

    @cached_property
    def sums_by_group(self):
        """group id → measure code → [(Standing, sum)]. A unit in two groups counts in both."""
        sums = defaultdict(lambda: defaultdict(list))
        own = {group.pk for group in self.groups}  # a unit's groups of other campaigns do not count here
        for group_id, standing, code, total in self._sums("report__unit__groups"):
            if group_id in own:
                sums[group_id][code].append((standing, total))
        return sums

    @cached_property
    def _province_sums(self):
        sums = defaultdict(list)
        for by_code in self.sums_by_kind.values():
            for code, rows in by_code.items():
                sums[code].extend(rows)
        return sums

    @cached_property
    def unit_values(self):
        """unit id → {measure code: value} for counted reports (one query)."""
        values = defaultdict(dict)
        for unit_id, code, value in self._counted_values().values_list("report__unit_id", "measure__code", "value"):
            values[unit_id][code] = value
        return values

    # --- results ---------------------------------------------------------------------
    def _kinds_of(self, target):
        return set(target.over_kinds) if target.over_kinds else None

    def _in_scope(self, target, unit):
        kinds = self._kinds_of(target)
        return kinds is None or unit.kind in kinds

    def _figure(self, target, sums, standings):
        """`target` over one scope: `sums` are the scope's counted sums (code → [(Standing,
        sum)]), `standings` counts its participants by Standing. Only the units that gave
        every input they are expected to report are summed; a measure none of them is expected
        to report counts as 0 (a department plants no forest); no such unit: no data."""
        expected = complete = 0
        for standing, count in standings.items():
            if standing.in_scope(target):
                expected += count
                if standing.complete_for(target):
                    complete += count
        if not complete:
            return Figure(None, complete, expected)
        values = dict.fromkeys(target.parsed.names, Decimal(0))
        for name in values:
            for standing, total in sums.get(name, ()):
                if name in standing.inputs and standing.in_scope(target) and standing.complete_for(target):
                    values[name] += total
        return Figure(target.parsed.evaluate(values), complete, expected)

    def province_figure(self, target):
        return self._figure(target, self._province_sums, self._province_standings)

    def kind_figure(self, target, kind):
        return self._figure(target, self.sums_by_kind.get(kind, {}), self._kind_standings(kind))

    def group_figure(self, target, group):
        return self._figure(target, self.sums_by_group.get(group.pk, {}), self._group_standings[group.pk])

    def value_for_province(self, target):
        return self.province_figure(target).value

    def value_for_kind(self, target, kind):
        return self.kind_figure(target, kind).value

    def value_for_group(self, target, group):
        return self.group_figure(target, group).value

    def value_for_unit(self, target, unit, values=None):
        """A unit's own figure: the same formula applied to its own measures. `values` may
        give the unit's values directly (the report form shows a draft's own figures). A
        measure the unit does not report counts as 0; one it reports but left empty is "no
        data"."""
        if not self._in_scope(target, unit):
            return None
        own = values if values is not None else self.unit_values.get(unit.pk, {})
        names = target.parsed.names
        if not any(own.get(name) is not None for name in names):
            return None
        return target.parsed.evaluate(
            {
                name: own.get(name) if own.get(name) is not None or self.reports_measure(unit, name) else Decimal(0)
                for name in names
            }
        )

    # --- goals: most specific first ----------------------------------------------------
    # A rate's goal holds for every part of its scope (each district ≥ 80 %), so a unit
    # inherits its group's, kind's or the province's rate goal. A total's goal (3.868.370
    # trees) is for the scope it is set on only: a unit never inherits the province total.
    # The *_goal methods give the Goal (its value and the year it is due); goal_for_* its value.
    def _goals(self, target, scope):
        return [goal for goal in target.goals.all() if goal.scope == scope]

    def _single_kind(self, target):
        kinds = self._kinds_of(target)
        return next(iter(kinds)) if kinds is not None and len(kinds) == 1 else None

    def province_goal(self, target):
        goals = self._goals(target, GoalScope.PROVINCE)
        if goals:
            return goals[0]
        kind = self._single_kind(target)
        if kind is not None:
            for goal in self._goals(target, GoalScope.KIND):
                if goal.unit_kind == kind:
                    return goal
        return None

    def kind_goal(self, target, kind):
        for goal in self._goals(target, GoalScope.KIND):
            if goal.unit_kind == kind:
                return goal
        if target.is_rate or self._single_kind(target) == kind:
            return self.province_goal(target)
        return None

    def group_goal(self, target, group):
        for goal in self._goals(target, GoalScope.GROUP):
            if goal.group_id == group.pk:
                return goal
        if not target.is_rate:
            return None
        kinds = {self.kind_of[unit_id] for unit_id in group.member_ids}
        if len(kinds) == 1:
            return self.kind_goal(target, kinds.pop())
        return self.province_goal(target)

    def unit_goal(self, target, unit):
        for goal in self._goals(target, GoalScope.UNIT):
            if goal.unit_id == unit.pk:
                return goal
        if not target.is_rate:
            return None
        unit_groups = {group.pk for group in self.groups_of_unit.get(unit.pk, [])}
        group_goals = sorted(
            (goal for goal in self._goals(target, GoalScope.GROUP) if goal.group_id in unit_groups),
            key=lambda goal: goal.group.code,
        )
        if group_goals:
            return group_goals[0]
        return self.kind_goal(target, unit.kind)

    def goal_for_province(self, target):
        return _value_of(self.province_goal(target))

    def goal_for_kind(self, target, kind):
        return _value_of(self.kind_goal(target, kind))

    def goal_for_group(self, target, group):
        return _value_of(self.group_goal(target, group))

    def goal_for_unit(self, target, unit):
        return _value_of(self.unit_goal(target, unit))

    def _result(self, target, value, goal, label, figure=None):
        # The status is judged on the figure as shown (one decimal, half-up), so a rate
        # shown as 90,0 against a goal of 90 reads "đạt", never "gần đạt".
        shown = None if value is None else round_half_up(value, 1)
        amount, due = (None, None) if goal is None else (goal.value, goal.due)
        return Result(
            target=target,
            value=value,
            goal=amount,
            status=goal_status(shown, amount, target.direction, due=due, year=self.campaign.reporting_year),
            share=goal_share(value, amount, target.direction),
            scope_label=label,
            due=due,
            coverage_complete=None if figure is None else figure.complete,
            coverage_expected=None if figure is None else figure.expected,
        )

    def _aggregate_result(self, target, figure, goal, label):
        return self._result(target, figure.value, goal, label, figure)

    def province_result(self, target):
        return self._aggregate_result(target, self.province_figure(target), self.province_goal(target), _("Toàn tỉnh"))

    def kind_result(self, target, kind, label=""):
        return self._aggregate_result(
            target, self.kind_figure(target, kind), self.kind_goal(target, kind), label or UnitKind(kind).label
        )

    def group_result(self, target, group):
        return self._aggregate_result(
            target, self.group_figure(target, group), self.group_goal(target, group), group.name
        )

    def unit_result(self, target, unit, values=None):
        return self._result(target, self.value_for_unit(target, unit, values), self.unit_goal(target, unit), unit.name)

    def province_results(self):
        return [self.province_result(target) for target in self.targets]

    def targets_for_unit(self, unit):
        """The targets a unit's own figures apply to: in its scope, with a measure it reports."""
        return [
            target
            for target in self.targets
            if self._in_scope(target, unit) and any(self.reports_measure(unit, name) for name in target.parsed.names)
        ]


def _value_of(goal):
    return None if goal is None else goal.value


def measures_for_unit(measures, unit):
    """The measures a unit reports: its kind is listed, or the unit itself is."""
    return [
        measure
        for measure in measures
        if unit.kind in measure.reporter_kinds
        or any(reporter.pk == unit.pk for reporter in measure.reporter_units.all())
    ]
