"""Warnings shown before a reminder leaves, from what the apps above dunning know.

dunning cannot ask them itself: they sit above it (a statement line that may already pay the
invoice is known to `bank`). The project's settings name the functions to ask, the way Django
names its authentication backends: `REMINDER_SUMMARY_WARNINGS`, a list of dotted paths to
functions taking the reminder and returning `SendWarning`s (a French sentence, and where to
act on it). The summary page shows them; the
automatic sending asks the same functions.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from dunning.models import Reminder


@dataclass(frozen=True)
class SendWarning:
    text: str
    url: str = ""
    link_text: str = ""


WarningSource = Callable[[Reminder], list[SendWarning]]


@cache
def _sources(paths: tuple[str, ...]) -> list[WarningSource]:
    return [import_string(path) for path in paths]


def warnings_before_sending(reminder: Reminder) -> list[SendWarning]:
    paths = tuple(getattr(settings, "REMINDER_SUMMARY_WARNINGS", ()))
    return [warning for source in _sources(paths) for warning in source(reminder)]
