from django.apps import AppConfig


class LawConfig(AppConfig):
    name = "law"
    verbose_name = "Droit des retards de paiement"

    def ready(self) -> None:
        from django.utils.translation import gettext, ngettext

        from law import i18n

        i18n.install(gettext, ngettext)
