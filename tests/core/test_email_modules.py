"""Every e-mail is built in its app's `emails` module, from its templates under templates/emails/."""

import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["law", "core", "rates", "accounts", "ledger", "dunning", "automation", "api", "relance"]
# Building a message, sending one, or reading an e-mail template.
BUILDS_AN_EMAIL = re.compile(
    r"EmailMultiAlternatives\(|EmailMessage\(|(?<!def )\bsend_mail\(|send_mass_mail\(|mail_admins\(|[\"']emails/"
)
TEMPLATE_NAME = re.compile(r"[\"']emails/([^\"'{}]+)[\"']")
# A message built by a module's `_message(name, …)` helper uses its three templates.
MESSAGE_NAME = re.compile(r"\b_message\(\s*[\"'](\w+)[\"']")


def product_modules() -> Iterator[Path]:
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_messages_are_built_only_in_the_emails_module_of_their_app() -> None:
    elsewhere = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in product_modules()
        if path.name != "emails.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if BUILDS_AN_EMAIL.search(line)
    ]

    assert elsewhere == []


def test_each_message_has_its_text_and_html_templates_and_every_template_is_used() -> None:
    templates = {path.name for path in (ROOT / "templates" / "emails").iterdir()}
    sources = [path.read_text() for path in product_modules() if path.name == "emails.py"]
    used = {name for source in sources for name in TEMPLATE_NAME.findall(source)} | {
        f"{name}{suffix}"
        for source in sources
        for name in MESSAGE_NAME.findall(source)
        for suffix in ("_subject.txt", ".txt", ".html")
    }
    messages = {name.split(".")[0].removesuffix("_subject") for name in templates}

    assert used == templates
    for message in messages:
        assert {f"{message}.txt", f"{message}.html"} <= templates, message
    # A reminder's subject is the user's own text, rendered with the placeholders.
    assert {message for message in messages if f"{message}_subject.txt" not in templates} == {"reminder"}
