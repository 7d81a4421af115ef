"""A reminder's levels and channels: plain choices, importable before Django's apps are loaded.

The letters are rendered in spawned processes that never set Django up (`dunning.archive_task`),
and the letter asks its channel whether it is a registered letter (`dunning.channels`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    FRIENDLY = 1, _("Relance amiable")
    SECOND = 2, _("Seconde relance")
    FORMAL_NOTICE = 3, _("Mise en demeure")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Courrier")
