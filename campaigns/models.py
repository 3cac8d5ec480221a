"""What a directive sets: the campaign, its sections, measures, targets and goals, and the
units that report in it.

A `Unit` is an identity that lives across campaigns (its code, the dates it existed, what it
was merged into). What a unit was called, what kind it was and whom it answered to during one
campaign is that campaign's `CampaignUnit`, written by loading the campaign's file; so is
whether it reports in the campaign. Sections, measures, targets, goals and unit groups belong
to one campaign. Loading one campaign's file therefore never changes what another says.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.query import ModelIterable
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("Sở, ban, ngành")
    DISTRICT = "district", _("Huyện, thị xã, thành phố")
    COMMUNE = "commune", _("Xã, phường, thị trấn")
    ARMED_FORCES = "armed_forces", _("Lực lượng vũ trang")
    SCHOOL = "school", _("Trường chuyên nghiệp")
    ORGANISATION = "organisation", _("Đoàn thể")


class AsInCampaignIterable(ModelIterable):
    """Yields units whose name, kind, head title and parent read as in one campaign (the
    `as_in_*` annotations that `UnitQuerySet.as_in` adds)."""

    def __iter__(self):
        for unit in super().__iter__():
            unit.read_as(
                name=unit.as_in_name,
                kind=unit.as_in_kind,
                head_title=unit.as_in_head_title,
                parent_id=unit.as_in_parent_id,
                document_symbol=unit.as_in_document_symbol,
            )
            yield unit


class UnitQuerySet(models.QuerySet):
    def as_in(self, campaign, participants_only=True):
        """The units `campaign`'s file lists (by default only those that report in it), each
        as it was during the campaign, in the campaign's order (kind, then name)."""
        condition = {"campaign_units__campaign": campaign}
        if participants_only:
            condition["campaign_units__participant"] = True
        queryset = (
            self.filter(**condition)
            .annotate(
                as_in_name=F("campaign_units__name"),
                as_in_kind=F("campaign_units__kind"),
                as_in_head_title=F("campaign_units__head_title"),
                as_in_parent_id=F("campaign_units__parent_id"),
                as_in_document_symbol=F("campaign_units__document_symbol"),
            )
            .order_by("campaign_units__kind", "campaign_units__name")
        )
        queryset._iterable_class = AsInCampaignIterable
        return queryset


