"""Plausible sample reports for the demo campaigns, made through the real services and
workflow so every report has a true history. Deterministic (each unit's figures come from a
random generator seeded with the unit's code) and idempotent (a unit that already has a
report is left alone)."""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from campaigns.models import Profile, Role, UnitKind

from .models import ReportStatus, UnitReport
from .services import report_get_or_create, report_measures, report_save_values
from .workflow import report_accept, report_return, report_submit

SEED = 1908

# Where each demo unit stands. Units not listed are accepted or submitted (by their seed).
NOT_STARTED = ("so-ngoai-vu", "hoi-ccb", "h-nam-po")  # and so-noi-vu, which has no officer
DRAFTS = ("so-vhttdl", "thanh-tra", "h-muong-nhe")
RETURNED = {
    "h-muong-ang": "Số hộ nghèo cuối kỳ chưa khớp với kết quả rà soát hộ nghèo năm 2024 của huyện; "
    "đề nghị kiểm tra lại và gửi kèm quyết định công nhận kết quả rà soát.",
    "so-khcn": "Số hồ sơ xử lý trên môi trường mạng cao hơn số liệu trên hệ thống quản lý văn bản; "
    "đề nghị rà soát lại.",
}
SUBMITTED = ("tp-dien-bien-phu", "so-y-te", "hoi-lhpn")  # waiting for review, whatever the seed says
LATE = ("h-tua-chua", "tinh-doan")


@dataclass(frozen=True)
class Plan:
    """Where each demo unit of one campaign stands."""

    not_started: tuple = ()
    drafts: tuple = ()
    returned: dict = field(default_factory=dict)
    submitted: tuple = ()
    late: tuple = ()


PLANS = {
    "1908-UBND-KSTT": Plan(NOT_STARTED, DRAFTS, RETURNED, SUBMITTED, LATE),
    "2026-KH-UBND": Plan(
        not_started=("x-sin-thau", "x-phinh-giang", "so-ngoai-vu"),
        drafts=("x-muong-toong", "x-tia-dinh", "so-dttg"),
        returned={
            "x-tuan-giao": "Số hộ nghèo cuối kỳ chưa khớp với kết quả rà soát năm 2026 của xã; đề nghị kiểm tra lại.",
            "so-xay-dung": "Tỷ lệ giải phóng mặt bằng chưa có biên bản bàn giao kèm theo; đề nghị bổ sung minh chứng.",
        },
        submitted=("p-dien-bien-phu", "x-muong-ang", "so-y-te"),
        late=("x-muong-nhe", "x-na-hy"),
    ),
}

# Infrastructure projects, percent complete.
PROJECTS = {
    "project_road_ql279_ql12": 86,
    "project_guesthouse": 100,
    "project_stadium": 100,
    "project_relic_sites": 93,
    "project_him_lam": 100,
    "project_memorial_house": 78,
    "project_hanoi_dbp_school": 100,
    "project_urban_upgrade": 64,
}

NARRATIVE = (
    "Đơn vị đã quán triệt, triển khai {citation} đến toàn thể cán bộ, công chức, viên chức "
    "và người lao động; xây dựng kế hoạch tổ chức các phong trào thi đua {title}."
)


# What units write besides the figures: a difficulty, a lesson, a proposal; each unit a few.
DIFFICULTIES = (
    "Khó khăn: địa bàn rộng, giao thông chia cắt vào mùa mưa nên việc tổ chức các hoạt động còn chậm.",
    "Nguyên nhân một số chỉ tiêu chưa đạt là nguồn kinh phí được giao muộn.",
    "Khó khăn: đội ngũ cán bộ làm công tác thi đua còn kiêm nhiệm, thường xuyên thay đổi.",
)
LESSONS = (
    "Bài học kinh nghiệm: phát động sớm, giao chỉ tiêu cụ thể đến từng cơ quan, đơn vị.",
    "Kinh nghiệm cho thấy việc kiểm tra, đôn đốc thường xuyên giúp các chỉ tiêu hoàn thành đúng hạn.",
)
PROPOSALS = (
    "Kiến nghị UBND tỉnh bố trí kinh phí khen thưởng kịp thời cho các tập thể, cá nhân tiêu biểu.",
    "Đề nghị Sở Nội vụ hướng dẫn thống nhất hồ sơ đề nghị khen thưởng theo chính quyền hai cấp.",
)


def demo_narrative(campaign, unit):
    """A unit's narrative: the common opening, then what this unit found hard, learnt or asks."""
    rng = random.Random(f"narrative-{unit.code}")
    text = NARRATIVE.format(citation=campaign.directive_citation, title=campaign.title[:1].lower() + campaign.title[1:])
    extra = [rng.choice(DIFFICULTIES)] if rng.random() < 0.5 else []
    extra += [rng.choice(LESSONS)] if rng.random() < 0.3 else []
    extra += [rng.choice(PROPOSALS)] if rng.random() < 0.3 else []
    return " ".join([text, *extra])


