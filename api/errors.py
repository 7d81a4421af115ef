"""The API's error responses: one JSON shape, French messages, whatever raised them.

422 {"detail": [{"loc": ["body", field], "msg": "…", "type": "…"}]} for invalid input (django-ninja's
request validation and the services' `ValidationError` alike), 409 {"detail": "…"} for a state
conflict, 404 {"detail": "Introuvable."}, 401 {"detail": "Jeton d’API manquant ou invalide."}.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic_core import PydanticCustomError

from core import dates, money
from core.errors import Conflict, NotFound

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise
    from ninja import NinjaAPI

NOT_FOUND = "Introuvable."
UNAUTHENTICATED = "Jeton d’API manquant ou invalide."
INVALID_NUMBER = "Nombre invalide."
INVALID_DATE = "Date invalide (format AAAA-MM-JJ)."
INVALID_TEXT = "Texte attendu."

# pydantic's error types (and the API's own, raised by `custom_error`) → French message,
# formatted with the error's context (`max_length`, `ge`, `expected`…). The rules that pages
# and services state too take their message from core, so that all of them say the same.
MESSAGES: dict[str, "str | StrPromise"] = {
    "missing": "Champ obligatoire.",
    "extra_forbidden": "Champ inconnu.",
    "json_invalid": "Corps de requête illisible : du JSON est attendu.",
    "model_type": "Objet JSON attendu.",
    "model_attributes_type": "Objet JSON attendu.",
    "dict_type": "Objet JSON attendu.",
    "list_type": "Liste attendue.",
    "int_parsing": "Nombre entier invalide.",
    "int_type": "Nombre entier invalide.",
    "int_from_float": "Nombre entier invalide.",
    "int_parsing_size": "Nombre entier invalide.",
    "float_parsing": INVALID_NUMBER,
    "float_type": INVALID_NUMBER,
    "finite_number": INVALID_NUMBER,
    "decimal_parsing": INVALID_NUMBER,
    "decimal_type": INVALID_NUMBER,
    "decimal_max_digits": INVALID_NUMBER,
    "decimal_whole_digits": INVALID_NUMBER,
    "decimal_max_places": "Deux décimales au maximum.",
    "money_invalid": "Nombre invalide : un montant s’écrit par exemple 1234.50.",
    "money_places": "Deux décimales au maximum (les centimes).",
    "money_negative": "Le montant ne peut pas être négatif.",
    "money_too_large": "Montant trop élevé (10 chiffres au maximum avant la virgule).",
    "money_digits": money.FOREIGN_DIGITS,
    "date_type": INVALID_DATE,
    "date_parsing": INVALID_DATE,
    "date_from_datetime_parsing": INVALID_DATE,
    "date_from_datetime_inexact": INVALID_DATE,
    "date_invalid": INVALID_DATE,
    "date_out_of_range": dates.OUT_OF_RANGE,
    "bool_parsing": "Valeur invalide : true ou false attendu.",
    "bool_type": "Valeur invalide : true ou false attendu.",
    "string_type": INVALID_TEXT,
    "string_unicode": INVALID_TEXT,
    "string_sub_type": INVALID_TEXT,
    "string_too_long": "Texte trop long : {max_length} caractères au maximum.",
    "string_too_short": "Texte trop court : {min_length} caractères au minimum.",
    "string_pattern_mismatch": "Format invalide.",
    "null_character": "Le texte contient un caractère interdit (NUL).",
    "email_invalid": "Adresse e-mail invalide.",
    "literal_error": "Valeur non autorisée : choisissez parmi {expected}.",
    "enum": "Valeur non autorisée : choisissez parmi {expected}.",
    "greater_than": "La valeur doit être supérieure à {gt}.",
    "greater_than_equal": "La valeur doit être supérieure ou égale à {ge}.",
    "less_than": "La valeur doit être inférieure à {lt}.",
    "less_than_equal": "La valeur doit être inférieure ou égale à {le}.",
    "none_forbidden": "Ce champ ne peut pas être null.",
}
FALLBACK = "Valeur invalide."

# Where a service names a model field differently from the API's field.
API_FIELD_NAMES = {"client": "client_id", "cancel_reason": "reason", "invoice": "invoice_id"}


def custom_error(error_type: str, **context: Any) -> PydanticCustomError:
    """A validation error whose French message comes from MESSAGES, like pydantic's own."""
    return PydanticCustomError(error_type, str(MESSAGES[error_type]), context or None)


def french_message(error_type: str, context: dict[str, Any] | None) -> str:
    template = MESSAGES.get(error_type)
    if template is None:
        return FALLBACK
    context = dict(context or {})
    if "expected" in context:
        # pydantic writes "'business' or 'consumer'"; the French reads "business, consumer".
        context["expected"] = str(context["expected"]).replace("'", "").replace(" or ", ", ")
    try:
        return str(template).format(**context)
    except (KeyError, IndexError):
        return FALLBACK


def translate(errors: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """django-ninja's pydantic errors, with French messages and without pydantic's internals."""
    detail = []
    for error in errors:
        loc = [part for part in error.get("loc", ()) if part != "__root__"]
        error_type = error.get("type", "value_error")
        msg = french_message(error_type, error.get("ctx"))
        if loc == ["body"] and error_type == "missing":
            msg = "Corps de requête JSON obligatoire."
        detail.append({"loc": loc, "msg": msg, "type": error_type})
    return detail


def validation_detail(exc: DjangoValidationError) -> list[dict[str, Any]]:
    """A service's ValidationError (field → French message) as the API's 422 detail."""
    if not hasattr(exc, "error_dict"):
        return [{"loc": ["body"], "msg": message, "type": "value_error"} for message in exc.messages]
    detail: list[dict[str, Any]] = []
    for field, messages in exc.message_dict.items():
        loc = ["body"] if field == NON_FIELD_ERRORS else ["body", API_FIELD_NAMES.get(field, field)]
        detail.extend({"loc": loc, "msg": message, "type": "value_error"} for message in messages)
    return detail


HTTP_ERROR_MESSAGES = {
    400: "Requête invalide.",
    403: "Accès refusé.",
    429: "Trop de requêtes : réessayez dans un instant.",
}


def register(api: "NinjaAPI") -> None:
    def on_ninja_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": translate(exc.errors)}, status=422)

    def on_service_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": validation_detail(exc)}, status=422)

    def on_conflict(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc)}, status=409)

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": NOT_FOUND}, status=404)

    def on_unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
        response = api.create_response(request, {"detail": UNAUTHENTICATED}, status=401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            # A body that is not JSON is one more invalid input: same 422 shape as the others.
            detail = [{"loc": ["body"], "msg": MESSAGES["json_invalid"], "type": "json_invalid"}]
            return api.create_response(request, {"detail": detail}, status=422)
        message = HTTP_ERROR_MESSAGES.get(exc.status_code, str(exc))
        return api.create_response(request, {"detail": message}, status=exc.status_code)

    api.add_exception_handler(NinjaValidationError, on_ninja_validation)
    api.add_exception_handler(DjangoValidationError, on_service_validation)
    api.add_exception_handler(Conflict, on_conflict)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(NotFound, on_not_found)
    api.add_exception_handler(AuthenticationError, on_unauthenticated)
    api.add_exception_handler(HttpError, on_http_error)
