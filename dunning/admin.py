"""Admin: templates editable (placeholders checked); reminders read-only, never deleted.

Reminders change only through `dunning.services`, here as in pages and API: a frozen
reminder is proof and cannot be edited or deleted, only deactivated or reactivated.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from core.errors import Conflict
from dunning import services
from dunning.models import Reminder, ReminderInvoice, ReminderTemplate


class ReminderTemplateForm(forms.ModelForm[ReminderTemplate]):
    class Meta:
        model = ReminderTemplate
        fields = [
            "business",
            "level",
            "letter_subject",
            "letter_body",
            "email_subject",
            "email_body",
            "include_penalties",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            services.check_placeholders(
                {
                    field: data.get(field, "")
                    for field in ["letter_subject", "letter_body", "email_subject", "email_body"]
                }
            )
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                self.add_error(field, field_messages)
        return data


@admin.register(ReminderTemplate)
class ReminderTemplateAdmin(admin.ModelAdmin[ReminderTemplate]):
    form = ReminderTemplateForm
    list_display = ["business", "level", "include_penalties", "updated_at"]
    list_filter = ["level"]
    search_fields = ["business__legal_name", "business__trade_name"]


class ReminderInvoiceInline(admin.TabularInline[ReminderInvoice, Reminder]):
    model = ReminderInvoice
    fields = ["invoice"]
    readonly_fields = ["invoice"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin[Reminder]):
    list_display = ["reference", "business", "client", "level", "channel", "status", "frozen_at", "deactivated_at"]
    list_filter = ["status", "level", "channel"]
    search_fields = ["reference", "client__name", "message_id", "registered_number"]
    list_select_related = ["business", "client"]
    inlines = [ReminderInvoiceInline]
    actions = ["deactivate", "reactivate"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _apply(self, request: HttpRequest, queryset: QuerySet[Reminder], change: Any, done: str) -> None:
        count = 0
        for reminder in queryset:
            try:
                change(reminder=reminder, actor=request.user)
            except Conflict as error:
                self.message_user(request, f"{reminder} : {error}", messages.WARNING)
            else:
                count += 1
        if count:
            self.message_user(request, f"{count} relance(s) {done}.", messages.SUCCESS)

    @admin.action(description="Désactiver les relances sélectionnées")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Reminder]) -> None:
        self._apply(request, queryset, services.deactivate_reminder, "désactivée(s)")

    @admin.action(description="Réactiver les relances sélectionnées")
    def reactivate(self, request: HttpRequest, queryset: QuerySet[Reminder]) -> None:
        self._apply(request, queryset, services.reactivate_reminder, "réactivée(s)")