def demo_values(unit, measures, rng):
    """Figures for one unit that respect every validation rule (parts ≤ wholes, percents ≤ 100)."""
    district = unit.kind == UnitKind.DISTRICT
    commune = unit.kind == UnitKind.COMMUNE

    def between(low, high):
        return rng.randint(low, high)

    def part(whole, low, high):
        return min(whole, int(whole * rng.uniform(low, high)))

    households = between(1_500, 9_000) if commune else between(9_000, 42_000)
    poor_start = part(households, 0.18, 0.45)
    poor_end = max(0, poor_start - int(households * rng.uniform(0.025, 0.075)))
    ethnic = part(households, 0.70, 0.95)
    ethnic_start = min(ethnic, part(poor_start, 0.85, 0.98))
    ethnic_end = max(0, ethnic_start - int(ethnic * rng.uniform(0.03, 0.08)))
    records = between(1_500, 9_000) if not district else between(6_000, 24_000)
    commune_records = between(8_000, 40_000)
    managers = between(8, 45) if not district else between(60, 180)
    received = between(4, 40) if not district else between(30, 160)
    checked = between(40_000, 160_000)
    candidates = {
        "households_total": households,
        "poor_households_start": poor_start,
        "poor_households_end": poor_end,
        "ethnic_households_total": ethnic,
        "ethnic_poor_households_start": ethnic_start,
        "ethnic_poor_households_end": ethnic_end,
        "temporary_houses_removed": between(60, 900),
        "records_total": records,
        "records_online": part(records, 0.78, 0.995),
        "records_late": part(records, 0.005, 0.07),
        "admin_procedures_received": between(300, 6_000),
        "project_expressway_site_clearance": 72,
        "commune_records_total": commune_records,
        "commune_records_online": part(commune_records, 0.45, 0.85),
        "managers_total": managers,
        "managers_participating": managers if rng.random() < 0.55 else part(managers, 0.85, 0.99),
        "tourism_sites_standardised": between(1, 6),
        "tourism_sites_mapped": between(0, 4),
        "exhibitions_held": between(0, 4),
        "contests_held": between(0, 3),
        "propaganda_events": between(4, 60),
        "petitions_received": received,
        "petitions_resolved": received if rng.random() < 0.5 else part(received, 0.8, 0.99),
        "trees_scattered": between(5_000, 26_000) if district else between(150, 2_500),
        "trees_concentrated": between(180_000, 420_000) if district else between(15_000, 40_000),
        "ban_cherry_trees": between(400, 5_000),
        "trees_checked": checked,
        "trees_surviving": part(checked, 0.82, 0.96),
        "forest_cover": Decimal("44.5"),
        "cleanup_drives": between(2, 24),
        "cleanup_participants": between(150, 18_000),
        **PROJECTS,
    }
    values = {measure.code: Decimal(candidates.get(measure.code, between(0, 10))) for measure in measures}
    by_id = {measure.pk: measure for measure in measures}
    for measure in measures:  # a part a campaign adds that the figures above do not know
        whole = by_id.get(measure.part_of_id)
        if whole is not None and measure.code not in candidates:
            values[measure.code] = Decimal(part(int(values[whole.code]), 0.6, 0.95))
    return values


def _officer(unit):
    profile = Profile.objects.filter(role=Role.OFFICER, unit=unit).select_related("user").order_by("pk").first()
    return profile.user if profile else None


def _reviewer():
    profile = Profile.objects.filter(role=Role.REVIEWER).select_related("user").order_by("pk").first()
    return profile.user if profile else None


def _moment(campaign, day, hour):
    deadline = campaign.unit_deadline
    return timezone.make_aware(datetime.datetime(deadline.year, deadline.month, day, hour, 0))


def demo_reports(*, campaign):
    """Fill sample reports for the campaign's units (idempotent). Returns a one-line summary."""
    reviewer = _reviewer()
    plan = PLANS.get(campaign.code, Plan())
    seed = campaign.code.split("-", 1)[0]
    made = {}
    units = {unit.code: unit for unit in campaign.participants()}
    existing = set(UnitReport.objects.filter(campaign=campaign).values_list("unit__code", flat=True))
    for code in sorted(units):
        if code in existing or code in plan.not_started:
            continue
        unit = units[code]
        officer = _officer(unit)
        if officer is None:
            continue
        status = _make_report(campaign, plan, unit, officer, reviewer, random.Random(f"{seed}-{code}"))
        made[status] = made.get(status, 0) + 1
    if not made:
        return "Số liệu mẫu đã có sẵn."
    parts = ", ".join(f"{count} {ReportStatus(status).label.lower()}" for status, count in sorted(made.items()))
    return f"Đã tạo {sum(made.values())} báo cáo mẫu ({parts})."


@transaction.atomic
def _make_report(campaign, plan, unit, officer, reviewer, rng):
    report = report_get_or_create(campaign=campaign, unit=unit, by=officer)
    values = demo_values(unit, report_measures(report), rng)
    narratives = {section.code: demo_narrative(campaign, unit) for section in campaign.sections.all()[:1]}
    if unit.code in plan.drafts:
        kept = dict(list(values.items())[: max(1, len(values) * 2 // 3)])
        report_save_values(report=report, by=officer, values=kept, narratives=narratives)
        return ReportStatus.DRAFT
    report_save_values(report=report, by=officer, values=values, narratives=narratives)
    day = 18 if unit.code in plan.late else rng.randint(4, 14)
    report_submit(report=report, by=officer, now=_moment(campaign, day, rng.randint(8, 16)))
    if reviewer is None:
        return ReportStatus.SUBMITTED
    if unit.code in plan.returned:
        report_return(report=report, by=reviewer, reason=plan.returned[unit.code])
        return ReportStatus.RETURNED
    if unit.code in plan.submitted or rng.random() < 0.3:
        return ReportStatus.SUBMITTED
    report_accept(report=report, by=reviewer, comment="Số liệu đầy đủ, khớp với minh chứng.")
    return ReportStatus.ACCEPTED
