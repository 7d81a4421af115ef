"""Business logos: a pixel cap read from the image header, and the small copy that letters print.

An image's header says its size before any pixel is decoded: a 37 Ko PNG can declare
13,000 × 13,000 pixels, which then take 169 Mo and most of a second to decode in every process
that prints it. Uploads above MAX_PIXELS are refused from the header alone; the rest get a
normalised copy (at most LETTER_MAX_SIDE pixels on the longest side, upright, no metadata),
stored next to the original as "<name>.letter.<ext>", and letters print only that copy.

Plain Pillow, no Django: the letter renderer uses it too.
"""

import io
import os
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from PIL import Image, ImageOps

MAX_PIXELS = 16_000_000  # 4000 × 4000: far above any letterhead, far below Pillow's own alarm
LETTER_MAX_SIDE = 600  # ≈ 1,000 dpi at the 14 mm height of the letterhead
FORMATS = {"PNG": ".png", "JPEG": ".jpg"}


class TooManyPixels(ValueError):
    pass


@contextmanager
def opened(source: IO[bytes] | Path) -> Iterator[Image.Image]:
    """The image with only its header read; TooManyPixels above MAX_PIXELS, before any decoding."""
    with warnings.catch_warnings():
        # Pillow warns above 89 million pixels and refuses above twice that; both mean too many.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(source)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise TooManyPixels from None
    with image:
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise TooManyPixels
        yield image


def letter_copy_name(name: str) -> str:
    """ "logos/logo-1f2e.png" → "logos/logo-1f2e.letter.png" (storage names and paths alike)."""
    stem, extension = os.path.splitext(name)
    return f"{stem}.letter{extension}"


def normalised(source: IO[bytes] | Path) -> bytes:
    """The copy letters print: PNG stays PNG, JPEG stays JPEG; raises OSError when unreadable."""
    with opened(source) as image:
        image_format = image.format
        if image_format not in FORMATS:
            raise OSError(f"not a PNG or JPEG image: {image_format}")
        # JPEG only: decode at a reduced scale straight away (a no-op for PNG).
        image.draft(None, (LETTER_MAX_SIDE, LETTER_MAX_SIDE))
        # Orientation lives in the EXIF block, which the copy drops: apply it first.
        upright = ImageOps.exif_transpose(image)
    keeps = ("L", "RGB") if image_format == "JPEG" else ("L", "LA", "RGB", "RGBA")
    if upright.mode not in keeps:
        # Palette and 1-bit images are resampled poorly; CMYK has no place in PNG or a letter.
        transparent = upright.has_transparency_data and image_format == "PNG"
        upright = upright.convert("RGBA" if transparent else "RGB")
    upright.thumbnail((LETTER_MAX_SIDE, LETTER_MAX_SIDE), Image.Resampling.LANCZOS)
    # Only pixels go out: no text chunks, EXIF, XMP or ICC profile from the sender's file.
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)
    buffer = io.BytesIO()
    if image_format == "JPEG":
        clean.save(buffer, format="JPEG", quality=90, optimize=True)
    else:
        clean.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def store_letter_copy(original: Path, data: bytes) -> Path:
    """Write the copy beside `original` atomically: renders running at once write the same bytes."""
    target = Path(letter_copy_name(str(original)))
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".letter-", suffix=target.suffix)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def letter_logo(original: Path | str | None) -> Path | None:
    """The copy a letter prints for a stored logo, or None.

    Logos uploaded before copies existed get theirs on their first letter; one above the pixel
    cap (or unreadable) is left out of the letter rather than decoded.
    """
    if not original:
        return None
    original = Path(original).resolve()
    copy = Path(letter_copy_name(str(original)))
    if copy.is_file():
        return copy
    if not original.is_file():
        return None
    try:
        return store_letter_copy(original, normalised(original))
    except (TooManyPixels, OSError, SyntaxError, ValueError):
        return None
