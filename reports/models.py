"""What units send and what the province makes of it."""

from django.conf import settings
from django.db import models
from django.db.models import F, FilteredRelation, Q
from django.db.models.query import ModelIterable
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, CampaignUnit, Measure, Section, Unit

from .text import TextRule


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    SUBMITTED = "submitted", _("Đã gửi")
    RETURNED = "returned", _("Bị trả lại")
    ACCEPTED = "accepted", _("Đã chấp nhận")


# Reports that count in dashboards and the summary (DESIGN.md "Which reports count").
COUNTED_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


class UnitsAsInCampaignIterable(ModelIterable):
    """Reports whose `unit` reads as it was in the report's campaign (name, kind, head title,
    parent), so a later campaign's renaming never shows in an earlier one: one query for the
    whole batch gives every report its unit."""

    def __iter__(self):
        reports = list(super().__iter__())
        if reports and hasattr(reports[0], "as_in_member_id"):
            _read_as_annotated(reports)  # UnitReportQuerySet.units_joined
        elif reports:
            as_in = {
                (member.campaign_id, member.unit_id): member
                for member in CampaignUnit.objects.filter(
                    campaign_id__in={report.campaign_id for report in reports},
                    unit_id__in={report.unit_id for report in reports},
                ).select_related("unit")
            }
            for report in reports:
                member = as_in.get((report.campaign_id, report.unit_id))
                if member is None:
                    continue
                unit = report.unit if "unit" in report._state.fields_cache else member.unit
                unit.read_as(
                    name=member.name,
                    kind=member.kind,
                    head_title=member.head_title,
                    parent_id=member.parent_id,
                    document_symbol=member.document_symbol,
                )
                report.unit = unit
        yield from reports


def _read_as_annotated(reports):
    for report in reports:
        if report.as_in_member_id is not None:
            report.unit.read_as(
                name=report.as_in_name,
                kind=report.as_in_kind,
                head_title=report.as_in_head_title,
                parent_id=report.as_in_parent_id,
                document_symbol=report.as_in_document_symbol,
            )