class Unit(models.Model):
    """A reporting unit's identity across campaigns. `name`, `kind`, `head_title` and `parent`
    hold what the most recently loaded campaign file says; pages and documents of a campaign
    read the unit as it was in that campaign (`Unit.objects.as_in(campaign)`)."""

    code = models.SlugField(_("mã"), max_length=64, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại đơn vị"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("tồn tại từ"), null=True, blank=True)
    valid_until = models.DateField(_("tồn tại đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("sáp nhập vào"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    head_title = models.CharField(_("chức danh thủ trưởng"), max_length=120, blank=True)
    head_name = models.CharField(_("họ tên thủ trưởng"), max_length=120, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    phone = models.CharField(_("điện thoại"), max_length=40, blank=True)

    objects = UnitQuerySet.as_manager()

    # The symbol the unit's reports carry in the campaign (`CampaignUnit.document_symbol`),
    # set by `read_as`; empty when the unit is not read as in a campaign.
    document_symbol = ""

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    def read_as(self, *, name, kind, head_title, parent_id, document_symbol=""):
        """Read this unit (in memory only) as one campaign describes it."""
        self.name, self.kind, self.head_title, self.parent_id = name, kind, head_title, parent_id
        self.document_symbol = document_symbol

    def existed_during(self, start, end):
        """True when the unit existed at some point between two dates (either may be None)."""
        if self.valid_until and start and self.valid_until < start:
            return False
        if self.valid_from and end and self.valid_from > end:
            return False
        return True


class UnitGroupKind(models.TextChoices):
    CLUSTER = "cluster", _("Cụm thi đua")
    BLOCK = "block", _("Khối thi đua")
    DESIGNATION = "designation", _("Nhóm theo chính sách")


class UnitGroup(models.Model):
    """A cluster, block or designation of one campaign (they are set anew each year)."""

    campaign = models.ForeignKey("Campaign", on_delete=models.CASCADE, related_name="groups")
    code = models.SlugField(_("mã"), max_length=64)
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại nhóm"), max_length=20, choices=UnitGroupKind.choices)
    units = models.ManyToManyField(Unit, verbose_name=_("đơn vị"), related_name="groups", blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("nhóm đơn vị")
        verbose_name_plural = _("nhóm đơn vị")
        ordering = ["campaign", "kind", "code"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="group_code_unique_in_campaign")]

    def __str__(self):
        return self.name


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    ACTIVE = "active", _("Đang triển khai")
    CLOSED = "closed", _("Đã kết thúc")


class DirectiveKind(models.TextChoices):
    CONG_VAN = "cong_van", _("Công văn")
    KE_HOACH = "ke_hoach", _("Kế hoạch")
    CHI_THI = "chi_thi", _("Chỉ thị")
    QUYET_DINH = "quyet_dinh", _("Quyết định")
    NGHI_QUYET = "nghi_quyet", _("Nghị quyết")
    HUONG_DAN = "huong_dan", _("Hướng dẫn")
    THONG_BAO = "thong_bao", _("Thông báo")


class Campaign(models.Model):
    code = models.SlugField(_("mã"), max_length=64, unique=True)
    title = models.TextField(_("tên phong trào"))
    directive_kind = models.CharField(
        _("loại văn bản"), max_length=16, choices=DirectiveKind.choices, default=DirectiveKind.CONG_VAN
    )
    directive_number = models.CharField(_("số văn bản"), max_length=64)
    directive_date = models.DateField(_("ngày ban hành"))
    issuer = models.CharField(_("cơ quan ban hành"), max_length=255)
    issuer_parent = models.CharField(_("cơ quan chủ quản"), max_length=255, blank=True)
    province = models.CharField(_("tỉnh"), max_length=120)
    place = models.CharField(_("địa danh"), max_length=120)
    signer_name = models.CharField(_("người ký"), max_length=120)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=120)
    signer_authority = models.CharField(_("thẩm quyền ký"), max_length=120, blank=True)
    implements = models.TextField(_("văn bản thực hiện"), blank=True)
    summary_symbol = models.CharField(_("ký hiệu báo cáo tổng hợp"), max_length=64, default="BC-UBND")
    recipients = models.JSONField(_("nơi nhận"), default=list, blank=True)
    anniversaries = models.JSONField(_("các ngày kỷ niệm"), default=list, blank=True)
    starts_on = models.DateField(_("bắt đầu"), null=True, blank=True)
    ends_on = models.DateField(_("kết thúc"), null=True, blank=True)
    unit_deadline = models.DateField(_("hạn đơn vị báo cáo"))
    summary_deadline = models.DateField(_("hạn báo cáo tổng hợp"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.ACTIVE
    )
    source_file = models.CharField(_("tệp phong trào"), max_length=255, blank=True)
    # The award forms its commendations are chosen from (campaign file: campaign.awards).
    award_catalogue = models.ForeignKey(
        "commendations.AwardCatalogue",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("danh mục khen thưởng"),
    )
    loaded_at = models.DateTimeField(_("nạp lúc"), auto_now=True)
    # A new value each time the campaign's structure changes (campaigns.structure): every
    # process rebuilds what it cached of the structure once it reads a value it has not seen.
    structure_version = models.UUIDField(_("phiên bản cấu trúc"), default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("phong trào thi đua")
        verbose_name_plural = _("phong trào thi đua")
        ordering = ["-directive_date"]

    def __str__(self):
        return f"{self.directive_number} — {self.title[:80]}"

    @property
    def reporting_year(self):
        """The year the campaign reports on (the year it ends, else that of its summary
        deadline): a goal due in a later year is judged as progress towards it."""
        return (self.ends_on or self.summary_deadline).year

    def participants(self):
        """The units that report in this campaign, each as it was during the campaign: the
        units its own file lists that existed during its dates, or the file's explicit
        `participants` list (decided when the file is loaded, by `participant_codes`)."""
        return Unit.objects.as_in(self)

    @property
    def directive_citation(self):
        """How documents cite the directive, always in Vietnamese: "Kế hoạch số 45/KH-UBND"."""
        with translation.override("vi"):
            return f"{self.get_directive_kind_display()} số {self.directive_number}"


class CampaignUnit(models.Model):
    """A unit as one campaign's file describes it: its name, kind, head title and parent during
    the campaign, the symbol its reports carry, whether it reports in it, and the units of
    earlier campaigns it continues."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="campaign_units")
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại đơn vị"), max_length=20, choices=UnitKind.choices)
    head_title = models.CharField(_("chức danh thủ trưởng"), max_length=120, blank=True)
    # Empty: derived from the kind and the name when printed (reports.unit_document.report_symbol).
    document_symbol = models.CharField(_("ký hiệu báo cáo của đơn vị"), max_length=32, blank=True)
    parent = models.ForeignKey(
        Unit, verbose_name=_("đơn vị cấp trên"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    participant = models.BooleanField(_("tham gia báo cáo"), default=True)
    predecessors = models.ManyToManyField(
        Unit, verbose_name=_("đơn vị tiền thân"), blank=True, related_name="continued_by"
    )

    class Meta:
        verbose_name = _("đơn vị trong phong trào")
        verbose_name_plural = _("đơn vị trong phong trào")
        ordering = ["campaign", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="campaign_unit_once")]

    def __str__(self):
        return f"{self.name} ({self.campaign.code})"


class Section(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(_("mã"), max_length=16)
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    title = models.CharField(_("tiêu đề"), max_length=255)
    description = models.TextField(_("nội dung"), blank=True)

    class Meta:
        verbose_name = _("phần")
        verbose_name_plural = _("phần")
        ordering = ["campaign", "order"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="section_code_unique_in_campaign")]

    def __str__(self):
        return f"{self.code}. {self.title}"


class ValueType(models.TextChoices):
    INTEGER = "integer", _("Số nguyên")
    DECIMAL = "decimal", _("Số thập phân")
    PERCENT = "percent", _("Tỷ lệ % (0–100)")
    BOOLEAN = "boolean", _("Có/Không (1/0)")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Cộng dồn")
    SINGLE = "single", _("Một đơn vị báo cáo")


class Measure(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="measures")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="measures")
    code = models.SlugField(_("mã"), max_length=64)
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên"), max_length=255)
    unit_of_measure = models.CharField(_("đơn vị tính"), max_length=40, blank=True)
    value_type = models.CharField(
        _("kiểu giá trị"), max_length=10, choices=ValueType.choices, default=ValueType.INTEGER
    )
    aggregation = models.CharField(
        _("cách tổng hợp"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    reporter_kinds = models.JSONField(_("loại đơn vị báo cáo"), default=list, blank=True)
    reporter_units = models.ManyToManyField(
        Unit, verbose_name=_("đơn vị báo cáo"), blank=True, related_name="reported_measures"
    )
    part_of = models.ForeignKey(
        "self",
        verbose_name=_("là một phần của"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="parts",
    )
    description = models.TextField(_("mô tả"), blank=True)

    class Meta:
        verbose_name = _("chỉ số")
        verbose_name_plural = _("chỉ số")
        ordering = ["campaign", "section__order", "order"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="measure_code_unique_in_campaign")]

    def __str__(self):
        return self.name

    @property
    def is_count(self):
        return self.value_type == ValueType.INTEGER


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _("Tối thiểu")
    AT_MOST = "at_most", _("Tối đa")

    @property
    def sign(self):
        """The sign printed before a goal: "≥ 90,0", "≤ 5,0"."""
        return "≤" if self == Direction.AT_MOST else "≥"


class Target(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="targets")
    code = models.SlugField(_("mã"), max_length=64)
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên chỉ tiêu"), max_length=255)
    unit_of_measure = models.CharField(_("đơn vị tính"), max_length=40, blank=True)
    formula = models.TextField(_("công thức"))
    formula_text = models.TextField(_("công thức bằng lời"), blank=True)
    over_kinds = models.JSONField(_("tính trên loại đơn vị"), default=list, blank=True)
    direction = models.CharField(_("chiều"), max_length=10, choices=Direction.choices, default=Direction.AT_LEAST)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("chỉ tiêu cha"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="components",
    )
    is_rate = models.BooleanField(_("là tỷ lệ"), default=False)
    headline = models.BooleanField(_("hiển thị trên trang lãnh đạo"), default=False)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["campaign", "section__order", "order"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="target_code_unique_in_campaign")]

    def __str__(self):
        return self.name


class GoalScope(models.TextChoices):
    PROVINCE = "province", _("Toàn tỉnh")
    KIND = "kind", _("Loại đơn vị")
    GROUP = "group", _("Nhóm đơn vị")
    UNIT = "unit", _("Đơn vị")


class Goal(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="goals")
    scope = models.CharField(_("phạm vi"), max_length=10, choices=GoalScope.choices)
    unit_kind = models.CharField(_("loại đơn vị"), max_length=20, choices=UnitKind.choices, blank=True)
    group = models.ForeignKey(UnitGroup, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("nhóm"))
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("đơn vị"))
    value = models.DecimalField(_("mức"), max_digits=20, decimal_places=4)
    due = models.PositiveSmallIntegerField(_("năm phải đạt"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    SPECIFICITY = {GoalScope.UNIT: 3, GoalScope.GROUP: 2, GoalScope.KIND: 1, GoalScope.PROVINCE: 0}

    class Meta:
        verbose_name = _("mức chỉ tiêu")
        verbose_name_plural = _("mức chỉ tiêu")
        ordering = ["target", "scope"]

    def __str__(self):
        return f"{self.target.code} {self.scope_label()}: {self.value}"

    def scope_label(self):
        if self.scope == GoalScope.UNIT and self.unit_id:
            return str(self.unit)
        if self.scope == GoalScope.GROUP and self.group_id:
            return str(self.group)
        if self.scope == GoalScope.KIND:
            return UnitKind(self.unit_kind).label if self.unit_kind else ""
        return str(GoalScope.PROVINCE.label)


class Role(models.TextChoices):
    OFFICER = "officer", _("Cán bộ đầu mối đơn vị")
    REVIEWER = "reviewer", _("Sở Nội vụ (Ban Thi đua – Khen thưởng)")
    LEADER = "leader", _("Lãnh đạo UBND tỉnh")
    ADMINISTRATOR = "administrator", _("Quản trị")


class Profile(models.Model):
    """A person's role in the portal; an officer belongs to exactly one unit."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="officers", verbose_name=_("đơn vị")
    )
    phone = models.CharField(_("điện thoại"), max_length=40, blank=True)
    position = models.CharField(_("chức vụ"), max_length=120, blank=True)
    # Set when an administrator creates the account or sets its password: the password is
    # one someone else knows, so every page asks for a new one until it is changed.
    must_change_password = models.BooleanField(_("phải đổi mật khẩu"), default=False)

    class Meta:
        verbose_name = _("hồ sơ người dùng")
        verbose_name_plural = _("hồ sơ người dùng")
        constraints = [
            models.CheckConstraint(condition=~Q(role="officer") | Q(unit__isnull=False), name="officer_has_unit")
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"
