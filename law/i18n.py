"""How the pure law core words its messages in the interface language, without importing Django.

The core (`law.rates`, `law.penalties`, `law.limitation`) writes French and marks each message
with `_()`; makemessages collects them like any other. `LawConfig.ready()` installs Django's
gettext here, so that pages show them in the user's language while the CLI and the API, which
run in French, keep the French text. Imported alone, the core stays in French.
"""

from collections.abc import Callable


def _french_plural(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


_gettext: Callable[[str], str] = str
_ngettext: Callable[[str, str, int], str] = _french_plural


def install(gettext: Callable[[str], str], ngettext: Callable[[str, str, int], str]) -> None:
    global _gettext, _ngettext
    _gettext, _ngettext = gettext, ngettext


def gettext(message: str) -> str:
    return _gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _ngettext(singular, plural, count)


def gettext_noop(message: str) -> str:
    """Marks a constant for the catalogue; whoever shows it translates it then."""
    return message
