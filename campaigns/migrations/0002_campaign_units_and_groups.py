"""Campaigns stand in time: units as each campaign saw them (CampaignUnit), groups per campaign,
the directive's kind, the province's name, and goals with a horizon.

Existing data moves as it was: every campaign gets one CampaignUnit per unit it used to take
(its explicit list, else every unit that existed during its dates), copying the unit's current
name, kind, head title and parent; each group goes to the campaign whose goals or participants
use it, and is copied for every further campaign that uses it."""

import django.db.models.deletion
from django.db import migrations, models

KINDS = {
    "KH": "ke_hoach",
    "CT": "chi_thi",
    "QĐ": "quyet_dinh",
    "QD": "quyet_dinh",
    "NQ": "nghi_quyet",
    "HD": "huong_dan",
    "TB": "thong_bao",
}


def _province(issuer):
    words = issuer.strip().upper().split(" TỈNH ", 1)
    return words[1].title() if len(words) == 2 else issuer.strip()


def forwards(apps, schema_editor):
    Campaign = apps.get_model("campaigns", "Campaign")
    CampaignUnit = apps.get_model("campaigns", "CampaignUnit")
    Unit = apps.get_model("campaigns", "Unit")
    UnitGroup = apps.get_model("campaigns", "UnitGroup")
    Goal = apps.get_model("campaigns", "Goal")
    campaigns = list(Campaign.objects.order_by("directive_date", "pk"))
    members_of = {}
    for campaign in campaigns:
        symbol = campaign.directive_number.split("/", 1)[-1].split("-", 1)[0].upper()
        campaign.directive_kind = KINDS.get(symbol, "cong_van")
        campaign.province = _province(campaign.issuer)
        campaign.save(update_fields=["directive_kind", "province"])
        explicit = list(campaign.explicit_participants.all())
        start = campaign.starts_on or campaign.directive_date
        end = campaign.ends_on or campaign.summary_deadline
        units = explicit or [
            unit
            for unit in Unit.objects.all()
            if not (unit.valid_until and unit.valid_until < start) and not (unit.valid_from and unit.valid_from > end)
        ]
        CampaignUnit.objects.bulk_create(
            CampaignUnit(
                campaign=campaign,
                unit=unit,
                name=unit.name,
                kind=unit.kind,
                head_title=unit.head_title,
                parent_id=unit.parent_id,
                participant=True,
            )
            for unit in units
        )
        members_of[campaign.pk] = {unit.pk for unit in units}
    for group in UnitGroup.objects.all():
        member_ids = set(group.units.values_list("pk", flat=True))
        users = [
            campaign
            for campaign in campaigns
            if Goal.objects.filter(target__campaign=campaign, group=group).exists()
            or member_ids & members_of[campaign.pk]
        ] or campaigns[:1]
        if not users:
            group.delete()
            continue
        group.campaign = users[0]
        group.save(update_fields=["campaign"])
        for campaign in users[1:]:
            copy = UnitGroup.objects.create(
                campaign=campaign, code=group.code, name=group.name, kind=group.kind, note=group.note
            )
            copy.units.set(member_ids)
            Goal.objects.filter(target__campaign=campaign, group=group).update(group=copy)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="directive_kind",
            field=models.CharField(
                choices=[
                    ("cong_van", "Công văn"),
                    ("ke_hoach", "Kế hoạch"),
                    ("chi_thi", "Chỉ thị"),
                    ("quyet_dinh", "Quyết định"),
                    ("nghi_quyet", "Nghị quyết"),
                    ("huong_dan", "Hướng dẫn"),
                    ("thong_bao", "Thông báo"),
                ],
                default="cong_van",
                max_length=16,
                verbose_name="loại văn bản",
            ),
        ),
        migrations.AddField(
            model_name="campaign",
            name="province",
            field=models.CharField(default="", max_length=120, verbose_name="tỉnh"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="goal",
            name="due",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="năm phải đạt"),
        ),
        migrations.CreateModel(
            name="CampaignUnit",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=255, verbose_name="tên")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("department", "Sở, ban, ngành"),
                            ("district", "Huyện, thị xã, thành phố"),
                            ("commune", "Xã, phường, thị trấn"),
                            ("armed_forces", "Lực lượng vũ trang"),
                            ("school", "Trường chuyên nghiệp"),
                            ("organisation", "Đoàn thể"),
                        ],
                        max_length=20,
                        verbose_name="loại đơn vị",
                    ),
                ),
                ("head_title", models.CharField(blank=True, max_length=120, verbose_name="chức danh thủ trưởng")),
                ("participant", models.BooleanField(default=True, verbose_name="tham gia báo cáo")),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="units", to="campaigns.campaign"
                    ),
                ),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="campaigns.unit",
                        verbose_name="đơn vị cấp trên",
                    ),
                ),
                (
                    "predecessors",
                    models.ManyToManyField(
                        blank=True, related_name="continued_by", to="campaigns.unit", verbose_name="đơn vị tiền thân"
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="campaign_units", to="campaigns.unit"
                    ),
                ),
            ],
            options={
                "verbose_name": "đơn vị trong phong trào",
                "verbose_name_plural": "đơn vị trong phong trào",
                "ordering": ["campaign", "kind", "name"],
                "constraints": [models.UniqueConstraint(fields=("campaign", "unit"), name="campaign_unit_once")],
            },
        ),
        migrations.AddField(
            model_name="unitgroup",
            name="campaign",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="groups", to="campaigns.campaign"
            ),
        ),
        migrations.AlterField(
            model_name="unitgroup",
            name="code",
            field=models.SlugField(max_length=64, verbose_name="mã"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(model_name="campaign", name="explicit_participants"),
        migrations.AlterField(
            model_name="unitgroup",
            name="campaign",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="groups", to="campaigns.campaign"
            ),
        ),
        migrations.AlterModelOptions(
            name="unitgroup",
            options={
                "ordering": ["campaign", "kind", "code"],
                "verbose_name": "nhóm đơn vị",
                "verbose_name_plural": "nhóm đơn vị",
            },
        ),
        migrations.AddConstraint(
            model_name="unitgroup",
            constraint=models.UniqueConstraint(fields=("campaign", "code"), name="group_code_unique_in_campaign"),
        ),
    ]
