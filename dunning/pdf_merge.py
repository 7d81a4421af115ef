"""Merging PDFs without holding them: the archive's printable PDF, written as its parts come."""

import secrets
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, BinaryIO

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfObject,
    StreamObject,
    create_string_object,
)


class PdfConcatenation:
    """The pages of several PDFs appended to one file as they come.

    Each appended document's pages, and everything they reference (fonts, images,
    annotations), are written out at once under new object numbers; what stays in memory is one
    byte offset per object and one number per page. Streams are copied as read, still
    compressed; the parts' catalogs (outline, structure tree, PDF/A metadata) are not copied.
    """

    CATALOG, PAGES, INFO = 1, 2, 3

    def __init__(self, path: Path, *, title: str, author: str) -> None:
        self._file: IO[bytes] = path.open("wb")
        # Indexed by object number; 0 heads the free list, 1–3 are written last.
        self._offsets = array("q", [0, 0, 0, 0])
        self._pages = array("q")
        self._info = {"/Title": title, "/Author": author, "/Producer": "Relance"}
        self._file.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def __enter__(self) -> "PdfConcatenation":
        return self

    def __exit__(self, *exc_info: object) -> None:
        if exc_info[0] is None:
            self.close()
        else:
            self._file.close()

    @property
    def page_count(self) -> int:
        return len(self._pages)

    def append(self, source: BinaryIO) -> int:
        """Append every page of the PDF read from `source`; returns the number of pages added."""
        reader = PdfReader(source)
        numbers: dict[tuple[int, int], int] = {}
        pending: list[IndirectObject] = []
        pages: dict[tuple[int, int], DictionaryObject] = {}

        def renumber(indirect: IndirectObject) -> IndirectObject:
            key = (indirect.idnum, indirect.generation)
            if key not in numbers:
                target = indirect.get_object()
                # The part's page tree is replaced by ours; following it would copy every page again.
                if isinstance(target, DictionaryObject) and target.get("/Type") == "/Pages":
                    return IndirectObject(self.PAGES, 0, None)
                self._offsets.append(0)
                numbers[key] = len(self._offsets) - 1
                pending.append(indirect)
            return IndirectObject(numbers[key], 0, None)

        for page in reader.pages:
            reference = page.indirect_reference
            assert reference is not None
            # The PageObject, not the raw dictionary: pypdf has copied onto it what the page
            # inherits from its page tree (resources, media box), which our tree does not carry.
            pages[(reference.idnum, reference.generation)] = page
            self._pages.append(renumber(reference).idnum)
        while pending:
            indirect = pending.pop()
            key = (indirect.idnum, indirect.generation)
            page_object = pages.get(key)
            copied = self._copy(page_object if page_object is not None else indirect.get_object(), renumber)
            if page_object is not None:
                assert isinstance(copied, DictionaryObject)
                copied[NameObject("/Parent")] = IndirectObject(self.PAGES, 0, None)
            self._write(numbers[key], copied)
        return len(reader.pages)

    def _copy(self, value: Any, renumber: Callable[[IndirectObject], IndirectObject]) -> PdfObject:
        if isinstance(value, IndirectObject):
            return renumber(value)
        if isinstance(value, StreamObject):
            stream = StreamObject()
            # The encoded bytes as read: copying must not decompress and recompress the content.
            stream._data = value._data
            for key, item in value.items():
                stream[NameObject(key)] = self._copy(item, renumber)
            return stream
        if isinstance(value, DictionaryObject):
            dictionary = DictionaryObject()
            for key, item in value.items():
                dictionary[NameObject(key)] = self._copy(item, renumber)
            return dictionary
        if isinstance(value, ArrayObject):
            return ArrayObject(self._copy(item, renumber) for item in value)
        assert isinstance(value, PdfObject)
        return value

    def _write(self, number: int, value: PdfObject) -> None:
        self._offsets[number] = self._file.tell()
        self._file.write(f"{number} 0 obj\n".encode())
        value.write_to_stream(self._file)
        self._file.write(b"\nendobj\n")

    def _write_raw(self, number: int, body: bytes) -> None:
        self._offsets[number] = self._file.tell()
        self._file.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")

    def close(self) -> None:
        """Write the page tree, catalog, information dictionary, cross-reference table and trailer."""
        self._offsets[self.PAGES] = self._file.tell()
        self._file.write(f"{self.PAGES} 0 obj\n<< /Type /Pages /Count {len(self._pages)} /Kids [".encode())
        for number in self._pages:
            self._file.write(f" {number} 0 R".encode())
        self._file.write(b" ] >>\nendobj\n")
        self._write_raw(self.CATALOG, f"<< /Type /Catalog /Pages {self.PAGES} 0 R /Lang (fr-FR) >>".encode())
        info = DictionaryObject({NameObject(key): create_string_object(value) for key, value in self._info.items()})
        self._write(self.INFO, info)
        xref_at = self._file.tell()
        self._file.write(f"xref\n0 {len(self._offsets)}\n0000000000 65535 f \n".encode())
        for offset in self._offsets[1:]:
            self._file.write(f"{offset:010d} 00000 n \n".encode())
        file_id = secrets.token_hex(16)
        self._file.write(
            f"trailer\n<< /Size {len(self._offsets)} /Root {self.CATALOG} 0 R /Info {self.INFO} 0 R "
            f"/ID [<{file_id}> <{file_id}>] >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
        )
        self._file.close()
