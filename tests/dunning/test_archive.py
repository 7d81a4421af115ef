import csv
import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path

import pdfplumber
import pypdfium2
import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from pypdf import PdfReader

from core.models import AuditEvent
from dunning import archive_task, services
from dunning.archive import request_archive_export
from dunning.archive_task import build_archive_export
from dunning.models import ArchiveExport, Reminder
from dunning.pdf_merge import PdfConcatenation
from tests.factories import make_client, make_invoice, make_reminder

PARIS = timezone.get_default_timezone()


def page_count(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def read_manifest(export: ArchiveExport) -> list[dict[str, str]]:
    with zipfile.ZipFile(export.zip_file.path) as zipped:
        raw = zipped.read("manifest.csv")
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def set_frozen_at(reminder: Reminder, moment: dt.datetime) -> None:
    Reminder.objects.filter(pk=reminder.pk).update(frozen_at=moment)
    reminder.refresh_from_db()


def build(business, owner, django_capture_on_commit_callbacks, **options) -> ArchiveExport:
    today = timezone.localdate()
    options.setdefault("date_from", today - dt.timedelta(days=30))
    options.setdefault("date_to", today)
    with django_capture_on_commit_callbacks(execute=True):
        export, created = request_archive_export(business=business, actor=owner, **options)
    assert created
    export.refresh_from_db()
    return export


@pytest.fixture
def three_reminders(business, owner):
    """Three saved letters, frozen on three different days, created out of chronological order."""
    second = make_reminder(business, owner, name="Boulangerie Durand")
    first = make_reminder(business, owner, name="Garage Martin")
    invoices = [make_invoice(business, client) for client in [make_client(business, name="Café ; Brasserie")] * 2]
    third = make_reminder(business, owner, invoices=invoices)
    now = timezone.now()
    set_frozen_at(first, now - dt.timedelta(days=3))
    set_frozen_at(second, now - dt.timedelta(days=2))
    set_frozen_at(third, now - dt.timedelta(days=1))
    return [first, second, third]


def test_zip_holds_each_stored_pdf_byte_for_byte_with_matching_hashes(
    business, owner, three_reminders, django_capture_on_commit_callbacks
):
    export = build(business, owner, django_capture_on_commit_callbacks)
    assert export.status == ArchiveExport.Status.DONE
    assert (export.progress_done, export.progress_total) == (3, 3)
    rows = read_manifest(export)
    assert [row["Fichier"] for row in rows] == [r.pdf_filename for r in three_reminders]
    with zipfile.ZipFile(export.zip_file.path) as zipped:
        assert sorted(zipped.namelist()) == sorted([r.pdf_filename for r in three_reminders] + ["manifest.csv"])
        for row, reminder in zip(rows, three_reminders, strict=True):
            content = zipped.read(row["Fichier"])
            with reminder.pdf.open("rb") as stored:
                assert content == stored.read()
            assert hashlib.sha256(content).hexdigest() == row["SHA-256"] == reminder.pdf_sha256
    assert export.zip_size == Path(export.zip_file.path).stat().st_size


def test_manifest_describes_each_letter_as_it_went_out(
    business, owner, three_reminders, django_capture_on_commit_callbacks
):
    first, _, third = three_reminders
    Reminder.objects.filter(pk=first.pk).update(status=Reminder.Status.SENT)
    # Renaming the client afterwards does not change what the letter said.
    first.client.name = "Nouveau nom"
    first.client.save()
    export = build(business, owner, django_capture_on_commit_callbacks)
    rows = read_manifest(export)
    assert list(rows[0]) == ["Fichier", "Client", "Factures", "Niveau", "Canal", "Date", "Statut", "SHA-256"]
    assert rows[0]["Client"] == "Garage Martin"
    assert rows[0]["Statut"] == "Envoyée"
    assert rows[0]["Niveau"] == "1 – Relance amiable"
    assert rows[0]["Canal"] == "E-mail"
    assert rows[0]["Date"] == timezone.localdate(first.frozen_at).strftime("%d/%m/%Y")
    assert rows[2]["Client"] == "Café ; Brasserie"
    numbers = sorted(third.invoices.values_list("number", flat=True))
    assert rows[2]["Factures"] == ", ".join(numbers)
    assert rows[2]["Statut"] == "Enregistrée"


def test_merged_pdf_has_every_page_of_the_letters_in_chronological_order(
    business, owner, three_reminders, django_capture_on_commit_callbacks
):
    export = build(business, owner, django_capture_on_commit_callbacks)
    stored_pages = 0
    for reminder in three_reminders:
        with reminder.pdf.open("rb") as stored:
            stored_pages += page_count(stored.read())
    merged = Path(export.merged_pdf.path)
    assert len(PdfReader(merged, strict=True).pages) == stored_pages
    assert export.merged_pdf_size == merged.stat().st_size
    text = pdf_text(merged)
    positions = [text.index(reminder.reference) for reminder in three_reminders]
    assert positions == sorted(positions)
    assert "Garage Martin" in text


def test_letters_are_chunked_and_progress_is_reported(
    business, owner, three_reminders, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(archive_task, "CHUNK_SIZE", 2)
    reported = []
    report = archive_task._report_progress

    def spy(export_id, token, **fields):
        reported.append(fields.get("progress_done"))
        report(export_id, token, **fields)

    monkeypatch.setattr(archive_task, "_report_progress", spy)
    export = build(business, owner, django_capture_on_commit_callbacks)
    assert reported == [0, 2, 3]
    merged = PdfReader(export.merged_pdf.path, strict=True)
    assert len(merged.pages) == 3
    # Each chunk brings its own fonts; every page still finds the ones it uses.
    document = pypdfium2.PdfDocument(export.merged_pdf.path)
    for index in range(len(document)):
        assert "Objet" in document[index].get_textpage().get_text_range()


def test_chunks_are_compiled_in_recycled_processes_and_merged_in_order(
    business, owner, three_reminders, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(archive_task, "CHUNK_SIZE", 1)
    monkeypatch.setattr(archive_task, "RENDERS_PER_PROCESS", 1)
    export = build(business, owner, django_capture_on_commit_callbacks)
    assert export.status == ArchiveExport.Status.DONE
    text = pdf_text(Path(export.merged_pdf.path))
    positions = [text.index(reminder.reference) for reminder in three_reminders]
    assert positions == sorted(positions)


def test_a_single_chunk_is_compiled_without_child_processes(
    business, owner, three_reminders, django_capture_on_commit_callbacks, monkeypatch
):
    def no_pool(*args, **kwargs):
        raise AssertionError("no child process for one chunk")

    monkeypatch.setattr(archive_task, "ProcessPoolExecutor", no_pool)
    export = build(business, owner, django_capture_on_commit_callbacks)
    assert export.status == ArchiveExport.Status.DONE


def test_deactivated_reminders_are_left_out_unless_asked(
    business, owner, three_reminders, django_capture_on_commit_callbacks
):
    hidden = three_reminders[1]
    services.deactivate_reminder(reminder=hidden, actor=owner)
    without = build(business, owner, django_capture_on_commit_callbacks)
    assert [row["Fichier"] for row in read_manifest(without)] == [
        three_reminders[0].pdf_filename,
        three_reminders[2].pdf_filename,
    ]
    with_inactive = build(business, owner, django_capture_on_commit_callbacks, include_inactive=True)
    rows = read_manifest(with_inactive)
    assert len(rows) == 3
    assert rows[1]["Statut"] == "Enregistrée (désactivée)"


def test_range_is_read_in_paris_dates_on_the_freeze_date(business, owner, django_capture_on_commit_callbacks):
    # 31 October 23:30 UTC is already 1 November in Paris.
    late_evening = make_reminder(business, owner)
    set_frozen_at(late_evening, dt.datetime(2026, 10, 31, 23, 30, tzinfo=dt.UTC))
    october = make_reminder(business, owner)
    set_frozen_at(october, dt.datetime(2026, 10, 31, 10, 0, tzinfo=PARIS))
    export = build(
        business,
        owner,
        django_capture_on_commit_callbacks,
        date_from=dt.date(2026, 11, 1),
        date_to=dt.date(2026, 11, 30),
    )
    assert [row["Fichier"] for row in read_manifest(export)] == [late_evening.pdf_filename]
    assert read_manifest(export)[0]["Date"] == "01/11/2026"


def test_drafts_failed_sends_and_other_businesses_are_not_archived(
    business, owner, other_business, outsider, django_capture_on_commit_callbacks
):
    kept = make_reminder(business, owner)
    make_reminder(business, owner, status=Reminder.Status.DRAFT)
    make_reminder(business, owner, status=Reminder.Status.SEND_FAILED)
    foreign = services.create_reminder(
        business=other_business, actor=outsider, invoice_ids=[make_invoice(other_business).pk]
    )
    services.save_reminder(reminder=foreign, actor=outsider)
    export = build(business, owner, django_capture_on_commit_callbacks)
    assert [row["Fichier"] for row in read_manifest(export)] == [kept.pdf_filename]
    assert Path(export.zip_file.path).is_relative_to(Path(export.zip_file.storage.path(f"archives/{business.pk}")))


def test_empty_range_is_refused_and_queues_nothing(business, owner, django_capture_on_commit_callbacks):
    make_reminder(business, owner)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError) as error:
        request_archive_export(
            business=business, actor=owner, date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 12, 31)
        )
    assert error.value.message_dict[NON_FIELD_ERRORS] == [
        "Aucune relance enregistrée ou envoyée du 01/01/2020 au 31/12/2020 : il n’y a rien à archiver. "
        "Élargissez la période."
    ]
    assert callbacks == []
    assert not ArchiveExport.objects.exists()


def test_range_with_only_deactivated_reminders_says_how_to_include_them(business, owner, today):
    services.deactivate_reminder(reminder=make_reminder(business, owner), actor=owner)
    with pytest.raises(ValidationError) as error:
        request_archive_export(business=business, actor=owner, date_from=today, date_to=today)
    assert "cochez « Inclure les relances désactivées »" in error.value.message_dict[NON_FIELD_ERRORS][0]


def test_dates_are_required_and_in_order(business, owner, today):
    with pytest.raises(ValidationError) as missing:
        request_archive_export(business=business, actor=owner, date_from=None, date_to=None)
    assert missing.value.message_dict == {
        "date_from": ["Indiquez la date de début."],
        "date_to": ["Indiquez la date de fin."],
    }
    with pytest.raises(ValidationError) as reversed_dates:
        request_archive_export(business=business, actor=owner, date_from=today, date_to=today - dt.timedelta(days=1))
    assert reversed_dates.value.message_dict == {"date_to": ["La date de fin précède la date de début."]}


def test_request_is_audited_and_the_same_pending_range_is_not_queued_twice(business, owner, today):
    make_reminder(business, owner)
    # Without running the commit callbacks the export stays queued, as with a busy worker.
    export, created = request_archive_export(business=business, actor=owner, date_from=today, date_to=today)
    again, created_again = request_archive_export(business=business, actor=owner, date_from=today, date_to=today)
    assert created and not created_again
    assert again == export
    assert export.status == ArchiveExport.Status.QUEUED
    assert export.requested_by == owner
    event = AuditEvent.objects.get(action="archive_requested")
    assert (event.business, event.actor, event.object_id) == (business, owner, export.pk)


def test_task_run_twice_keeps_the_same_files(business, owner, three_reminders, django_capture_on_commit_callbacks):
    export = build(business, owner, django_capture_on_commit_callbacks)
    files = {
        name: Path(field.path).read_bytes() for name, field in [("pdf", export.merged_pdf), ("zip", export.zip_file)]
    }
    assert build_archive_export.call(export.pk) == "skipped"
    again = ArchiveExport.objects.get(pk=export.pk)
    assert (again.merged_pdf.name, again.zip_file.name, again.finished_at) == (
        export.merged_pdf.name,
        export.zip_file.name,
        export.finished_at,
    )
    assert Path(again.merged_pdf.path).read_bytes() == files["pdf"]
    assert Path(again.zip_file.path).read_bytes() == files["zip"]


def test_running_export_is_left_to_its_worker_until_it_goes_silent(business, owner, today):
    make_reminder(business, owner)
    export, _ = request_archive_export(business=business, actor=owner, date_from=today, date_to=today)
    ArchiveExport.objects.filter(pk=export.pk).update(
        status=ArchiveExport.Status.RUNNING, claim_token="other-worker", heartbeat_at=timezone.now()
    )
    assert build_archive_export.call(export.pk) == "skipped"
    assert ArchiveExport.objects.get(pk=export.pk).claim_token == "other-worker"
    ArchiveExport.objects.filter(pk=export.pk).update(heartbeat_at=timezone.now() - archive_task.STALE_AFTER * 2)
    assert build_archive_export.call(export.pk) == "done"
    export.refresh_from_db()
    assert export.status == ArchiveExport.Status.DONE
    assert Path(export.zip_file.path).is_file()


def test_run_that_lost_its_claim_stops_and_removes_its_files(business, owner, monkeypatch, today):
    make_reminder(business, owner)
    export, _ = request_archive_export(business=business, actor=owner, date_from=today, date_to=today)
    render = archive_task.render_letters_pdf

    def taken_over(letters):
        ArchiveExport.objects.filter(pk=export.pk).update(claim_token="another-run")
        return render(letters)

    monkeypatch.setattr(archive_task, "render_letters_pdf", taken_over)
    assert build_archive_export.call(export.pk) == "superseded"
    export.refresh_from_db()
    assert export.status == ArchiveExport.Status.RUNNING
    assert export.claim_token == "another-run"
    assert export.zip_file.name == ""
    assert list(Path(export.zip_file.storage.path(f"archives/{business.pk}")).iterdir()) == []


def test_letter_altered_on_disk_fails_the_export_in_french(
    business, owner, three_reminders, django_capture_on_commit_callbacks
):
    altered = three_reminders[1]
    Path(altered.pdf.path).write_bytes(Path(altered.pdf.path).read_bytes() + b"%")
    export = build(business, owner, django_capture_on_commit_callbacks)
    assert export.status == ArchiveExport.Status.FAILED
    assert export.error.startswith(f"Le PDF de la relance {altered.reference} ne correspond plus à l’empreinte SHA-256")
    assert export.finished_at is not None
    assert (export.zip_file.name, export.merged_pdf.name) == ("", "")
    assert list(Path(export.zip_file.storage.path(f"archives/{business.pk}")).iterdir()) == []


def test_missing_letter_fails_the_export_in_french(business, owner, django_capture_on_commit_callbacks, today):
    reminder = make_reminder(business, owner)
    Path(reminder.pdf.path).unlink()
    export = build(business, owner, django_capture_on_commit_callbacks, date_from=today, date_to=today)
    assert export.status == ArchiveExport.Status.FAILED
    assert f"Le PDF de la relance {reminder.reference} est introuvable" in export.error


def test_unexpected_error_fails_the_export_without_a_trace_for_the_user(
    business, owner, django_capture_on_commit_callbacks, monkeypatch, today
):
    make_reminder(business, owner)

    def broken(letters):
        raise RuntimeError("typst exploded")

    monkeypatch.setattr(archive_task, "render_letters_pdf", broken)
    export = build(business, owner, django_capture_on_commit_callbacks, date_from=today, date_to=today)
    assert export.status == ArchiveExport.Status.FAILED
    assert "typst" not in export.error
    assert export.error.startswith("Une erreur inattendue a interrompu la préparation de l’archive.")


def test_spreadsheet_formulas_in_names_stay_text(business, owner, django_capture_on_commit_callbacks, today):
    make_reminder(business, owner, name='=HYPERLINK("http://example.test","clic")')
    export = build(business, owner, django_capture_on_commit_callbacks, date_from=today, date_to=today)
    assert read_manifest(export)[0]["Client"] == '\'=HYPERLINK("http://example.test","clic")'


def test_concatenation_keeps_every_page_and_its_text(tmp_path, business, owner):
    letters = [make_reminder(business, owner, name=name) for name in ["Alpha SARL", "Beta SAS"]]
    target = tmp_path / "merged.pdf"
    with PdfConcatenation(target, title="Lettres – Atelier", author="Atelier") as merged:
        for reminder in letters:
            with reminder.pdf.open("rb") as stored:
                assert merged.append(io.BytesIO(stored.read())) == 1
        assert merged.page_count == 2
    reader = PdfReader(target, strict=True)
    for page, reminder in zip(reader.pages, letters, strict=True):
        assert reminder.client.name in page.extract_text()
    assert reader.metadata.title == "Lettres – Atelier"
    document = pypdfium2.PdfDocument(target)
    bitmap = document[1].render(scale=0.5).to_pil()
    # A blank page would be a single colour.
    low, high = bitmap.convert("L").getextrema()
    assert high - low > 100


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (None, ""),
        (900, "900\u00a0o"),
        (55_296, "54\u00a0ko"),
        (12_897_484, "12,3\u00a0Mo"),
        (3 * 1024**3, "3,0\u00a0Go"),
    ],
)
def test_file_sizes_are_written_in_french(size, text):
    from dunning.models import file_size_text

    assert file_size_text(size) == text
