from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.validators import (
    validate_bic,
    validate_iban,
    validate_siren,
    validate_siren_or_siret,
    validate_siret,
    validate_vat_number,
)


@pytest.fixture(autouse=True)
def french() -> Iterator[None]:
    """The messages are checked in French, whatever language an earlier test left active."""
    with translation.override("fr"):
        yield


def refusal(validator: object, value: str) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        validator(value)  # type: ignore[operator]
    return caught.value.code or "", caught.value.messages[0]


@pytest.mark.parametrize("number", ["732829320", "732 829 320", "732.829.320", "356000000"])
def test_valid_sirens_pass(number: str) -> None:
    validate_siren(number)


@pytest.mark.parametrize(
    ("number", "code", "message"),
    [
        ("73282932", "siren_format", "Le SIREN doit comporter 9 chiffres."),
        ("7328293200", "siren_format", "Le SIREN doit comporter 9 chiffres."),
        ("73282932A", "siren_format", "Le SIREN doit comporter 9 chiffres."),
        ("732829321", "siren_key", "Ce SIREN n’est pas valide (clé de contrôle incorrecte)."),
    ],
)
def test_invalid_sirens_are_refused_in_french(number: str, code: str, message: str) -> None:
    assert refusal(validate_siren, number) == (code, message)


@pytest.mark.parametrize(
    "number",
    [
        "73282932000074",
        "732 829 320 00074",
        # La Poste's establishments share one SIREN: their SIRET digits sum to a multiple of 5 (no Luhn).
        "35600000049837",
        # ... except its head office, whose SIRET follows Luhn like any other (INSEE).
        "35600000000048",
    ],
)
def test_valid_sirets_pass(number: str) -> None:
    validate_siret(number)
    validate_siren_or_siret(number)


@pytest.mark.parametrize(
    ("number", "code", "message"),
    [
        ("7328293200007", "siret_format", "Le SIRET doit comporter 14 chiffres."),
        ("7328293200007A", "siret_format", "Le SIRET doit comporter 14 chiffres."),
        ("73282932000075", "siret_key", "Ce SIRET n’est pas valide (clé de contrôle incorrecte)."),
        ("35600000012345", "siret_key", "Ce SIRET n’est pas valide (clé de contrôle incorrecte)."),
        ("73282932100074", "siren_key", "Ce SIREN n’est pas valide (clé de contrôle incorrecte)."),
    ],
)
def test_invalid_sirets_are_refused_in_french(number: str, code: str, message: str) -> None:
    assert refusal(validate_siret, number) == (code, message)


def test_siren_or_siret_names_both_lengths() -> None:
    assert refusal(validate_siren_or_siret, "12345") == (
        "siret_format",
        "Saisissez un SIREN (9 chiffres) ou un SIRET (14 chiffres).",
    )
    assert refusal(validate_siren_or_siret, "732829321")[0] == "siren_key"


@pytest.mark.parametrize(
    "number", ["FR7630006000011234567890189", "fr76 3000 6000 0112 3456 7890 189", "DE89370400440532013000"]
)
def test_valid_ibans_pass(number: str) -> None:
    validate_iban(number)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("3000 6000", "iban_format"),
        ("FR76-3000-6000-0112-3456-7890-189", "iban_format"),
        ("FR763000600001123456789018", "iban_length"),
        ("FR7630006000011234567890188", "iban_key"),
        ("DE89370400440532013001", "iban_key"),
        # The check digits are right, but a French account ends with its two-digit RIB key.
        ("FR67300060000112345678901AB", "iban_format"),
        ("FR053000600001123456789018A", "iban_format"),
    ],
)
def test_invalid_ibans_are_refused(number: str, code: str) -> None:
    assert refusal(validate_iban, number)[0] == code


def test_iban_messages_are_french() -> None:
    assert refusal(validate_iban, "FR7630006000011234567890188")[1] == (
        "Cet IBAN n’est pas valide (clé de contrôle incorrecte)."
    )
    assert refusal(validate_iban, "FR763000600001123456789018")[1] == "Un IBAN français comporte 27 caractères."
    assert refusal(validate_iban, "3000 6000")[1].startswith("L’IBAN doit commencer par le code pays et deux chiffres")


@pytest.mark.parametrize("code", ["BNPAFRPP", "bnpafrpp", "BNPAFRPPXXX", "AGRIFRPP882"])
def test_valid_bics_pass(code: str) -> None:
    validate_bic(code)


@pytest.mark.parametrize("code", ["BNP", "BNPAFRPPX", "BNPA FRPP", "1NPAFRPP", "BNPAQQPP"])
def test_invalid_bics_are_refused_in_french(code: str) -> None:
    assert refusal(validate_bic, code) == ("bic_format", "Le BIC comporte 8 ou 11 caractères, par exemple BNPAFRPPXXX.")


@pytest.mark.parametrize(
    "number", ["FR40303265045", "FR44732829320", "FR 40 303 265 045", "DE123456789", "BE0123456789"]
)
def test_valid_vat_numbers_pass(number: str) -> None:
    validate_vat_number(number)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("40303265045", "vat_format"),
        ("FR4030326504", "vat_format"),
        ("FR41303265045", "vat_key"),
        ("FRAB303265045", "vat_format"),
        # The key matches the number, but the SIREN in it fails its own Luhn check.
        ("FR43303265046", "vat_key"),
    ],
)
def test_invalid_vat_numbers_are_refused(number: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_vat_number(number)
    assert caught.value.code == code


def test_vat_number_must_match_the_siren_when_known() -> None:
    validate_vat_number("FR44732829320", siren="732829320")
    with pytest.raises(ValidationError) as caught:
        validate_vat_number("FR40303265045", siren="732829320")
    assert caught.value.code == "vat_siren"
