"""Checks of French business identifiers and uploads, with French messages."""

import math
import re

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from stdnum import bic, iban, luhn
from stdnum import exceptions as stdnum_errors
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.fr import tva as fr_tva

from accounts import logos

LOGO_MAX_BYTES = 1024 * 1024
# Ten years. The buckets subtract the bound from today, which must remain a date (800000 days
# overflowed it); and a claim is time-barred after five years (art. L110-4 du Code de commerce).
MAX_BUCKET_DAYS = 3650


def luhn_ok(digits: str) -> bool:
    return luhn.is_valid(digits)


def normalize_identifier(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "")


def validate_siren(value: str) -> None:
    try:
        fr_siren.validate(normalize_identifier(value))
    except (stdnum_errors.InvalidFormat, stdnum_errors.InvalidLength):
        raise ValidationError(_("Le SIREN doit comporter 9 chiffres."), code="siren_format") from None
    except stdnum_errors.ValidationError:
        raise ValidationError(_("Ce SIREN n’est pas valide (clé de contrôle incorrecte)."), code="siren_key") from None


def validate_siret(value: str) -> None:
    """The SIRET, after its SIREN part, so that a wrong SIREN is named as such.

    python-stdnum knows La Poste's rule: its establishments share the SIREN 356000000 and their
    SIRET digits sum to a multiple of 5 instead of passing Luhn, except the head office's.
    """
    digits = normalize_identifier(value)
    if not re.fullmatch(r"\d{14}", digits):
        raise ValidationError(_("Le SIRET doit comporter 14 chiffres."), code="siret_format")
    validate_siren(digits[:9])
    if not fr_siret.is_valid(digits):
        raise ValidationError(_("Ce SIRET n’est pas valide (clé de contrôle incorrecte)."), code="siret_key")


def validate_siren_or_siret(value: str) -> None:
    digits = normalize_identifier(value)
    if len(digits) == 9:
        validate_siren(digits)
    elif len(digits) == 14:
        validate_siret(digits)
    else:
        raise ValidationError(_("Saisissez un SIREN (9 chiffres) ou un SIRET (14 chiffres)."), code="siret_format")


def normalize_iban(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def validate_iban(value: str) -> None:
    """ISO 13616, checked by python-stdnum: the mod-97 check digits and each country's account layout.

    The IBAN is stored as `normalize_iban` leaves it, so the characters python-stdnum would
    strip (dashes, dots) are refused here rather than stored.
    """
    iban_number = normalize_iban(value)
    format_error = ValidationError(
        _("L’IBAN doit commencer par le code pays et deux chiffres, par exemple FR76 3000 6000 0112 3456 7890 189."),
        code="iban_format",
    )
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", iban_number):
        raise format_error
    if iban_number.startswith("FR") and len(iban_number) != 27:
        raise ValidationError(_("Un IBAN français comporte 27 caractères."), code="iban_length")
    try:
        iban.validate(iban_number)
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(_("Cet IBAN n’est pas valide (clé de contrôle incorrecte)."), code="iban_key") from None
    except stdnum_errors.ValidationError:
        raise format_error from None


def validate_bic(value: str) -> None:
    """ISO 9362 through python-stdnum (which also knows the country codes); stored without spaces."""
    code = (value or "").strip().upper()
    if bic.compact(code) != code or not bic.is_valid(code):
        raise ValidationError(_("Le BIC comporte 8 ou 11 caractères, par exemple BNPAFRPPXXX."), code="bic_format")


def logo_too_many_pixels() -> ValidationError:
    return ValidationError(
        _(
            "Cette image compte trop de pixels : le logo doit en compter au plus %(millions)s millions "
            "(par exemple %(side)s × %(side)s). Réduisez-la avant de l’envoyer."
        )
        % {"millions": logos.MAX_PIXELS // 1_000_000, "side": math.isqrt(logos.MAX_PIXELS)},
        code="logo_pixels",
    )


def logo_unreadable() -> ValidationError:
    return ValidationError(_("Ce fichier n’est pas une image PNG ou JPEG lisible."), code="logo_image")


def logo_format(upload: UploadedFile[bytes]) -> str:
    """ "PNG" or "JPEG" for a real image of at most 1 Mo and logos.MAX_PIXELS pixels.

    The extension alone proves nothing; the pixel count is read from the header, before decoding.
    """
    if upload.size is not None and upload.size > LOGO_MAX_BYTES:
        raise ValidationError(_("Le logo ne doit pas dépasser 1 Mo."), code="logo_size")
    try:
        upload.seek(0)
        with logos.opened(upload) as image:
            image_format = image.format
            image.verify()
    except logos.TooManyPixels:
        raise logo_too_many_pixels() from None
    except (OSError, SyntaxError, ValueError):  # UnidentifiedImageError is an OSError
        raise logo_unreadable() from None
    finally:
        upload.seek(0)
    if image_format not in {"PNG", "JPEG"}:
        raise ValidationError(_("Le logo doit être une image PNG ou JPEG."), code="logo_format")
    return image_format


def validate_logo(upload: UploadedFile[bytes]) -> None:
    logo_format(upload)


def parse_bucket_bounds(value: str) -> list[int]:
    parts = [part for part in value.replace(" ", "").split(",") if part]
    # int() reads any script's digits ("٣٠" is 30): only 0-9 are day counts here.
    if not all(re.fullmatch(r"[0-9]+", part) for part in parts):
        raise ValueError(f"Not day counts: {value!r}")
    return [int(part) for part in parts]


def validate_bucket_bounds(value: str) -> None:
    try:
        bounds = parse_bucket_bounds(value)
    except ValueError:
        raise ValidationError(
            _("Saisissez des nombres de jours séparés par des virgules, par exemple 30,60,90."), code="bounds_format"
        ) from None
    if not bounds or len(bounds) > 8:
        raise ValidationError(_("Indiquez entre 1 et 8 bornes."), code="bounds_count")
    if any(b <= 0 for b in bounds) or bounds != sorted(set(bounds)):
        raise ValidationError(
            _("Les bornes doivent être des nombres de jours positifs et croissants."), code="bounds_order"
        )
    if bounds[-1] > MAX_BUCKET_DAYS:
        raise ValidationError(
            _("Une borne ne peut pas dépasser %(days)s jours (10 ans).") % {"days": MAX_BUCKET_DAYS},
            code="bounds_max",
        )


def validate_vat_number(value: str, siren: str = "") -> None:
    """EU VAT number; a French one (FR, a 2-digit key, the SIREN) is checked by python-stdnum.

    python-stdnum also takes the alphanumeric keys of businesses without a SIREN; Relance's
    businesses have one, so the key must be the numeric one, (12 + 3 × (SIREN mod 97)) mod 97.
    """
    number = normalize_identifier(value).upper()
    if not re.fullmatch(r"[A-Z]{2}[A-Z0-9]{2,13}", number):
        raise ValidationError(
            _("Le numéro de TVA commence par le code pays, par exemple FR40 303 265 045."), code="vat_format"
        )
    if not number.startswith("FR"):
        return
    if not re.fullmatch(r"FR\d{11}", number):
        raise ValidationError(
            _("Un numéro de TVA français comporte FR, 2 chiffres de clé et le SIREN."), code="vat_format"
        )
    if not fr_tva.is_valid(number):
        raise ValidationError(_("Ce numéro de TVA n’est pas valide (clé de contrôle incorrecte)."), code="vat_key")
    if siren and number[4:] != siren:
        raise ValidationError(_("Ce numéro de TVA ne correspond pas à votre SIREN."), code="vat_siren")
