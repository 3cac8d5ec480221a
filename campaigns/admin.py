from django.contrib import admin

from .models import Campaign, CampaignUnit, Goal, Measure, Profile, Section, Target, Unit, UnitGroup
from .structure import structure_bump


class StructureAdmin(admin.ModelAdmin):
    """An admin page that changes a campaign's structure: each save or deletion gives the
    campaign a new structure version in the same transaction, so every process reads the
    change on its next request (campaigns.structure)."""

    def campaign_of(self, obj):
        return obj.campaign

    def save_related(self, request, form, formsets, change):
        # After the object, its many-to-many fields and its inlines are saved.
        super().save_related(request, form, formsets, change)
        structure_bump(campaign=self.campaign_of(form.instance))

    def delete_model(self, request, obj):
        campaign = self.campaign_of(obj)
        super().delete_model(request, obj)
        structure_bump(campaign=campaign)

    def delete_queryset(self, request, queryset):
        campaigns = {self.campaign_of(obj).pk: self.campaign_of(obj) for obj in queryset}
        super().delete_queryset(request, queryset)
        for campaign in campaigns.values():
            structure_bump(campaign=campaign)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "valid_from", "valid_until", "successor"]
    list_filter = ["kind", "valid_until"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent", "successor"]


@admin.register(UnitGroup)
class UnitGroupAdmin(StructureAdmin):
    list_display = ["code", "name", "kind", "campaign"]
    list_filter = ["campaign", "kind"]
    search_fields = ["code", "name", "units__name"]
    filter_horizontal = ["units"]


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(StructureAdmin):  # its sections are edited inline
    list_display = ["code", "directive_number", "directive_date", "unit_deadline", "summary_deadline", "status"]
    list_filter = ["status", "directive_date"]
    search_fields = ["code", "title", "directive_number"]
    inlines = [SectionInline]

    def campaign_of(self, obj):
        return obj


@admin.register(CampaignUnit)
class CampaignUnitAdmin(StructureAdmin):
    list_display = ["unit", "name", "kind", "campaign", "participant"]
    list_filter = ["campaign", "kind", "participant"]
    search_fields = ["unit__code", "name"]
    autocomplete_fields = ["unit", "parent"]
    filter_horizontal = ["predecessors"]


@admin.register(Section)
class SectionAdmin(StructureAdmin):
    list_display = ["campaign", "code", "title", "order"]
    list_filter = ["campaign"]
    search_fields = ["code", "title"]


@admin.register(Measure)
class MeasureAdmin(StructureAdmin):
    list_display = ["code", "name", "campaign", "section", "unit_of_measure", "value_type", "aggregation"]
    list_filter = ["campaign", "section", "value_type", "aggregation"]
    search_fields = ["code", "name"]
    filter_horizontal = ["reporter_units"]


class GoalInline(admin.TabularInline):
    model = Goal
    extra = 0


@admin.register(Target)
class TargetAdmin(StructureAdmin):
    list_display = ["code", "name", "campaign", "section", "direction", "is_rate", "headline"]
    list_filter = ["campaign", "section", "direction", "headline"]
    search_fields = ["code", "name", "formula"]
    inlines = [GoalInline]


@admin.register(Goal)
class GoalAdmin(StructureAdmin):
    list_display = ["target", "scope", "unit_kind", "group", "unit", "value", "due"]
    list_filter = ["scope", "target__campaign"]
    search_fields = ["target__code", "target__name", "unit__name", "group__name"]

    def campaign_of(self, obj):
        return obj.target.campaign


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit", "phone", "must_change_password"]
    list_filter = ["role", "unit__kind", "must_change_password"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    autocomplete_fields = ["unit"]

    def save_model(self, request, obj, form, change):
        # A profile given to an account nobody has signed in with yet: its password is the
        # one an administrator typed (accounts.admin), so it is changed at first sign-in.
        if not change and obj.user.last_login is None and obj.user.has_usable_password():
            obj.must_change_password = True
        super().save_model(request, obj, form, change)
