"""The business logo: refused above a pixel count read from its header, printed from a small copy."""

import io
import time
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client as HttpClient
from django.urls import reverse
from PIL import Image, PngImagePlugin

from accounts.models import Business, User
from dunning import facts
from dunning import services as dunning_services
from tests.accounts.test_settings_business_view import VALID
from tests.factories import make_invoice, png_declaring, upload

URL = reverse("accounts:settings")
TOO_MANY_PIXELS = (
    "Cette image compte trop de pixels : le logo doit en compter au plus 16 millions "
    "(par exemple 4000 × 4000). Réduisez-la avant de l’envoyer."
)


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small JPEG whose frame header (SOF0) claims `width` × `height`."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (30, 58, 138)).save(buffer, format="JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return bytes(data)


def png_with_metadata(size: tuple[int, int]) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Camille Martin, 12 rue des Lilas")
    exif = Image.Exif()
    exif[0x013B] = "Camille Martin"  # Artist
    buffer = io.BytesIO()
    Image.new("RGBA", size, (30, 58, 138, 255)).save(buffer, format="PNG", pnginfo=info, exif=exif)
    return buffer.getvalue()


def rotated_jpeg(size: tuple[int, int]) -> bytes:
    """A JPEG stored `size` wide whose EXIF orientation (6) says: turn it 90° to display it."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x013B] = "Camille Martin"
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 58, 138)).save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def letter_copy(media_root: Path, business: Business) -> Path:
    original = media_root / business.logo.name
    return original.with_name(f"{original.stem}.letter{original.suffix}")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        # 169 million pixels in 37 Ko: below Pillow's own error threshold, it only warns.
        ("bombe.png", png_declaring(13_000, 13_000)),
        # 400 million pixels: Pillow refuses to open it at all.
        ("bombe-geante.png", png_declaring(20_000, 20_000)),
        ("bombe.jpg", jpeg_declaring(13_000, 13_000)),
        # Just above the cap, far below Pillow's thresholds.
        ("grand.png", png_declaring(4001, 4000)),
    ],
)
def test_logo_with_too_many_pixels_is_refused_at_the_field(
    owner_client: HttpClient, business: Business, media_root: Path, name: str, content: bytes
) -> None:
    assert len(content) < 1024 * 1024
    started = time.perf_counter()
    response = owner_client.post(URL, {**VALID, "logo": upload(name, content)})
    elapsed = time.perf_counter() - started
    assert response.status_code == 422
    assert response.context["form"].errors["logo"] == [TOO_MANY_PIXELS]
    assert TOO_MANY_PIXELS in response.text
    business.refresh_from_db()
    assert not business.logo
    assert not any(media_root.rglob("*.*"))
    assert elapsed < 2, f"{elapsed:.2f} s: the image was decoded"


def test_logo_at_the_pixel_cap_is_accepted(owner_client: HttpClient, business: Business, media_root: Path) -> None:
    response = owner_client.post(URL, {**VALID, "logo": upload("carre.png", png_declaring(4000, 4000))})
    assert response.status_code == 302
    business.refresh_from_db()
    with Image.open(letter_copy(media_root, business)) as copy:
        assert copy.size == (600, 600)


def test_large_logo_gets_a_downscaled_copy_without_metadata(
    owner_client: HttpClient, business: Business, media_root: Path
) -> None:
    content = png_with_metadata((2400, 1200))
    response = owner_client.post(URL, {**VALID, "logo": upload("logo.png", content)})
    assert response.status_code == 302
    business.refresh_from_db()
    assert (media_root / business.logo.name).read_bytes() == content  # the original is kept as sent
    with Image.open(letter_copy(media_root, business)) as copy:
        assert (copy.format, copy.size, copy.mode) == ("PNG", (600, 300), "RGBA")
        assert "Author" not in copy.info and "exif" not in copy.info
        assert copy.getpixel((300, 150)) == (30, 58, 138, 255)


def test_jpeg_logo_copy_is_turned_upright_and_loses_its_exif(
    owner_client: HttpClient, business: Business, media_root: Path
) -> None:
    response = owner_client.post(URL, {**VALID, "logo": upload("photo.jpg", rotated_jpeg((1600, 800)), "image/jpeg")})
    assert response.status_code == 302
    business.refresh_from_db()
    with Image.open(letter_copy(media_root, business)) as copy:
        assert (copy.format, copy.size) == ("JPEG", (300, 600))
        assert not copy.getexif()


def test_small_logo_copy_keeps_its_size(owner_client: HttpClient, business: Business, media_root: Path) -> None:
    owner_client.post(URL, {**VALID, "logo": upload("petit.png", png_with_metadata((120, 60)))})
    business.refresh_from_db()
    with Image.open(letter_copy(media_root, business)) as copy:
        assert copy.size == (120, 60)
        assert "Author" not in copy.info


def test_replacing_or_removing_the_logo_deletes_its_copy(
    owner_client: HttpClient, business: Business, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    owner_client.post(URL, {**VALID, "logo": upload("a.png", png_with_metadata((800, 400)))})
    business.refresh_from_db()
    first_copy = letter_copy(media_root, business)
    assert first_copy.is_file()
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(URL, {**VALID, "logo": upload("b.png", png_with_metadata((900, 300)))})
    business.refresh_from_db()
    assert not first_copy.exists()
    second_copy = letter_copy(media_root, business)
    assert second_copy.is_file()
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(URL, {**VALID, "remove_logo": "on"})
    assert not second_copy.exists()
    assert not any(media_root.rglob("*.png"))


def test_truncated_image_is_refused_at_the_field_not_a_server_error(
    owner_client: HttpClient, business: Business, media_root: Path
) -> None:
    buffer = io.BytesIO()
    Image.effect_noise((300, 300), 80).save(buffer, format="JPEG")
    truncated = buffer.getvalue()[: len(buffer.getvalue()) // 2]
    response = owner_client.post(URL, {**VALID, "logo": upload("coupe.jpg", truncated, "image/jpeg")})
    assert response.status_code == 422
    assert response.context["form"].errors["logo"] == ["Ce fichier n’est pas une image PNG ou JPEG lisible."]
    business.refresh_from_db()
    assert not business.logo


# Letters


def draft_letter(business: Business, owner: User) -> bytes:
    reminder = dunning_services.create_reminder(business=business, actor=owner, invoice_ids=[make_invoice(business).pk])
    pdf, _name = facts.letter_pdf(reminder)
    return pdf


def printed_images(pdf: bytes) -> list[tuple[int, int]]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [tuple(image["srcsize"]) for image in document.pages[0].images]


def test_letter_prints_the_downscaled_copy(
    owner_client: HttpClient, business: Business, owner: User, media_root: Path
) -> None:
    owner_client.post(URL, {**VALID, "logo": upload("logo.png", png_with_metadata((2400, 1200)))})
    business.refresh_from_db()
    assert printed_images(draft_letter(business, owner)) == [(600, 300)]


def test_letter_makes_the_copy_of_a_logo_stored_before_copies_existed(
    business: Business, owner: User, media_root: Path
) -> None:
    name = default_storage.save("logos/logo-ancien.png", ContentFile(png_with_metadata((2400, 1200))))
    Business.objects.filter(pk=business.pk).update(logo=name)
    business.refresh_from_db()
    assert printed_images(draft_letter(business, owner)) == [(600, 300)]
    copy = letter_copy(media_root, business)
    with Image.open(copy) as image:
        assert image.size == (600, 300)
    made_at = copy.stat().st_mtime_ns
    assert printed_images(draft_letter(business, owner)) == [(600, 300)]
    assert copy.stat().st_mtime_ns == made_at  # made once, then only read


def test_letter_never_decodes_a_stored_logo_above_the_pixel_cap(
    business: Business, owner: User, media_root: Path
) -> None:
    name = default_storage.save("logos/logo-bombe.png", ContentFile(png_declaring(13_000, 13_000)))
    Business.objects.filter(pk=business.pk).update(logo=name)
    business.refresh_from_db()
    started = time.perf_counter()
    pdf = draft_letter(business, owner)
    elapsed = time.perf_counter() - started
    assert printed_images(pdf) == []
    assert not letter_copy(media_root, business).exists()
    assert elapsed < 2, f"{elapsed:.2f} s: the logo was decoded"
