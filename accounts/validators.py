"""Checks of French business identifiers and uploads, with French messages."""

import re

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

LOGO_MAX_BYTES = 1024 * 1024
# Ten years. The buckets subtract the bound from today, which must remain a date (800000 days
# overflowed it); and a claim is time-barred after five years (art. L110-4 du Code de commerce).
MAX_BUCKET_DAYS = 3650


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalize_identifier(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "")


def validate_siren(value: str) -> None:
    digits = normalize_identifier(value)
    if not re.fullmatch(r"\d{9}", digits):
        raise ValidationError(_("Le SIREN doit comporter 9 chiffres."), code="siren_format")
    if not luhn_ok(digits):
        raise ValidationError(_("Ce SIREN n’est pas valide (clé de contrôle incorrecte)."), code="siren_key")


def validate_siret(value: str) -> None:
    digits = normalize_identifier(value)
    if not re.fullmatch(r"\d{14}", digits):
        raise ValidationError(_("Le SIRET doit comporter 14 chiffres."), code="siret_format")
    validate_siren(digits[:9])
    # La Poste's establishments (SIREN 356000000) use a sum divisible by 5 instead of Luhn.
    if digits.startswith("356000000"):
        if sum(int(c) for c in digits) % 5 != 0:
            raise ValidationError(_("Ce SIRET n’est pas valide (clé de contrôle incorrecte)."), code="siret_key")
    elif not luhn_ok(digits):
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
    """ISO 13616: country code, two check digits, then the account; mod 97 must give 1."""
    iban = normalize_iban(value)
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", iban):
        raise ValidationError(
            _(
                "L’IBAN doit commencer par le code pays et deux chiffres, par exemple FR76 3000 6000 0112 3456 7890 189."
            ),
            code="iban_format",
        )
    if iban.startswith("FR") and len(iban) != 27:
        raise ValidationError(_("Un IBAN français comporte 27 caractères."), code="iban_length")
    rearranged = iban[4:] + iban[:4]
    numeric = "".join(str(int(char, 36)) for char in rearranged)
    if int(numeric) % 97 != 1:
        raise ValidationError(_("Cet IBAN n’est pas valide (clé de contrôle incorrecte)."), code="iban_key")


def validate_bic(value: str) -> None:
    if not re.fullmatch(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?", (value or "").strip().upper()):
        raise ValidationError(_("Le BIC comporte 8 ou 11 caractères, par exemple BNPAFRPPXXX."), code="bic_format")


def logo_format(upload: UploadedFile) -> str:
    """ "PNG" or "JPEG" for a real image of at most 1 Mo (the extension alone proves nothing)."""
    if upload.size is not None and upload.size > LOGO_MAX_BYTES:
        raise ValidationError(_("Le logo ne doit pas dépasser 1 Mo."), code="logo_size")
    from PIL import Image, UnidentifiedImageError

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("Ce fichier n’est pas une image PNG ou JPEG lisible."), code="logo_image") from None
    finally:
        upload.seek(0)
    if image_format not in {"PNG", "JPEG"}:
        raise ValidationError(_("Le logo doit être une image PNG ou JPEG."), code="logo_format")
    return image_format


def validate_logo(upload: UploadedFile) -> None:
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
    """EU VAT number; a French one is FR + a 2-digit key + the SIREN, key = (12 + 3 × (SIREN mod 97)) mod 97."""
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
    number_siren = number[4:]
    if int(number[2:4]) != (12 + 3 * (int(number_siren) % 97)) % 97:
        raise ValidationError(_("Ce numéro de TVA n’est pas valide (clé de contrôle incorrecte)."), code="vat_key")
    if siren and number_siren != siren:
        raise ValidationError(_("Ce numéro de TVA ne correspond pas à votre SIREN."), code="vat_siren")
