"""Applying a campaign file to the database.

`campaign_load` reads a file (`schema`), checks it (`checks`) and applies it in one transaction:
loading twice is loading once, an edited file updates the campaign, and anything a report
references is never deleted (the database protects it and the load is refused instead). What a
file says about its units is recorded for its own campaign (`CampaignUnit`), and its groups
belong to it, so loading one campaign never changes what another campaign's pages say. The
same transaction gives the campaign a new structure version (`structure`): every process reads
the new structure on its next request, without a restart. The campaign is linked to the award
catalogue its file names (`campaign.awards`, loaded before with load_awards), and its old
free-text proposals get the form their text names.
"""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import ProtectedError, Q

from commendations.catalogue import proposals_match_forms, proposals_using
from commendations.models import AwardCatalogue

from .checks import Findings, check_campaign, participant_codes
from .formula import Formula
from .models import Campaign, CampaignUnit, Goal, GoalScope, Measure, Section, Target, Unit, UnitGroup
from .schema import CampaignFileError, read_campaign_file
from .structure import structure_bump

__all__ = ["CampaignFileError", "LoadResult", "campaign_load", "check_campaign", "read_campaign_file"]

# --- loading ----------------------------------------------------------------------------


@dataclass
class LoadResult:
    campaign: Campaign
    created: bool
    findings: Findings
    changes: list


def campaign_load(*, path=None, spec=None):
    """Load (or update) a campaign from a file, in one transaction. Raises CampaignFileError
    when the file is malformed, inconsistent, or would delete something reports use."""
    if spec is None:
        spec = read_campaign_file(path)
    findings = check_campaign(spec)
    if not findings.loadable:
        raise CampaignFileError(findings.errors)
    with transaction.atomic():
        campaign, created, changes = _apply(spec, source=str(path or ""))
        structure_bump(campaign=campaign)
    return LoadResult(campaign=campaign, created=created, findings=findings, changes=changes)


def _upsert(model, lookup, values, changes, label):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        changes.append(f"+ {label}")
        return obj
    dirty = [key for key, value in values.items() if getattr(obj, key) != value]
    if dirty:
        for key in dirty:
            setattr(obj, key, values[key])
        obj.save(update_fields=dirty)
        changes.append(f"~ {label} ({', '.join(dirty)})")
    return obj


def _set_many(related, ids, changes, label):
    """Make a many-to-many relation hold exactly `ids`, noting the change."""
    if set(related.values_list("pk", flat=True)) != ids:
        related.set(ids)
        changes.append(f"~ {label}")


