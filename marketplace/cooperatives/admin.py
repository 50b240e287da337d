"""Django admin for cooperatives and their certifications."""

from django.contrib import admin

from marketplace.cooperatives.forms import CooperativeForm
from marketplace.cooperatives.models import Certification, Cooperative


class CertificationInline(admin.TabularInline):
    model = Certification
    extra = 0


@admin.register(Cooperative)
class CooperativeAdmin(admin.ModelAdmin):
    form = CooperativeForm
    list_display = ("legal_name", "credit_code", "village", "member_households", "poverty_area")
    list_filter = ("poverty_area",)
    search_fields = ("legal_name", "credit_code")
    inlines = [CertificationInline]

    def get_fields(self, request, obj=None):
        return ["partner", "slug", *CooperativeForm.Meta.fields]
