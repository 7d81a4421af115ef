"""The ledger in /admin/, read only: every change goes through `ledger.services`, which keeps
each invoice's amount due in step and writes the audit log; an admin form would do neither."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.admin import ReadOnlyAdmin
from ledger.models import Client, CreditNote, Invoice, Payment


class PaymentInline(admin.TabularInline[Any, Invoice]):
    model = Payment
    fields = ["date", "amount", "method", "reference"]
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CreditNoteInline(PaymentInline):
    model = CreditNote  # type: ignore[assignment]
    fields = ["number", "date", "amount", "reason"]


@admin.register(Client)
class ClientAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "business", "email", "city", "reminders_paused"]
    list_filter = ["kind", "reminders_paused"]
    search_fields = ["name", "email", "city", "contact_name", "siren", "business__legal_name"]
    list_select_related = ["business"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "client", "business", "issue_date", "due_date", "total_incl_tax", "amount_due"]
    list_filter = ["disputed", "issue_date"]
    search_fields = ["number", "client__name", "business__legal_name"]
    list_select_related = ["client", "business"]
    date_hierarchy = "issue_date"
    inlines = [PaymentInline, CreditNoteInline]
