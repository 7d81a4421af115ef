from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Rows that only services write: the admin shows them, it never changes them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "business", "actor", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "business__legal_name", "actor__email"]
    list_select_related = ["business", "actor"]
    date_hierarchy = "created_at"
