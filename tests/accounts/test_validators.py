import pytest
from django.core.exceptions import ValidationError

from accounts.validators import validate_vat_number


@pytest.mark.parametrize("number", ["FR40303265045", "FR44732829320", "DE123456789", "BE0123456789"])
def test_valid_vat_numbers_pass(number: str) -> None:
    validate_vat_number(number)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("40303265045", "vat_format"),
        ("FR4030326504", "vat_format"),
        ("FR41303265045", "vat_key"),
        ("FRAB303265045", "vat_format"),
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
