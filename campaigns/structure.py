"""A campaign's structure, read once per process and kept until the campaign changes.

What a campaign file sets changes only when the file is loaded (or an administrator edits it),
yet every report form, save, check and figure reads it: the sections, the measures and who
reports them, the targets with their parsed formulas and goals, the unit groups and their
members. `campaign_structure(campaign)` gives it from a process-local cache.

Every change to a campaign's structure gives the campaign a new `structure_version`
(`structure_bump`), in the same transaction as the change: `campaign_load`,
`campaign_set_participants` and the admin pages of sections, measures, targets, goals, groups
and campaign units call it. A request reads the stamp with the campaign it already loads, and
the cached structure is used only when it was built at that stamp; otherwise it is read again.
So no process serves a structure older than the last load, nothing is shared between processes
and nothing needs to be told to forget. The stamp is random, so two databases (tests,
benchmarks) never share one.

The cached objects are shared by every request of the process: read them, never set
attributes on them (copy first, as `Structure.sections_copy` does).
"""

import copy
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch

from .formula import Formula
from .models import Campaign, Goal, UnitGroup

_cache = {}  # campaign pk → Structure


@dataclass(frozen=True, eq=False)
class Structure:
    """One campaign's structure at one `version` (its `structure_version`).

    `measures` and `targets` are in the directive's order (section, then order); each measure
    has its `section` and `reporter_units` loaded, each target its `section`, `parent`, goals
    (with their group) and `parsed` formula. `groups` are the unit groups with at least one
    participant, each with `member_ids` (the participants in it)."""

    campaign_id: int
    version: uuid.UUID
    sections: tuple
    measures: tuple
    targets: tuple
    groups: tuple
    reporters: dict  # measure code → (unit kinds, unit ids) expected to report it
    _for_unit: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "measure_by_code", {measure.code: measure for measure in self.measures})
        set_(self, "measure_by_id", {measure.pk: measure for measure in self.measures})
        set_(self, "code_by_measure_id", {measure.pk: measure.code for measure in self.measures})
        set_(self, "section_by_code", {section.code: section for section in self.sections})
        set_(self, "target_by_code", {target.code: target for target in self.targets})

    def reports_measure(self, unit, code):
        """True when `unit` (as in the campaign) is expected to report measure `code`."""
        kinds, units = self.reporters.get(code, ((), ()))
        return unit.kind in kinds or unit.pk in units

    def measures_for_unit(self, unit):
        """The measures `unit` (as in the campaign) reports, in the directive's order."""
        key = (unit.pk, unit.kind)
        measures = self._for_unit.get(key)
        if measures is None:
            measures = self._for_unit[key] = tuple(m for m in self.measures if self.reports_measure(unit, m.code))
        return list(measures)

    def sections_copy(self):
        """The sections as copies a page may annotate (`section.rows = …`)."""
        return [copy.copy(section) for section in self.sections]


def campaign_structure(campaign):
    """The structure of `campaign` as of its `structure_version`: from this process's cache
    when it was built at that stamp, else read from the database (a handful of queries,
    whatever the number of measures) and kept."""
    cached = _cache.get(campaign.pk)
    if cached is not None and cached.version == campaign.structure_version:
        return cached
    structure = structure_build(campaign)
    _cache[campaign.pk] = structure
    return structure


def structure_bump(*, campaign):
    """Give `campaign` a new structure version: call it inside the transaction that changes
    the campaign's sections, measures, targets, goals, groups or participants."""
    campaign.structure_version = uuid.uuid4()
    Campaign.objects.filter(pk=campaign.pk).update(structure_version=campaign.structure_version)


def structure_build(campaign):
    """Read `campaign`'s structure from the database (uncached)."""
    sections = tuple(campaign.sections.order_by("order"))
    measures = tuple(
        campaign.measures.select_related("section")
        .prefetch_related("reporter_units")
        .order_by("section__order", "order")
    )
    targets = tuple(
        campaign.targets.select_related("section", "parent")
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.select_related("group")))
        .order_by("section__order", "order")
    )
    for target in targets:
        target.parsed = Formula.parse(target.formula, target=target.code)
    reporters = {
        measure.code: (
            frozenset(measure.reporter_kinds or ()),
            frozenset(unit.pk for unit in measure.reporter_units.all()),
        )
        for measure in measures
    }
    return Structure(
        campaign_id=campaign.pk,
        version=campaign.structure_version,
        sections=sections,
        measures=measures,
        targets=targets,
        groups=_participant_groups(campaign),
        reporters=reporters,
    )


def _participant_groups(campaign):
    """The unit groups with at least one participant, each with `member_ids` (one query, one
    row per membership)."""
    fields = [field.attname for field in UnitGroup._meta.concrete_fields]
    rows = (
        UnitGroup.units.through.objects.filter(
            unitgroup__campaign=campaign,
            unit__campaign_units__campaign=campaign,
            unit__campaign_units__participant=True,
        )
        .order_by("unitgroup__kind", "unitgroup__code")
        .values_list("unit_id", *(f"unitgroup__{name}" for name in fields))
    )
    groups = defaultdict(set)
    built = {}
    for unit_id, *values in rows:
        if values[0] not in built:
            built[values[0]] = UnitGroup.from_db("default", fields, values)
        groups[values[0]].add(unit_id)
    for pk, group in built.items():
        group.member_ids = frozenset(groups[pk])
    return tuple(built.values())
