"""One reminder letter as PDF: the product's render, a bare Typst render, and WeasyPrint.

Every letter is different (names, numbers, amounts): Typst memoises identical inputs, and a
letter rendered twice would come back from its cache. The product's render
(`render_letter_pdf`: facts → document → JSON → the process's warm Typst compiler) alternates
with a bare `typst.compile` of the same template and a prepared payload (a fresh compiler,
nothing else). WeasyPrint renders the print view's HTML (`dunning/letter_print.html`, the same
`LetterData.document()`), as a Django project would: template, then HTML → PDF/A-2b.
"""

import logging
import random
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import typst
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from bench.common import Context, Result, median, milliseconds, percentile, ratio_at_most
from bench.data import generator
from dunning.letter import LETTER_TEMPLATE, LetterData, bare_compile_arguments, letter_payload, render_letter_pdf

WARMUP = 3


def _check_pdf(content: Any) -> None:
    if not isinstance(content, bytes) or not content.startswith(b"%PDF-"):
        raise AssertionError("The renderer did not give a PDF.")


def _product(letter: LetterData) -> None:
    _check_pdf(render_letter_pdf(letter))


def _bare(arguments: dict[str, Any]) -> None:
    _check_pdf(typst.compile(**arguments))


def weasyprint_renderer() -> Any:
    """A function rendering a letter with WeasyPrint, its stylesheet and fonts read from the collected static files."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    # It warns about each media query with a feature (`screen and (max-width: …)`), which print ignores anyway.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    static_root = Path(settings.STATIC_ROOT)

    class StaticFiles(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = urlsplit(url).path
            if path.startswith(settings.STATIC_URL):
                url = (static_root / path.removeprefix(settings.STATIC_URL)).as_uri()
            return super().fetch(url, headers)

    fetcher = StaticFiles(allowed_protocols=["file"])
    fonts = FontConfiguration()

    def render(letter: LetterData) -> bytes:
        context = {"letter": letter, "blocks": letter.body_blocks(), "back_url": "/"}
        html = render_to_string("dunning/letter_print.html", context)
        document = weasyprint.HTML(string=html, base_url=static_root.as_uri() + "/", url_fetcher=fetcher)
        pdf: bytes = document.write_pdf(font_config=fonts, pdf_variant="pdf/a-2b")
        return pdf

    return render


def measure_letters(context: Context) -> list[Result]:
    rng = random.Random(context.seed)
    today = timezone.localdate()
    count = context.scale.letters
    weasy_count = context.scale.weasyprint_letters
    try:
        weasyprint = weasyprint_renderer()
        weasy_error = ""
    except (ImportError, OSError) as error:
        weasyprint, weasy_error = None, f"WeasyPrint unavailable ({error}): pip install -r bench/requirements.txt"
    results = []
    for invoices in (1, 10):

        def letters(number: int, size: int = invoices) -> list[LetterData]:
            return [generator.sample_letter(rng, invoices=size, today=today) for _ in range(number)]

        for letter in letters(WARMUP):
            _product(letter)
        for letter in letters(WARMUP):
            _bare(bare_compile_arguments(LETTER_TEMPLATE, letter_payload(letter)))
        product_times: list[float] = []
        bare_times: list[float] = []
        for index, (mine, theirs) in enumerate(zip(letters(count), letters(count), strict=True)):
            arguments = bare_compile_arguments(LETTER_TEMPLATE, letter_payload(theirs))
            if index % 2:
                product_times.append(milliseconds(partial(_product, mine)))
                bare_times.append(milliseconds(partial(_bare, arguments)))
            else:
                bare_times.append(milliseconds(partial(_bare, arguments)))
                product_times.append(milliseconds(partial(_product, mine)))
        name = f"letter_pdf.{invoices}_invoice{'s' if invoices > 1 else ''}"
        spread = f"p95 {percentile(product_times, 0.95):.1f} ms vs {percentile(bare_times, 0.95):.1f} ms"
        results.append(
            Result(
                f"{name}.vs_typst",
                median(product_times),
                "ms",
                median(bare_times),
                ratio_at_most(1.3),
                note=f"{count} distinct letters each; {spread}; baseline: typst.compile of a prepared payload",
            )
        )
        if weasyprint is None:
            results.append(
                Result(
                    f"{name}.vs_weasyprint",
                    None,
                    "ms",
                    target=ratio_at_most(0.2, "≤ 0.2 × baseline (5× faster)"),
                    note=weasy_error,
                )
            )
            continue
        for letter in letters(WARMUP):
            _check_pdf(weasyprint(letter))
        weasy_times = [milliseconds(partial(weasyprint, letter)) for letter in letters(weasy_count)]
        results.append(
            Result(
                f"{name}.vs_weasyprint",
                median(product_times),
                "ms",
                median(weasy_times),
                ratio_at_most(0.2, "≤ 0.2 × baseline (5× faster)"),
                note=(
                    f"{weasy_count} distinct letters; WeasyPrint p95 {percentile(weasy_times, 0.95):.1f} ms; "
                    "baseline: print view HTML rendered by Django, then WeasyPrint → PDF/A-2b"
                ),
            )
        )
    return results
