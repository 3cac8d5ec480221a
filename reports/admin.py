from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import (
    Commendation,
    ErrorRecord,
    Evidence,
    MeasureValue,
    Narrative,
    Reminder,
    ReportEvent,
    ReportPrint,
    Summary,
    UnitReport,
)


class MeasureValueInline(admin.TabularInline):
    model = MeasureValue
    extra = 0
    readonly_fields = ["measure", "value", "no_data", "note"]
    can_delete = False


@admin.register(UnitReport)
class UnitReportAdmin(admin.ModelAdmin):
    list_display = ["unit", "campaign", "status", "is_late", "version", "submitted_at", "reviewed_at"]
    list_filter = ["campaign", "status", "is_late", "unit__kind"]
    search_fields = ["unit__name", "unit__code"]
    inlines = [MeasureValueInline]
    readonly_fields = ["version"]


@admin.register(ReportEvent)
class ReportEventAdmin(admin.ModelAdmin):
    list_display = ["report", "action", "by", "at", "version"]
    list_filter = ["action"]
    search_fields = ["report__unit__name"]


@admin.register(Summary)
class SummaryAdmin(admin.ModelAdmin):
    list_display = ["campaign", "number", "status", "progress", "requested_by", "created_at", "finished_at"]
    list_filter = ["campaign", "status"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["campaign", "unit", "milestone", "sent_at", "sent_by"]
    list_filter = ["campaign", "milestone"]
    search_fields = ["unit__name"]


@admin.register(ErrorRecord)
class ErrorRecordAdmin(admin.ModelAdmin):
    """Read only: what a reference a user quotes stands for (reports.errors)."""

    list_display = ["reference", "at", "where", "exception_type", "user"]
    list_filter = ["exception_type"]
    search_fields = ["reference", "where", "exception_type"]
    date_hierarchy = "at"
    fields = readonly_fields = ["reference", "at", "where", "user", "exception_type", "message", "traceback_lines"]

    @admin.display(description=_("vết lỗi (traceback)"))
    def traceback_lines(self, record):
        return format_html("<pre>{}</pre>", record.traceback)  # its indentation says where each line is

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register([Narrative, Commendation, Evidence, ReportPrint])
