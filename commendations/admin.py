from django.contrib import admin

from .models import AwardCatalogue, AwardForm, CouncilSession, Decision, ProposalEvent


class AwardFormInline(admin.TabularInline):
    model = AwardForm
    extra = 0
    fields = ("order", "code", "name", "category", "level", "recipients", "council_threshold", "certificate")
    readonly_fields = fields
    can_delete = False


@admin.register(AwardCatalogue)
class AwardCatalogueAdmin(admin.ModelAdmin):
    """Catalogues come from their files (manage.py load_awards); the admin only reads them."""

    list_display = ("code", "title", "province", "source_file", "loaded_at")
    readonly_fields = ("code", "title", "province", "legal_basis", "council", "notes", "source_file", "digest")
    inlines = [AwardFormInline]

    def has_add_permission(self, request):
        return False


@admin.register(ProposalEvent)
class ProposalEventAdmin(admin.ModelAdmin):
    list_display = ("proposal", "action", "by", "at")
    list_filter = ("action",)
    readonly_fields = ("proposal", "action", "by", "at", "reason", "detail")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(CouncilSession)
admin.site.register(Decision)
