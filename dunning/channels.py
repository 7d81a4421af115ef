"""What differs between the two ways a reminder goes out, behind one interface: `channel_for(reminder)`.

By e-mail, the reminder has the e-mail's subject and body and carries the letter as a PDF, with
the letter's own texts (`letter_subject`, `letter_body`); it is frozen when it is sent, to the
client's e-mail address. By post, the reminder's texts are the letter's; it is frozen when it is
saved, to be printed and posted (or handed over), and a formal notice goes as a registered letter
(LRAR). Levels, placeholders, penalties and proof are the same for both.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from django.utils.translation import gettext_lazy as _

from dunning.choices import Channel, Level

# Types only: the letter renderer imports this module where the models cannot be loaded.
if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from dunning.models import Reminder, ReminderTemplate
    from ledger.models import Client


class ReminderChannel(ABC):
    code: ClassVar[str]
    # Delivered by e-mail when frozen ("Envoyer"); otherwise saved to be printed ("Enregistrer"),
    # which needs no e-mail address.
    sends_email: ClassVar[bool]
    # The letter goes along as a PDF with texts of its own, edited beside the reminder's.
    attaches_letter: ClassVar[bool]
    # What the editor and the summary call things.
    subject_label: ClassVar["_StrPromise"]
    body_label: ClassVar["_StrPromise"]
    texts_legend: ClassVar["_StrPromise"]
    editor_help: ClassVar["_StrPromise"]
    frozen_at_label: ClassVar["_StrPromise"]
    letter_heading: ClassVar["_StrPromise"]
    # Why the summary's "Envoyer par e-mail" is disabled although the client has an address.
    not_sendable_reason: ClassVar["_StrPromise | str"]

    @abstractmethod
    def template_texts(self, template: "ReminderTemplate") -> dict[str, str]:
        """A new draft's texts, from the level's template."""

    @abstractmethod
    def take_over(self, reminder: "Reminder", template: Callable[[], "ReminderTemplate"]) -> None:
        """Switch a draft of the other channel to this one, keeping what the user wrote for the letter."""

    @abstractmethod
    def letter_texts(self, reminder: "Reminder") -> tuple[str, str]:
        """Subject and body of the letter (the PDF)."""

    def is_registered_letter(self, level: int) -> bool:
        return False


class EmailChannel(ReminderChannel):
    code = Channel.EMAIL
    sends_email = True
    attaches_letter = True
    subject_label = _("Objet de l’e-mail")
    body_label = _("Texte de l’e-mail")
    texts_legend = _("L’e-mail")
    editor_help = _("L’e-mail part avec le courrier en PDF joint.")
    frozen_at_label = _("Figée le")
    letter_heading = _("Le courrier joint (PDF)")
    not_sendable_reason = ""

    def template_texts(self, template: "ReminderTemplate") -> dict[str, str]:
        return {
            "subject": template.email_subject,
            "body": template.email_body,
            "letter_subject": template.letter_subject,
            "letter_body": template.letter_body,
        }

    def take_over(self, reminder: "Reminder", template: Callable[[], "ReminderTemplate"]) -> None:
        """The letter's texts become the attached letter's; the e-mail's come from the template."""
        chosen = template()
        reminder.letter_subject, reminder.letter_body = reminder.subject, reminder.body
        reminder.subject, reminder.body = chosen.email_subject, chosen.email_body

    def letter_texts(self, reminder: "Reminder") -> tuple[str, str]:
        return reminder.letter_subject, reminder.letter_body


class LetterChannel(ReminderChannel):
    code = Channel.LETTER
    sends_email = False
    attaches_letter = False
    subject_label = _("Objet du courrier")
    body_label = _("Texte du courrier")
    texts_legend = _("Le courrier")
    editor_help = _("Courrier à imprimer et à poster (ou à remettre en main propre).")
    frozen_at_label = _("Enregistrée le")
    letter_heading = _("Le courrier")
    not_sendable_reason = _("Relance prévue par courrier : choisissez l’e-mail dans « Modifier » pour l’envoyer.")

    def template_texts(self, template: "ReminderTemplate") -> dict[str, str]:
        return {
            "subject": template.letter_subject,
            "body": template.letter_body,
            "letter_subject": "",
            "letter_body": "",
        }

    def take_over(self, reminder: "Reminder", template: Callable[[], "ReminderTemplate"]) -> None:
        """The attached letter's texts become the reminder's own; the e-mail's are dropped."""
        reminder.subject, reminder.body = reminder.letter_subject, reminder.letter_body
        reminder.letter_subject = reminder.letter_body = ""

    def letter_texts(self, reminder: "Reminder") -> tuple[str, str]:
        return reminder.subject, reminder.body

    def is_registered_letter(self, level: int) -> bool:
        """A formal notice sent by post goes as a registered letter; by e-mail it does not claim to."""
        return level >= Level.FORMAL_NOTICE


CHANNELS: dict[str, ReminderChannel] = {channel.code: channel for channel in (EmailChannel(), LetterChannel())}


def channel_for(reminder: "Reminder") -> ReminderChannel:
    return CHANNELS[reminder.channel]


def default_channel(client: "Client") -> str:
    """By e-mail when the client has an address, by post otherwise."""
    return Channel.EMAIL if client.email else Channel.LETTER
