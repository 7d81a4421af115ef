from django.apps import AppConfig
from django.utils.translation import gettext, ngettext

from law import i18n


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Socle commun"

    def ready(self) -> None:
        # The pure law core words its messages through law.i18n; inside Django they follow the
        # user's language (see law/i18n.py).
        i18n.install(gettext, ngettext)
