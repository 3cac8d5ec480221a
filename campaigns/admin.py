from django.contrib import admin

from .models import Campaign, CampaignUnit, Goal, Measure, Profile, Section, Target, Unit, UnitGroup


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "valid_from", "valid_until", "successor"]
    list_filter = ["kind", "valid_until"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent", "successor"]


@admin.register(UnitGroup)
class UnitGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "campaign"]
    list_filter = ["campaign", "kind"]
    search_fields = ["code", "name", "units__name"]
    filter_horizontal = ["units"]


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["code", "directive_number", "directive_date", "unit_deadline", "summary_deadline", "status"]
    list_filter = ["status", "directive_date"]
    search_fields = ["code", "title", "directive_number"]
    inlines = [SectionInline]


@admin.register(CampaignUnit)
class CampaignUnitAdmin(admin.ModelAdmin):
    list_display = ["unit", "name", "kind", "campaign", "participant"]
    list_filter = ["campaign", "kind", "participant"]
    search_fields = ["unit__code", "name"]
    autocomplete_fields = ["unit", "parent"]
    filter_horizontal = ["predecessors"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["campaign", "code", "title", "order"]
    list_filter = ["campaign"]
    search_fields = ["code", "title"]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "campaign", "section", "unit_of_measure", "value_type", "aggregation"]
    list_filter = ["campaign", "section", "value_type", "aggregation"]
    search_fields = ["code", "name"]
    filter_horizontal = ["reporter_units"]


class GoalInline(admin.TabularInline):
    model = Goal
    extra = 0


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "campaign", "section", "direction", "is_rate", "headline"]
    list_filter = ["campaign", "section", "direction", "headline"]
    search_fields = ["code", "name", "formula"]
    inlines = [GoalInline]


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["target", "scope", "unit_kind", "group", "unit", "value", "due"]
    list_filter = ["scope", "target__campaign"]
    search_fields = ["target__code", "target__name", "unit__name", "group__name"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit", "phone"]
    list_filter = ["role", "unit__kind"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    autocomplete_fields = ["unit"]
