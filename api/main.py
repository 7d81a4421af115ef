"""The REST API at /api/v1/: one NinjaAPI, routers per domain, bearer-token auth."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import ValidationError, ValidationErrorContext

from api import (
    automation,
    bank,
    dunning,
    errors,
    exports,
    imports_csv,
    imports_einvoice,
    late_payments,
    ledger,
    penalties,
    recovery,
)


class RelanceAPI(NinjaAPI):
    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> ValidationError:
        """Errors in a JSON body point at ["body", field], not at the view's parameter name."""
        # An explicit null where a value is required: say so, rather than "invalid number".
        nulls = {
            (context.model.__ninja_param_source__, *error["loc"])
            for context in error_contexts
            for error in context.pydantic_validation_error.errors(include_url=False)
            if error["input"] is None and error["type"] != "missing"
        }
        error = super().validation_error_from_error_contexts(error_contexts)
        body_params = {getattr(context.model, "__read_from_single_attr__", None) for context in error_contexts}
        for item in error.errors:
            loc: tuple[Any, ...] = tuple(item["loc"])
            if loc in nulls:
                item["type"] = "none_forbidden"
            if len(loc) >= 2 and loc[0] == "body" and loc[1] in body_params:
                item["loc"] = (loc[0], *loc[2:])
        return error


api = RelanceAPI(
    title="Relance API",
    version="1.0.0",
    description=(
        "Clients, factures, règlements, avoirs, relances et pénalités de retard.\n\n"
        "Authentification : `Authorization: Bearer <jeton>` (jeton créé dans les réglages ou par "
        '`relance token create`). Montants en chaînes décimales à deux décimales (`"1234.50"`), '
        "acceptés en entrée sous forme de chaîne ou de nombre ; dates au format ISO `AAAA-MM-JJ`. "
        "Erreurs, avec un message en français : 401 jeton manquant ou invalide, 404 introuvable (y compris l’objet d’une autre "
        "entreprise), 409 état incompatible, 422 saisie invalide avec le champ en cause "
        '(`{"detail": [{"loc": ["body", "amount"], "msg": "…", "type": "…"}]}`).'
    ),
    urls_namespace="api",
)


def in_french(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The API answers in French whatever Accept-Language says: the messages written here are
    French only, and those of Django's validators must not switch language beside them."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with translation.override("fr"):
            return view(request, *args, **kwargs)

    return wrapper


errors.register(api)
api.add_decorator(in_french, mode="view")
api.add_router("/", ledger.router)
api.add_router("/", late_payments.router)
api.add_router("/", dunning.router)
api.add_router("/", penalties.router)
api.add_router("/", imports_csv.router)
api.add_router("/", imports_einvoice.router)
api.add_router("/", recovery.router)
api.add_router("/", bank.router)
api.add_router("/", exports.router)
api.add_router("/", automation.router)