def _apply(spec, source):
    changes = []
    c = spec["campaign"]
    anniversaries = [{k: v for k, v in a.items() if k != "path"} for a in c["anniversaries"]]
    existing = Campaign.objects.filter(code=c["code"]).first()
    campaign = _upsert(
        Campaign,
        {"code": c["code"]},
        {
            key: c[key]
            for key in (
                "title",
                "directive_kind",
                "directive_number",
                "directive_date",
                "issuer",
                "issuer_parent",
                "province",
                "place",
                "signer_name",
                "signer_title",
                "signer_authority",
                "implements",
                "summary_symbol",
                "recipients",
                "starts_on",
                "ends_on",
                "unit_deadline",
                "summary_deadline",
                "status",
            )
        }
        | {"anniversaries": anniversaries, "source_file": Path(source).name if source else ""},
        changes,
        f"phong trào {c['code']}",
    )
    _apply_awards(campaign, c.get("awards", ""), changes)
    units = _apply_units(spec, campaign, changes)
    groups = _apply_groups(spec, campaign, units, changes)

    section_codes = {s["code"] for s in spec["sections"]}
    measure_codes = {m["code"] for m in spec["measures"]}
    target_codes = {t["code"] for t in spec["targets"]}

    sections = {}
    for order, section in enumerate(spec["sections"], start=1):
        sections[section["code"]] = _upsert(
            Section,
            {"campaign": campaign, "code": section["code"]},
            {"order": order, "title": section["title"], "description": section["description"]},
            changes,
            f"phần {section['code']}",
        )

    measures = {}
    for order, measure in enumerate(spec["measures"], start=1):
        obj = _upsert(
            Measure,
            {"campaign": campaign, "code": measure["code"]},
            {
                "section": sections[measure["section"]],
                "order": order,
                "name": measure["name"],
                "unit_of_measure": measure["unit_of_measure"],
                "value_type": measure["value_type"],
                "aggregation": measure["aggregation"],
                "reporter_kinds": measure["reporter_kinds"],
                "description": measure["description"],
            },
            changes,
            f"chỉ số {measure['code']}",
        )
        reporters = {units[code].pk for code in measure["reporter_units"]}
        _set_many(obj.reporter_units, reporters, changes, f"chỉ số {measure['code']} (đơn vị báo cáo)")
        measures[measure["code"]] = obj
    for measure in spec["measures"]:
        obj = measures[measure["code"]]
        whole = measures[measure["part_of"]] if measure["part_of"] else None
        if obj.part_of != whole:
            obj.part_of = whole
            obj.save(update_fields=["part_of"])

    names = {m["code"]: m["name"] for m in spec["measures"]}
    targets = {}
    for order, target in enumerate(spec["targets"], start=1):
        formula = Formula.parse(target["formula"], target=target["code"])
        obj = _upsert(
            Target,
            {"campaign": campaign, "code": target["code"]},
            {
                "section": sections[target["section"]],
                "order": order,
                "name": target["name"],
                "unit_of_measure": target["unit_of_measure"],
                "formula": formula.source,
                "formula_text": formula.in_words(names),
                "over_kinds": target["over_kinds"],
                "direction": target["direction"],
                "is_rate": target["is_rate"],
                "headline": target["headline"],
                "note": target["note"],
            },
            changes,
            f"chỉ tiêu {target['code']}",
        )
        targets[target["code"]] = obj
        _sync_goals(obj, target["goals"], units, groups, changes)
    for target in spec["targets"]:
        obj = targets[target["code"]]
        parent = targets[target["parent"]] if target["parent"] else None
        if obj.parent != parent:
            obj.parent = parent
            obj.save(update_fields=["parent"])

    # Remove what the file no longer lists. Reports protect what they use (their foreign keys
    # are PROTECT), so the load is refused, whole, rather than losing a report's figures.
    problems = []
    for what, queryset in (
        ("chỉ tiêu", campaign.targets.exclude(code__in=target_codes)),
        ("chỉ số", campaign.measures.exclude(code__in=measure_codes)),
        ("phần", campaign.sections.exclude(code__in=section_codes)),
        ("nhóm", campaign.groups.exclude(code__in=groups)),
    ):
        for obj in queryset:
            try:
                obj.delete()
            except ProtectedError as exc:
                problems.append(
                    f"{what} '{obj.code}' không còn trong tệp nhưng đã có {len(exc.protected_objects)} bản ghi "
                    f"báo cáo dùng nó; không thể xóa (giữ lại {what} trong tệp)"
                )
            else:
                changes.append(f"- {what} {obj.code}")
    if problems:
        raise CampaignFileError(problems)

    created = existing is None
    return campaign, created, changes


def _apply_awards(campaign, code, changes):
    """Link the campaign to the award catalogue its file names, and give its old free-text
    proposals the form their text names. A campaign whose proposals already use forms of one
    catalogue keeps it: the file may not point it elsewhere."""
    catalogue = AwardCatalogue.objects.get(code=code) if code else None
    if campaign.award_catalogue_id != (catalogue.pk if catalogue else None):
        old = campaign.award_catalogue
        used = proposals_using(campaign=campaign, catalogue=old) if old else 0
        if used:
            raise CampaignFileError(
                [
                    f"campaign.awards: {used} đề nghị khen thưởng của phong trào đã dùng hình thức của danh mục "
                    f"'{old.code}'; không đổi danh mục của phong trào (giữ awards: {old.code})"
                ]
            )
        campaign.award_catalogue = catalogue
        campaign.save(update_fields=["award_catalogue"])
        changes.append(f"~ phong trào {campaign.code} (danh mục khen thưởng: {code or 'không có'})")
    matched = proposals_match_forms(campaign=campaign)
    if matched:
        changes.append(f"~ {matched} đề nghị khen thưởng cũ nhận hình thức theo tên đã ghi")


