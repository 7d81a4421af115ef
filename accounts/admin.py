from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts import services
from accounts.models import ApiToken, Business, PendingSignup, Throttle, User


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin[Business]):
    list_display = ["display_name", "siret", "city", "email", "vat_status", "created_at"]
    search_fields = ["legal_name", "trade_name", "siret", "email", "city"]
    list_filter = ["vat_status", "activity", "penalty_terms"]
    readonly_fields = ["created_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    """Django's user admin, with the e-mail as the login instead of a username."""

    ordering = ["email"]
    list_display = ["email", "name", "business", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "name", "business__legal_name"]
    list_select_related = ["business"]
    autocomplete_fields = ["business"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("name", "business")}),
        ("Droits", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "business", "password1", "password2")}),)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Tokens are made by their owner (settings page or CLI): here they can only be read and revoked."""

    list_display = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__email", "hint"]
    list_select_related = ["user"]
    readonly_fields = ["user", "name", "key_hash", "hint", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Révoquer les jetons sélectionnés")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        tokens = list(queryset.active().select_related("user__business"))  # type: ignore[attr-defined]
        for token in tokens:
            services.revoke_token(token=token, actor=request.user if isinstance(request.user, User) else None)
        self.message_user(request, f"{len(tokens)} jeton(s) révoqué(s).", messages.SUCCESS)


@admin.register(Throttle)
class ThrottleAdmin(admin.ModelAdmin[Throttle]):
    """Deleting a row lifts that limit before its period ends."""

    list_display = ["scope", "email", "ip", "hits", "window_start"]
    list_filter = ["scope"]
    search_fields = ["email", "ip"]
    readonly_fields = ["scope", "email", "ip", "hits", "window_start"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(PendingSignup)
class PendingSignupAdmin(admin.ModelAdmin[PendingSignup]):
    list_display = ["email", "business_name", "created_at"]
    search_fields = ["email", "business_name"]
    fields = ["email", "business_name", "created_at"]
    readonly_fields = ["email", "business_name", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
