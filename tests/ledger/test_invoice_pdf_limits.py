"""Invoice PDFs: request bodies refused from their declared size before anything reads them,
PDFs refused from their page tree's page count before any page is parsed."""

import io
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from pypdf import PdfWriter

from accounts.models import User
from ledger.models import Client, Invoice
from ledger.validators import validate_invoice_pdf
from tests.factories import make_client, many_page_pdf, pdf_bytes

URL = reverse("ledger:invoice_create")
MIB = 1024 * 1024
TOO_LARGE = "Cet envoi dépasse 6 Mo : il n’a pas été lu."


class UnreadableBody:
    """A request body that fails the test if anything reads it."""

    def __init__(self) -> None:
        self.reads = 0

    def read(self, *args: Any) -> bytes:
        self.reads += 1
        raise AssertionError("the request body was read")

    readline = read


@pytest.fixture
def client_row(business: Any) -> Client:
    return make_client(business, name="Boulangerie Martin")


def form(client_row: Client, pdf: bytes) -> dict[str, Any]:
    return {
        "client": client_row.pk,
        "number": "F-2026-001",
        "issue_date": "2026-11-02",
        "due_date": "",
        "total_excl_tax": "1 234,56",
        "notes": "",
        "pdf": SimpleUploadedFile("facture.pdf", pdf, content_type="application/pdf"),
    }


# Page count


def test_pdf_of_55000_pages_is_refused_at_the_field_without_parsing_its_pages(
    owner_client: HttpClient, client_row: Client
) -> None:
    content = many_page_pdf(55_000)
    assert len(content) < 5 * MIB
    started = time.process_time()
    response = owner_client.post(URL, form(client_row, content))
    cpu = time.process_time() - started
    assert response.status_code == 422
    assert response.context["form"].errors["pdf"] == [
        "Ce PDF compte 55\u202f000 pages : une facture en compte au plus 500. Joignez la facture seule."
    ]
    assert not Invoice.objects.exists()
    assert cpu < 2, f"{cpu:.2f} s of CPU to check one upload"


def test_pdf_of_500_pages_is_accepted_and_501_refused() -> None:
    validate_invoice_pdf(SimpleUploadedFile("facture.pdf", many_page_pdf(500)))
    with pytest.raises(Exception, match="Ce PDF compte 501 pages"):
        validate_invoice_pdf(SimpleUploadedFile("facture.pdf", many_page_pdf(501)))


def test_pdf_whose_page_tree_holds_no_page_is_refused() -> None:
    content = many_page_pdf(1).replace(b"<</Type/Page/Parent 2 0 R>>", b"<</Type/Font/Parent 2 0 R>>")
    with pytest.raises(Exception, match="Ce PDF est illisible ou endommagé"):
        validate_invoice_pdf(SimpleUploadedFile("facture.pdf", content))


def test_pdf_with_a_page_tree_loop_is_refused() -> None:
    content = many_page_pdf(1).replace(b"<</Type/Page/Parent 2 0 R>>", b"<</Type/Pages/Kids[2 0 R]/Count 1>>")
    with pytest.raises(Exception, match="Ce PDF est illisible ou endommagé"):
        validate_invoice_pdf(SimpleUploadedFile("facture.pdf", content))


def test_pdf_protected_against_editing_is_accepted() -> None:
    # Invoicing software often sets an owner password only: anyone may open and count the pages.
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes(pages=2)))
    writer.encrypt(user_password="", owner_password="proprietaire", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    validate_invoice_pdf(SimpleUploadedFile("facture.pdf", buffer.getvalue()))


def test_ordinary_pdf_is_still_accepted(owner_client: HttpClient, client_row: Client) -> None:
    response = owner_client.post(URL, form(client_row, pdf_bytes(pages=3)))
    assert response.status_code == 302
    assert Invoice.objects.get().pdf


# Request size, from the Content-Length header alone


def test_page_request_declaring_200_mib_gets_a_french_413_without_being_read(
    owner_client: HttpClient, client_row: Client
) -> None:
    body = UnreadableBody()
    response = owner_client.generic(
        "POST",
        URL,
        CONTENT_TYPE="multipart/form-data; boundary=BoUnDaRy",
        CONTENT_LENGTH=str(200 * MIB),
        **{"wsgi.input": body},
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert TOO_LARGE in response.content.decode()
    assert '<html lang="fr"' in response.content.decode()
    assert body.reads == 0
    assert not Invoice.objects.exists()


def test_page_request_just_above_the_limit_gets_413_and_one_just_under_reaches_the_form(
    owner_client: HttpClient, client_row: Client
) -> None:
    # 5 Mo of PDF and its form fit under the 6 Mo limit: the field says what is wrong.
    content = pdf_bytes() + b"%" + b"0" * (5 * MIB)
    response = owner_client.post(URL, form(client_row, content))
    assert response.status_code == 422
    assert response.context["form"].errors["pdf"] == ["Le fichier dépasse 5 Mo : envoyez un PDF plus léger."]
    response = owner_client.post(URL, form(client_row, content + b"0" * MIB))
    assert response.status_code == 413
    assert TOO_LARGE in response.content.decode()


def test_a_malformed_content_length_gets_400_not_a_server_error(owner_client: HttpClient) -> None:
    body = UnreadableBody()
    response = owner_client.generic(
        "POST",
        URL,
        CONTENT_TYPE="application/x-www-form-urlencoded",
        CONTENT_LENGTH="beaucoup",
        **{"wsgi.input": body},
    )
    assert response.status_code == 400
    assert "En-tête Content-Length invalide." in response.content.decode()
    assert body.reads == 0


@pytest.mark.django_db(transaction=True)
def test_live_server_answers_413_before_the_body_is_sent(live_server: Any, owner: User) -> None:
    """A real socket, signed in with a valid CSRF token: headers announcing 200 Mio, a few bytes of body.

    Whatever read the body would wait for the rest; the answer must come first.
    """
    browser = HttpClient()
    browser.force_login(owner)
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = "k" * 32
    address = urlsplit(live_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as connection:
        connection.sendall(
            (
                f"POST {URL} HTTP/1.1\r\n"
                f"Host: {address.hostname}:{address.port}\r\n"
                f"Cookie: {settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}\r\n"
                f"X-CSRFToken: {csrf}\r\n"
                "Content-Type: multipart/form-data; boundary=BoUnDaRy\r\n"
                f"Content-Length: {200 * MIB}\r\n"
                "\r\n"
                "--BoUnDaRy\r\n"
            ).encode()
        )
        answer = b""
        try:
            while b"\r\n\r\n" not in answer:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                answer += chunk
        except TimeoutError:
            pytest.fail("no answer within 5 s: the server is waiting for the body")
    assert answer.split(b"\r\n", 1)[0] == b"HTTP/1.1 413 Request Entity Too Large", answer[:300]