def _apply_units(spec, campaign, changes):
    """Record the file's units for its campaign, and keep each unit's identity: a unit's dates
    and successor are facts of its life (a file that leaves them out keeps what is known); its
    current name, kind, head title and parent follow the latest campaign that lists it."""
    c = spec["campaign"]
    participants = set(participant_codes(spec))
    ends = c["ends_on"] or c["summary_deadline"]
    codes = [unit["code"] for unit in spec["units"]]
    history = {
        code for unit in spec["units"] for code in (unit["parent"], unit["successor"], *unit["predecessors"]) if code
    }
    units = {obj.code: obj for obj in Unit.objects.filter(code__in=history - set(codes))}
    listed_later = set(
        CampaignUnit.objects.filter(unit__code__in=codes)
        .exclude(campaign=campaign)
        .filter(Q(campaign__ends_on__gt=ends) | Q(campaign__ends_on__isnull=True, campaign__summary_deadline__gt=ends))
        .values_list("unit__code", flat=True)
    )
    for unit in spec["units"]:
        current = {"name": unit["name"], "kind": unit["kind"], "head_title": unit["head_title"]}
        facts = {key: unit[key] for key in ("valid_from", "valid_until") if unit[key] is not None}
        # A unit no campaign listed later takes this file's name, kind and head title.
        values = facts | ({} if unit["code"] in listed_later else current)
        units[unit["code"]] = _upsert(Unit, {"code": unit["code"]}, values, changes, f"đơn vị {unit['code']}")
    for unit in spec["units"]:
        parent = units[unit["parent"]] if unit["parent"] else None
        links = {"successor": units[unit["successor"]]} if unit["successor"] else {}
        if unit["code"] not in listed_later:
            links["parent"] = parent
        obj = _upsert(Unit, {"code": unit["code"]}, links, changes, f"đơn vị {unit['code']}")
        member = _upsert(
            CampaignUnit,
            {"campaign": campaign, "unit": obj},
            {
                "name": unit["name"],
                "kind": unit["kind"],
                "head_title": unit["head_title"],
                "document_symbol": unit["document_symbol"],
                "parent": parent,
                "participant": unit["code"] in participants,
            },
            changes,
            f"đơn vị {unit['code']} trong phong trào",
        )
        predecessors = {units[code].pk for code in unit["predecessors"]}
        _set_many(member.predecessors, predecessors, changes, f"đơn vị {unit['code']} (tiền thân)")
    gone = campaign.units.exclude(unit__code__in=codes)
    for code in gone.values_list("unit__code", flat=True):
        changes.append(f"- đơn vị {code} trong phong trào")
    gone.delete()
    return units


def _apply_groups(spec, campaign, units, changes):
    groups = {}
    for group in spec["groups"]:
        obj = _upsert(
            UnitGroup,
            {"campaign": campaign, "code": group["code"]},
            {"name": group["name"], "kind": group["kind"], "note": group["note"]},
            changes,
            f"nhóm {group['code']}",
        )
        members = {units[code].pk for code in group["units"]}
        _set_many(obj.units, members, changes, f"nhóm {group['code']} (thành viên)")
        groups[group["code"]] = obj
    return groups


def _sync_goals(target, goals, units, groups, changes):
    wanted = set()
    for goal in goals:
        ref = goal["ref"]
        key = (
            goal["scope"],
            ref if goal["scope"] == GoalScope.KIND.value else "",
            groups[ref].pk if goal["scope"] == GoalScope.GROUP.value else None,
            units[ref].pk if goal["scope"] == GoalScope.UNIT.value else None,
            goal["value"].quantize(Decimal("0.0001")),
            goal["due"],
        )
        wanted.add(key)
    current = {
        (g.scope, g.unit_kind, g.group_id, g.unit_id, g.value.quantize(Decimal("0.0001")), g.due): g
        for g in target.goals.all()
    }
    if set(current) == wanted:
        return
    target.goals.all().delete()
    for scope, kind, group_id, unit_id, value, due in sorted(wanted, key=str):
        Goal.objects.create(
            target=target, scope=scope, unit_kind=kind, group_id=group_id, unit_id=unit_id, value=value, due=due
        )
    changes.append(f"~ chỉ tiêu {target.code} (mức)")