class UnitReportQuerySet(models.QuerySet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._iterable_class = UnitsAsInCampaignIterable

    def units_joined(self):
        """The reports with their unit as it was in the report's campaign read in the same
        query (a join) rather than in a second one: for pages that look up one report."""
        member = FilteredRelation("unit__campaign_units", condition=Q(unit__campaign_units__campaign=F("campaign")))
        return self.select_related("unit").annotate(
            as_in_member=member,
            as_in_member_id=F("as_in_member__id"),
            as_in_name=F("as_in_member__name"),
            as_in_kind=F("as_in_member__kind"),
            as_in_head_title=F("as_in_member__head_title"),
            as_in_parent_id=F("as_in_member__parent_id"),
            as_in_document_symbol=F("as_in_member__document_symbol"),
        )


class UnitReport(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(_("trạng thái"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    # The first submission: on time or late is judged by it, and a resubmission after a
    # return never moves it (submitted_at is the latest one).
    first_submitted_at = models.DateTimeField(_("gửi lần đầu lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("xét lúc"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewer_comment = models.TextField(
        _("ý kiến của Sở Nội vụ"), blank=True, validators=[TextRule(_("Ý kiến của Sở Nội vụ"))]
    )
    is_late = models.BooleanField(_("nộp muộn"), default=False)
    # Who signs the printed report (reports.unit_document): blank name and title print the
    # unit's head; a deputy signs "KT." for the head.
    signer_name = models.CharField(_("người ký"), max_length=120, blank=True, validators=[TextRule(_("Người ký"))])
    signer_title = models.CharField(
        _("chức vụ người ký"), max_length=120, blank=True, validators=[TextRule(_("Chức vụ người ký"))]
    )
    signer_is_deputy = models.BooleanField(_("cấp phó ký thay (KT.)"), default=False)

    objects = UnitReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("báo cáo đơn vị")
        verbose_name_plural = _("báo cáo đơn vị")
        ordering = ["campaign", "unit__kind", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="one_report_per_unit_and_campaign")]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self):
        return f"{self.unit} — {self.campaign.code}"

    @property
    def counts(self):
        return self.status in COUNTED_STATUSES

    @property
    def editable(self):
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)

    @property
    def resubmitted_at(self):
        """When the report was last sent again after a return; None while it was sent once."""
        if self.submitted_at and self.first_submitted_at and self.submitted_at > self.first_submitted_at:
            return self.submitted_at
        return None


class MeasureValue(models.Model):
    report = models.ForeignKey(UnitReport, on_delete=models.CASCADE, related_name="values")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="values")
    value = models.DecimalField(_("giá trị"), max_digits=20, decimal_places=4, null=True, blank=True)
    no_data = models.BooleanField(_("không có số liệu"), default=False)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True, validators=[TextRule(_("Ghi chú"))])
    # An unusual value the officer confirmed (reports.outliers): the flag holds while the
    # value stays the one confirmed, whichever way it is later changed.
    outlier_confirmed = models.BooleanField(_("đã xác nhận giá trị bất thường"), default=False)
    outlier_value = models.DecimalField(
        _("giá trị bất thường đã xác nhận"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    outlier = models.JSONField(_("lý do bất thường"), default=dict, blank=True)

    class Meta:
        verbose_name = _("số liệu")
        verbose_name_plural = _("số liệu")
        constraints = [models.UniqueConstraint(fields=["report", "measure"], name="one_value_per_measure_and_report")]

    def __str__(self):
        return f"{self.measure.code}={self.value}"


class Narrative(models.Model):
    report = models.ForeignKey(UnitReport, on_delete=models.CASCADE, related_name="narratives")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="narratives")
    text = models.TextField(_("nội dung"), blank=True, validators=[TextRule(_("Nội dung báo cáo"), "narrative")])

    class Meta:
        verbose_name = _("nội dung báo cáo")
        verbose_name_plural = _("nội dung báo cáo")
        constraints = [
            models.UniqueConstraint(fields=["report", "section"], name="one_narrative_per_section_and_report")
        ]

    def __str__(self):
        return f"{self.report} — {self.section.code}"


class CommendationKind(models.TextChoices):
    COLLECTIVE = "collective", _("Tập thể")
    INDIVIDUAL = "individual", _("Cá nhân")
    HOUSEHOLD = "household", _("Hộ gia đình")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Chờ xét")
    MORE_REQUESTED = "more", _("Cần bổ sung")
    RESUBMITTED = "resubmitted", _("Đã bổ sung, chờ xét")
    AGREED = "agreed", _("Đồng ý")
    DISAGREED = "disagreed", _("Không đồng ý")


class CouncilResult(models.TextChoices):
    NONE = "", _("Chưa bỏ phiếu")
    PASSED = "passed", _("Đạt")
    FAILED = "failed", _("Không đạt")


class Commendation(models.Model):
    report = models.ForeignKey(UnitReport, on_delete=models.CASCADE, related_name="commendations")
    kind = models.CharField(_("đối tượng"), max_length=12, choices=CommendationKind.choices)
    name = models.CharField(
        _("tên tập thể / cá nhân"), max_length=255, validators=[TextRule(_("Tên tập thể / cá nhân"))]
    )
    achievement = models.TextField(_("thành tích"), validators=[TextRule(_("Thành tích"), "achievement")])
    position = models.CharField(_("chức vụ"), max_length=255, blank=True, validators=[TextRule(_("Chức vụ"))])
    work_unit = models.CharField(
        _("đơn vị công tác"), max_length=255, blank=True, validators=[TextRule(_("Đơn vị công tác"))]
    )
    # The form chosen from the campaign's award catalogue. `award` keeps its name as the unit
    # saw it; a proposal written as free text before the catalogue keeps that text, with no form.
    award_form = models.ForeignKey(
        "commendations.AwardForm",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("hình thức khen thưởng"),
    )
    award = models.CharField(
        _("hình thức khen thưởng đề nghị"),
        max_length=255,
        validators=[TextRule(_("Hình thức khen thưởng đề nghị"))],
    )
    order = models.PositiveIntegerField(default=0)
    # The Sở Nội vụ's word on the proposal and the council's result (commendations.services).
    review_status = models.CharField(
        _("kết quả xét"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    review_reason = models.TextField(_("lý do"), blank=True)
    council_result = models.CharField(
        _("kết quả bỏ phiếu"), max_length=8, choices=CouncilResult.choices, blank=True, default=CouncilResult.NONE
    )

    class Meta:
        verbose_name = _("đề nghị khen thưởng")
        verbose_name_plural = _("đề nghị khen thưởng")
        ordering = ["report", "order", "pk"]

    def __str__(self):
        return self.name

    @property
    def person_details(self):
        """A person's position and work unit (“Chủ tịch UBND xã, xã Mường Ảng”); "" when none."""
        return ", ".join(part for part in (self.position, self.work_unit) if part)

    @property
    def recipient(self):
        """The name as documents list it, with a person's position and unit in brackets."""
        details = self.person_details
        return f"{self.name} ({details})" if details else self.name


def evidence_path(instance, filename):
    return f"evidence/{instance.report.campaign_id}/{instance.report.unit_id}/{filename}"


class Evidence(models.Model):
    report = models.ForeignKey(UnitReport, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("tệp"), upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    description = models.CharField(_("mô tả"), max_length=255, blank=True, validators=[TextRule(_("Mô tả"))])
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")
        ordering = ["report", "uploaded_at"]

    def __str__(self):
        return self.original_name


class EventAction(models.TextChoices):
    CREATED = "created", _("Tạo báo cáo")
    SAVED = "saved", _("Lưu nháp")
    IMPORTED = "imported", _("Nhập từ tệp")
    SUBMITTED = "submitted", _("Gửi báo cáo")
    RETURNED = "returned", _("Trả lại")
    ACCEPTED = "accepted", _("Chấp nhận")
    EVIDENCE_ADDED = "evidence_added", _("Thêm minh chứng")
    EVIDENCE_REMOVED = "evidence_removed", _("Xóa minh chứng")
    REOPENED = "reopened", _("Mở lại báo cáo đã chấp nhận")
    RECALLED = "recalled", _("Rút lại báo cáo đã gửi")


class ReportEvent(models.Model):
    """Who did what to a report and when; for saves, every changed value (old → new)."""

    report = models.ForeignKey(UnitReport, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("thao tác"), max_length=20, choices=EventAction.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("lúc"), auto_now_add=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    comment = models.TextField(_("ghi chú"), blank=True)
    changes = models.JSONField(_("thay đổi"), default=list, blank=True)

    class Meta:
        verbose_name = _("lịch sử báo cáo")
        verbose_name_plural = _("lịch sử báo cáo")
        ordering = ["report", "-at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} — {timezone.localtime(self.at):%d/%m/%Y %H:%M}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang chạy")
    DONE = "done", _("Hoàn thành")
    FAILED = "failed", _("Lỗi")


class Job(models.Model):
    """A long job kept in a database row: tasks take its id, reload it and write their
    stage, progress and error here."""

    status = models.CharField(_("trạng thái"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    stage = models.CharField(_("giai đoạn"), max_length=120, blank=True)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    error = models.TextField(_("lỗi"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần chạy"), default=0)
    # Numbers every claim and is never reset (a retry resets `attempts`), so the tasks and
    # files of an earlier run can always tell they are no longer the current one.
    run = models.PositiveIntegerField(_("lượt chạy"), default=0, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("yêu cầu lúc"), auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


# A print of a report version in one of these states is reused; a failed one is printed anew.
LIVE_PRINT_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE)


class ReportPrint(Job):
    """The printable PDF of one unit's report and the same report as a Word file, rendered
    by a task from one reading of the report. At most one queued, running or finished print
    per report version (reports.prints)."""

    report = models.ForeignKey(UnitReport, on_delete=models.CASCADE, related_name="prints")
    report_version = models.PositiveIntegerField(default=0)
    pdf = models.FileField(upload_to="prints/", blank=True, max_length=300)
    docx = models.FileField(upload_to="prints/", blank=True, max_length=300)

    class Meta:
        verbose_name = _("bản in báo cáo đơn vị")
        verbose_name_plural = _("bản in báo cáo đơn vị")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "report_version"],
                condition=Q(status__in=LIVE_PRINT_STATUSES),
                name="one_live_print_per_report_version",
            )
        ]

    def __str__(self):
        return f"{self.report} (v{self.report_version})"


class Summary(Job):
    """One compiled provincial summary."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="summaries")
    number = models.PositiveIntegerField(_("lần tổng hợp"))
    document_number = models.CharField(_("số văn bản"), max_length=64, blank=True)
    document_date = models.DateField(_("ngày văn bản"), null=True, blank=True)
    recommendations = models.TextField(
        _("kiến nghị, đề xuất"), blank=True, validators=[TextRule(_("Kiến nghị, đề xuất"))]
    )
    report_versions = models.JSONField(_("phiên bản báo cáo đã dùng"), default=dict, blank=True)
    accepted_only = models.BooleanField(
        _("chỉ tổng hợp báo cáo đã thẩm định"),
        default=False,
        help_text=_("Bỏ qua các báo cáo đã gửi nhưng chưa được thẩm định."),
    )
    prose = models.JSONField(_("nội dung đã soạn"), default=dict, blank=True)
    parts_total = models.PositiveIntegerField(default=0)
    parts_done = models.PositiveIntegerField(default=0)
    # The last time someone put the failed summary back in the queue: counted with the
    # compiles they asked for (COMPILE_RATE_LIMIT).
    retried_at = models.DateTimeField(_("thử lại lúc"), null=True, blank=True)
    retried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pdf = models.FileField(upload_to="summaries/", blank=True, max_length=300)
    docx = models.FileField(upload_to="summaries/", blank=True, max_length=300)

    class Meta:
        verbose_name = _("báo cáo tổng hợp")
        verbose_name_plural = _("báo cáo tổng hợp")
        ordering = ["campaign", "-number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="summary_number_unique_in_campaign")]

    def __str__(self):
        return f"{self.campaign.code} #{self.number}"


class SummaryDraft(models.Model):
    """One saved text of one part of a campaign's summary (reports.summary.prose): every save
    is a new row, so the draft keeps its history; the latest row of a part is its text.
    Drafts belong to the campaign, not to one compile: they survive every recompile."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="summary_drafts")
    part = models.CharField(_("phần"), max_length=64)
    text = models.TextField(_("nội dung"), blank=True, validators=[TextRule(_("Nội dung"), "narrative")])
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField(_("lưu lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("bản thảo báo cáo tổng hợp")
        verbose_name_plural = _("bản thảo báo cáo tổng hợp")
        ordering = ["campaign", "part", "-saved_at", "-pk"]
        indexes = [models.Index(fields=["campaign", "part", "-saved_at"], name="summary_draft_latest")]

    def __str__(self):
        return f"{self.campaign.code} / {self.part}"


class UnitAnnex(models.Model):
    """A unit's rendered annex pages, cached by the report version they were built from,
    so a recompile renders only what changed."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    pdf = models.FileField(upload_to="annex/", max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "unit", "key"], name="annex_unique_per_key")]

    def __str__(self):
        return f"{self.unit} ({self.key[:8]})"


class Milestone(models.TextChoices):
    DAYS_7 = "d-7", _("7 ngày trước hạn")
    DAYS_3 = "d-3", _("3 ngày trước hạn")
    DAYS_1 = "d-1", _("1 ngày trước hạn")
    OVERDUE = "d+1", _("1 ngày sau hạn")
    MANUAL = "manual", _("Nhắc thủ công")


class Reminder(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reminders")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="reminders")
    milestone = models.CharField(_("mốc"), max_length=10, choices=Milestone.choices)
    sent_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipients = models.JSONField(_("người nhận"), default=list)

    class Meta:
        verbose_name = _("nhắc hạn")
        verbose_name_plural = _("nhắc hạn")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "milestone"],
                condition=~Q(milestone="manual"),
                name="one_automatic_reminder_per_milestone",
            )
        ]

    def __str__(self):
        return f"{self.unit} — {self.get_milestone_display()}"


class ErrorRecord(models.Model):
    """An error the people in front of the page were not shown: they read its reference
    (“Mã tham chiếu: E-20261201-7F3A9C”), administrators find the exception and its traceback
    here by that reference (reports.errors)."""

    reference = models.CharField(_("mã tham chiếu"), max_length=32, unique=True)
    at = models.DateTimeField(_("lúc"), default=timezone.now, db_index=True)
    where = models.CharField(_("nơi xảy ra"), max_length=300)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người dùng"),
    )
    exception_type = models.CharField(_("loại lỗi"), max_length=200)
    message = models.TextField(_("nội dung lỗi"), blank=True)
    traceback = models.TextField(_("vết lỗi (traceback)"), blank=True)

    class Meta:
        verbose_name = _("lỗi hệ thống")
        verbose_name_plural = _("lỗi hệ thống")
        ordering = ["-at"]

    def __str__(self):
        return self.reference
