"""Unusual values, flagged the way DHIS2 flags outliers: never refused, confirmed by the officer,
shown to the reviewer.

A value is unusual when
- it is more than 10 × the median of the same measure among the campaign's other counted
  reports of units of the same kind (only when at least 3 of them gave a value above 0), or
- it is more than 5 × the value last saved for it in this report.

The report form asks the officer to confirm each unusual value before saving
(`outlier_warnings`, then `outlier_flags_save` after the save); the confirmation is kept on
the MeasureValue, so the report page and the review queue can flag it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median

from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from campaigns.models import CampaignUnit, UnitKind
from campaigns.numbers import format_vn_number, round_half_up
from campaigns.structure import campaign_structure

from .models import COUNTED_STATUSES, MeasureValue

PEER_FACTOR = Decimal(10)
MIN_PEERS = 3
JUMP_FACTOR = Decimal(5)

PEERS = "peers"
JUMP = "jump"

# The form's checkbox, one per flagged measure, its value the measure code.
CONFIRM_FIELD = "outlier_ok"


def _peers_phrase(kind):
    phrases = {
        UnitKind.DEPARTMENT: _("các sở, ban, ngành"),
        UnitKind.DISTRICT: _("các huyện"),
        UnitKind.COMMUNE: _("các xã"),
        UnitKind.ARMED_FORCES: _("các đơn vị lực lượng vũ trang"),
        UnitKind.SCHOOL: _("các trường"),
        UnitKind.ORGANISATION: _("các đoàn thể"),
    }
    return phrases.get(kind, _("các đơn vị cùng loại"))


@dataclass(frozen=True)
class Outlier:
    """Why a value is unusual: `reason` (PEERS or JUMP), how many times (`factor`) the
    `basis` it is (the peers' median, or the value last saved), and the unit kind whose
    peers were compared."""

    reason: str
    factor: Decimal
    basis: Decimal
    kind: str = ""

    @property
    def explanation(self):
        factor = format_vn_number(round_half_up(self.factor, 1))
        if self.reason == PEERS:
            return _("gấp %(factor)s lần trung vị của %(peers)s: %(basis)s") % {
                "factor": factor,
                "peers": _peers_phrase(self.kind),
                "basis": format_vn_number(self.basis),
            }
        return _("gấp %(factor)s lần giá trị đã lưu trước đó: %(basis)s") % {
            "factor": factor,
            "basis": format_vn_number(self.basis),
        }

    def as_json(self):
        return {"reason": self.reason, "factor": str(self.factor), "basis": str(self.basis), "kind": self.kind}

    @classmethod
    def from_json(cls, data):
        return cls(data["reason"], Decimal(data["factor"]), Decimal(data["basis"]), data.get("kind", ""))


def outliers_for(report, values, *, kind=None, last=None):
    """code → Outlier for each value in `values` (code → Decimal or None) that is unusual for
    `report`'s unit. The peers' rule is checked first (a yes/no value can meet neither rule).
    Three queries, whatever the number of values and peers; one when the caller knows the
    unit's `kind` in the campaign and the values `last` saved in the report (code → Decimal)."""
    numbers = {code: Decimal(value) for code, value in values.items() if value is not None}
    if not numbers:
        return {}
    checked = list(numbers)
    if kind is None:
        kind = (
            CampaignUnit.objects.filter(campaign_id=report.campaign_id, unit_id=report.unit_id)
            .values_list("kind", flat=True)
            .first()
        ) or report.unit.kind
    peers = defaultdict(list)
    for code, value in (
        MeasureValue.objects.filter(
            report__campaign_id=report.campaign_id,
            report__status__in=COUNTED_STATUSES,
            report__unit__campaign_units__campaign_id=report.campaign_id,
            report__unit__campaign_units__participant=True,
            report__unit__campaign_units__kind=kind,
            measure__code__in=checked,
            value__gt=0,
        )
        .exclude(report_id=report.pk)
        .values_list("measure__code", "value")
    ):
        peers[code].append(value)
    if last is None:
        last = dict(
            MeasureValue.objects.filter(report_id=report.pk, measure__code__in=checked, value__gt=0).values_list(
                "measure__code", "value"
            )
        )
    else:
        last = {code: value for code, value in last.items() if code in numbers and value is not None and value > 0}
    outliers = {}
    for code in checked:
        value = numbers[code]
        if len(peers[code]) >= MIN_PEERS:
            middle = median(peers[code])
            if value > PEER_FACTOR * middle:
                outliers[code] = Outlier(PEERS, value / middle, middle, kind)
                continue
        if code in last and value > JUMP_FACTOR * last[code]:
            outliers[code] = Outlier(JUMP, value / last[code], last[code], kind)
    return outliers


@dataclass
class OutlierCheck:
    """The outlier check of one save of the report form.

    `outliers`: every unusual value; `carried`: those already confirmed at the same value in
    an earlier save (not asked again); `confirmed`: those the officer ticked now; `pending`:
    those still to confirm (the form is shown again, nothing saved); `rows`: what the form
    shows, one per value to confirm or confirmed now."""

    values: dict
    outliers: dict
    carried: set
    confirmed: set
    pending: dict
    rows: list = field(default_factory=list)
    field_name: str = CONFIRM_FIELD


def outlier_warnings(report, cleaned_values, confirmed_codes=(), *, kind=None, last=None):
    """Check the values about to be saved from the report form (`cleaned_values`: code →
    Decimal or None). `confirmed_codes`: the codes whose "Tôi xác nhận số liệu này đúng"
    box is ticked. Save only when the result's `pending` is empty, then call
    `outlier_flags_save` with it. A fixed number of queries (`kind`, `last`: outliers_for)."""
    outliers = outliers_for(report, cleaned_values, kind=kind, last=last)
    confirmed = set(confirmed_codes) & set(outliers)
    carried = set()
    if outliers:
        for code, confirmed_value in MeasureValue.objects.filter(
            report_id=report.pk, measure__code__in=outliers, outlier_confirmed=True
        ).values_list("measure__code", "outlier_value"):
            if confirmed_value is not None and confirmed_value == cleaned_values.get(code):
                carried.add(code)
    shown = [code for code in outliers if code not in carried]
    check = OutlierCheck(
        values=dict(cleaned_values),
        outliers=outliers,
        carried=carried,
        confirmed=confirmed,
        pending={code: outliers[code] for code in shown if code not in confirmed},
    )
    if shown:
        measures = {code: measure.name for code, measure in campaign_structure(report.campaign).measure_by_code.items()}
        order = {code: index for index, code in enumerate(cleaned_values)}
        for code in sorted(shown, key=lambda code: order.get(code, 0)):
            words = {
                "name": measures.get(code, code),
                "value": format_vn_number(cleaned_values[code]),
                "explanation": outliers[code].explanation,
            }
            message = _("Giá trị bất thường: %(name)s = %(value)s (%(explanation)s) — kiểm tra lại hoặc xác nhận")
            check.rows.append({"code": code, "confirmed": code in confirmed, "message": message % words, **words})
    return check


def outlier_flags_save(*, report, check):
    """After the form's values are saved: keep the confirmation of each unusual value (on
    the value exactly as confirmed, so a later save by someone else is never flagged by
    mistake) and drop the flags of values that have changed. Two queries."""
    stored = MeasureValue.objects.filter(report_id=report.pk, measure__code__in=list(check.values)).select_related(
        "measure"
    )
    changed = []
    for mv in stored:
        code = mv.measure.code
        if code in check.carried:
            continue
        outlier = check.outliers.get(code)
        if outlier is not None and code in check.confirmed and mv.value == check.values[code]:
            mv.outlier_confirmed, mv.outlier_value, mv.outlier = True, mv.value, outlier.as_json()
            changed.append(mv)
        elif mv.outlier_confirmed and mv.value != mv.outlier_value:
            mv.outlier_confirmed, mv.outlier_value, mv.outlier = False, None, {}
            changed.append(mv)
    if changed:
        MeasureValue.objects.bulk_update(changed, ["outlier_confirmed", "outlier_value", "outlier"])


def confirmed_outlier(stored):
    """The Outlier the officer confirmed for a stored MeasureValue, if it still holds its
    confirmed value; else None. No query."""
    if stored is None or not stored.outlier_confirmed or stored.value is None:
        return None
    if stored.outlier_value != stored.value or not stored.outlier:
        return None
    return Outlier.from_json(stored.outlier)


def with_outlier_counts(reports):
    """The reports annotated with `outlier_count`: how many confirmed unusual values each
    holds (for the review queue), in the same query."""
    flagged = (
        MeasureValue.objects.filter(report=OuterRef("pk"), outlier_confirmed=True, value=F("outlier_value"))
        .order_by()
        .values("report")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return reports.annotate(outlier_count=Coalesce(Subquery(flagged, output_field=IntegerField()), Value(0)))
