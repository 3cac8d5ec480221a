"""Commendations: the award forms a province gives (a catalogue file), the review of each unit's
proposal, the council's votes and the decision the leader signs.

A proposal itself is a row of the unit's report (`reports.Commendation`): the unit writes it
with its figures. What happens to it afterwards (the reviewer's word, the council's votes,
the decision) lives here, every step as a `ProposalEvent`.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from reports.models import CommendationKind as Recipient  # noqa: F401 - who a form is for
from reports.models import CouncilResult, Job, ReviewStatus  # noqa: F401 - the proposal's states
from reports.text import TextRule


class AwardLevel(models.TextChoices):
    NATIONAL = "national", _("Nhà nước, Chính phủ")
    PROVINCE = "province", _("Cấp tỉnh")
    UNIT = "unit", _("Cấp sở, ngành, xã")


class AwardCategory(models.TextChoices):
    TITLE = "title", _("Danh hiệu thi đua")
    AWARD = "award", _("Hình thức khen thưởng")


class AwardCatalogue(models.Model):
    """One catalogue file as loaded (commendations.catalogue). A campaign names the catalogue
    it uses; a catalogue in use is never changed in place, so one year's decision keeps the
    forms it was made with."""

    code = models.SlugField(_("mã"), max_length=64, unique=True)
    title = models.CharField(_("tên danh mục"), max_length=255)
    province = models.CharField(_("tỉnh"), max_length=120)
    legal_basis = models.JSONField(_("căn cứ pháp lý"), default=list, blank=True)
    council = models.JSONField(_("Hội đồng Thi đua – Khen thưởng"), default=dict, blank=True)
    notes = models.JSONField(_("ghi chú"), default=list, blank=True)
    source_file = models.CharField(_("tệp danh mục"), max_length=255, blank=True)
    digest = models.CharField(_("dấu nội dung"), max_length=64, blank=True)
    loaded_at = models.DateTimeField(_("nạp lúc"), auto_now=True)

    class Meta:
        verbose_name = _("danh mục khen thưởng")
        verbose_name_plural = _("danh mục khen thưởng")
        ordering = ["code"]

    def __str__(self):
        return self.title


class AwardForm(models.Model):
    """A form of award (Bằng khen, Giấy khen) or an emulation title (Cờ thi đua, Chiến sĩ thi
    đua) as the catalogue states it."""

    catalogue = models.ForeignKey(AwardCatalogue, on_delete=models.CASCADE, related_name="forms")
    code = models.SlugField(_("mã"), max_length=64)
    name = models.CharField(_("tên"), max_length=255)
    category = models.CharField(_("loại"), max_length=12, choices=AwardCategory.choices)
    level = models.CharField(_("cấp"), max_length=12, choices=AwardLevel.choices)
    recipients = models.JSONField(_("đối tượng"), default=list)  # CommendationKind values
    issuer = models.CharField(_("thẩm quyền quyết định"), max_length=255)
    legal_basis = models.JSONField(_("căn cứ pháp lý"), default=list)
    criteria = models.JSONField(_("tiêu chuẩn"), default=list)
    dossier = models.JSONField(_("hồ sơ đề nghị"), default=list)  # [{"code", "name", "required"}]
    # {"per": "group" | "campaign", "group_kinds": [...], "max": n, "basis": "…"}; {} for none
    quota = models.JSONField(_("số lượng tối đa"), default=dict, blank=True)
    # Share of the council's members (percent) who must vote for it; None: no council vote.
    council_threshold = models.DecimalField(
        _("tỷ lệ phiếu đồng ý của Hội đồng (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    certificate = models.BooleanField(_("in bằng, giấy chứng nhận"), default=False)
    certificate_title = models.CharField(_("tiêu đề trên bằng"), max_length=120, blank=True)
    from_results = models.BooleanField(_("xét theo kết quả phong trào"), default=False)
    notes = models.JSONField(_("ghi chú"), default=list, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("hình thức khen thưởng")
        verbose_name_plural = _("hình thức khen thưởng")
        ordering = ["catalogue", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["catalogue", "code"], name="award_code_unique_in_catalogue")]

    def __str__(self):
        return self.name

    def is_for(self, kind):
        return kind in self.recipients


def dossier_path(instance, filename):
    report = instance.proposal.report
    return f"dossiers/{report.campaign_id}/{report.unit_id}/{filename}"


class DossierKind(models.TextChoices):
    SUBMISSION = "to-trinh", _("Tờ trình đề nghị")
    ACHIEVEMENT = "bao-cao-thanh-tich", _("Báo cáo thành tích")
    MINUTES = "bien-ban", _("Biên bản họp xét")
    OTHER = "khac", _("Tài liệu khác")


class DossierFile(models.Model):
    """A file of a proposal's dossier, checked like evidence (reports.uploads)."""

    proposal = models.ForeignKey("reports.Commendation", on_delete=models.CASCADE, related_name="dossier_files")
    kind = models.CharField(_("loại hồ sơ"), max_length=24, choices=DossierKind.choices)
    file = models.FileField(_("tệp"), upload_to=dossier_path, max_length=300)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hồ sơ đề nghị khen thưởng")
        verbose_name_plural = _("hồ sơ đề nghị khen thưởng")
        ordering = ["proposal", "uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class ProposalAction(models.TextChoices):
    FILE_ADDED = "file_added", _("Thêm hồ sơ")
    FILE_REMOVED = "file_removed", _("Xóa hồ sơ")
    RESUBMITTED = "resubmitted", _("Gửi lại sau khi bổ sung")
    AGREED = "agreed", _("Đồng ý")
    MORE_REQUESTED = "more", _("Yêu cầu bổ sung")
    DISAGREED = "disagreed", _("Không đồng ý")
    VOTED = "voted", _("Hội đồng bỏ phiếu")
    DECIDED = "decided", _("Có quyết định khen thưởng")


class ProposalEvent(models.Model):
    """One step in a proposal's history: who, when, what, why."""

    proposal = models.ForeignKey("reports.Commendation", on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("thao tác"), max_length=20, choices=ProposalAction.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("lúc"), default=timezone.now)
    reason = models.TextField(_("lý do"), blank=True)
    detail = models.JSONField(_("chi tiết"), default=dict, blank=True)

    class Meta:
        verbose_name = _("lịch sử đề nghị khen thưởng")
        verbose_name_plural = _("lịch sử đề nghị khen thưởng")
        ordering = ["proposal", "-at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} — {timezone.localtime(self.at):%d/%m/%Y %H:%M}"


class CouncilSession(models.Model):
    """A meeting of the provincial Hội đồng Thi đua – Khen thưởng on one campaign's proposals."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="council_sessions")
    held_on = models.DateField(_("ngày họp"))
    title = models.CharField(_("tên phiên họp"), max_length=255, validators=[TextRule(_("Tên phiên họp"))])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phiên họp Hội đồng")
        verbose_name_plural = _("phiên họp Hội đồng")
        ordering = ["campaign", "-held_on", "-pk"]

    def __str__(self):
        return self.title


class CouncilMember(models.Model):
    session = models.ForeignKey(CouncilSession, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("họ và tên"), max_length=120, validators=[TextRule(_("Họ và tên"))])
    position = models.CharField(_("chức vụ trong Hội đồng"), max_length=255, validators=[TextRule(_("Chức vụ"))])
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("thành viên Hội đồng")
        verbose_name_plural = _("thành viên Hội đồng")
        ordering = ["session", "order", "pk"]

    def __str__(self):
        return self.name


class Vote(models.TextChoices):
    """A member's vote. A member away from the meeting gives an opinion in writing, which
    counts like a vote cast there (Nghị định 98/2023/NĐ-CP Điều 30 khoản 7); one who gives
    none counts as a member not voting for."""

    FOR = "for", _("Đồng ý")
    AGAINST = "against", _("Không đồng ý")
    FOR_IN_WRITING = "for_written", _("Vắng, đồng ý bằng văn bản")
    AGAINST_IN_WRITING = "against_written", _("Vắng, không đồng ý bằng văn bản")
    ABSENT = "absent", _("Vắng, không có ý kiến")


VOTES_FOR = (Vote.FOR, Vote.FOR_IN_WRITING)
VOTES_AGAINST = (Vote.AGAINST, Vote.AGAINST_IN_WRITING)


class CouncilVote(models.Model):
    session = models.ForeignKey(CouncilSession, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(CouncilMember, on_delete=models.CASCADE, related_name="votes")
    proposal = models.ForeignKey("reports.Commendation", on_delete=models.CASCADE, related_name="council_votes")
    vote = models.CharField(_("phiếu"), max_length=16, choices=Vote.choices)

    class Meta:
        verbose_name = _("phiếu bầu")
        verbose_name_plural = _("phiếu bầu")
        constraints = [models.UniqueConstraint(fields=["member", "proposal"], name="one_vote_per_member_and_proposal")]

    def __str__(self):
        return f"{self.member} — {self.get_vote_display()}"


class Decision(models.Model):
    """The commendation decision of one campaign: the Sở Nội vụ's Tờ trình and the UBND tỉnh's
    Quyết định. Number and date are entered once the leader has signed; certificates print
    only then."""

    campaign = models.OneToOneField(Campaign, on_delete=models.PROTECT, related_name="commendation_decision")
    submission_number = models.CharField(_("số Tờ trình"), max_length=64, blank=True)
    submission_date = models.DateField(_("ngày Tờ trình"), null=True, blank=True)
    number = models.CharField(_("số Quyết định"), max_length=64, blank=True)
    signed_on = models.DateField(_("ngày ký Quyết định"), null=True, blank=True)
    signer_name = models.CharField(_("người ký"), max_length=120, blank=True, validators=[TextRule(_("Người ký"))])
    signer_title = models.CharField(
        _("chức vụ người ký"), max_length=120, blank=True, validators=[TextRule(_("Chức vụ người ký"))]
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quyết định khen thưởng")
        verbose_name_plural = _("quyết định khen thưởng")

    def __str__(self):
        return self.number or str(self.campaign)

    @property
    def issued(self):
        return bool(self.number and self.signed_on)


class DocumentKind(models.TextChoices):
    SUBMISSION = "to-trinh", _("Tờ trình đề nghị khen thưởng")
    DECISION = "quyet-dinh", _("Dự thảo Quyết định khen thưởng")
    CERTIFICATES = "bang-khen", _("Bằng khen, Giấy khen")


class CommendationPrint(Job):
    """A printed Tờ trình, draft Quyết định (each PDF and DOCX) or the certificates (PDF) of a
    campaign's list as it stood when asked for: `names` keeps what was printed."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="commendation_prints")
    kind = models.CharField(_("văn bản"), max_length=12, choices=DocumentKind.choices)
    options = models.JSONField(_("tùy chọn"), default=dict, blank=True)  # e.g. {"paper": "blank"}
    names = models.JSONField(_("danh sách đã in"), default=list, blank=True)
    pdf = models.FileField(upload_to="commendations/", blank=True, max_length=300)
    docx = models.FileField(upload_to="commendations/", blank=True, max_length=300)

    class Meta:
        verbose_name = _("bản in khen thưởng")
        verbose_name_plural = _("bản in khen thưởng")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.campaign.code} — {self.get_kind_display()}"
