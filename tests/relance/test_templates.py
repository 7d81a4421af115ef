"""Checks over every template file of the project."""

import re
from pathlib import Path

from django.conf import settings

# `{# … #}` is a one-line comment in Django: spread over lines, it is printed as it stands.
MULTILINE_COMMENT = re.compile(r"\{#(?:(?!#\}).)*$", re.MULTILINE)


def test_no_template_spreads_a_one_line_comment_over_lines() -> None:
    folders = [Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]]
    templates = [path for folder in folders for path in folder.rglob("*.html")]
    assert len(templates) > 50
    spread = [
        f"{path.relative_to(settings.BASE_DIR)}:{text.count(chr(10), 0, match.start()) + 1}"
        for path in templates
        for text in [path.read_text()]
        for match in MULTILINE_COMMENT.finditer(text)
    ]
    assert spread == []
