"""Reading bank statements: OFX (SGML 1.x and XML 2.x), CAMT.053 (ISO 20022) and the CSV
exports of the common French banks.

Each reader returns plain values (`Statement`, `Entry`) and raises `ValidationError({"file":
French message})` for a file it cannot read; nothing here touches the database. Amounts are
signed: a credit (money received) is positive, a debit negative.
"""

import csv
import datetime as dt
import html
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lxml import etree

from core.dates import in_range

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 5000


@dataclass(frozen=True)
class Entry:
    date: dt.date
    amount: Decimal
    text: str
    counterparty: str = ""
    bank_id: str = ""


@dataclass
class Statement:
    format: str
    account: str = ""
    bank_name: str = ""
    entries: list[Entry] = field(default_factory=list)


def refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


def one_line(text: str) -> str:
    """Bank texts run over several lines and pad with spaces: one line, single spaces."""
    cleaned = "".join(" " if unicodedata.category(char)[0] in "CZ" else char for char in text)
    return " ".join(cleaned.split())


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) when it is, else Windows-1252, which French banks still use."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _amount(text: str) -> Decimal:
    """ "1 234,56", "-1234.56", "+120,00", "1.234,56 €": digits 0-9 only, two decimals at most."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]|EUR", "", text)
    if not re.fullmatch(r"[+-]?[0-9][0-9.,]*", cleaned):
        raise ValueError(text)
    sign = -1 if cleaned.startswith("-") else 1
    cleaned = cleaned.lstrip("+-")
    last = max(cleaned.rfind(","), cleaned.rfind("."))
    if last >= 0 and len(cleaned) - last - 1 in (1, 2):
        whole, decimals = cleaned[:last], cleaned[last + 1 :]
    else:
        whole, decimals = cleaned, "0"
    whole = whole.replace(",", "").replace(".", "")
    try:
        value = Decimal(f"{whole or '0'}.{decimals}") * sign
    except InvalidOperation:
        raise ValueError(text) from None
    if abs(value) >= Decimal("1e10"):
        raise ValueError(text)
    return value.quantize(Decimal("0.01"))


def _checked_date(day: dt.date) -> dt.date:
    if not in_range(day):
        raise ValueError(day)
    return day


def _date(text: str) -> dt.date:
    """dd/mm/yyyy (also with dashes or dots, or a two-digit year), or ISO yyyy-mm-dd, with an
    optional time after it."""
    text = text.strip().split(" ")[0].split("T")[0]
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})", text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        if year < 100:
            year += 2000
        return _checked_date(dt.date(year, month, day))
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if match:
        return _checked_date(dt.date(*(int(part) for part in match.groups())))
    raise ValueError(text)


# Format detection


def detect_format(data: bytes) -> str:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    if head.startswith(b"OFXHEADER") or b"<OFX>" in head or b"<?OFX" in head:
        return "ofx"
    if head.startswith(b"<?XML") or head.startswith(b"<"):
        return "camt053"
    return "csv"


def parse(data: bytes) -> Statement:
    if len(data) > MAX_FILE_BYTES:
        raise refuse(_("Ce fichier dépasse 5 Mo : exportez une période plus courte."))
    if not data.strip():
        raise refuse(_("Ce fichier est vide."))
    kind = detect_format(data)
    statement = {"ofx": parse_ofx, "camt053": parse_camt, "csv": parse_csv}[kind](data)
    if len(statement.entries) > MAX_ENTRIES:
        raise refuse(
            _("Ce relevé compte plus de %(count)s opérations : exportez une période plus courte.")
            % {"count": MAX_ENTRIES}
        )
    return statement


# OFX


_OFX_TRANSACTION = re.compile(r"<STMTTRN>(.*?)(?:</STMTTRN>|(?=<STMTTRN>)|(?=</BANKTRANLIST>))", re.S | re.I)


def _ofx_value(block: str, tag: str) -> str:
    """The value of an element, whether SGML leaves it open (`<NAME>ACME`) or XML closes it."""
    match = re.search(rf"<{tag}>([^<]*)", block, re.I)
    return html.unescape(match.group(1)).strip() if match else ""


def _ofx_date(text: str) -> dt.date:
    match = re.match(r"(\d{4})(\d{2})(\d{2})", text)
    if not match:
        raise ValueError(text)
    return _checked_date(dt.date(*(int(part) for part in match.groups())))


def parse_ofx(data: bytes) -> Statement:
    """OFX 1.x (SGML, elements left open) and 2.x (XML) alike, read element by element: no DTD
    and no entity but the five of XML is ever expanded."""
    text = decode(data)
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.I):
        raise refuse(_("Ce fichier contient une déclaration DOCTYPE ou ENTITY : il est refusé par sécurité."))
    account = _ofx_value(text, "ACCTID")
    statement = Statement(format="ofx", account=account[:64], bank_name=_ofx_value(text, "ORG")[:100])
    blocks = _OFX_TRANSACTION.findall(text)
    if not blocks and "<BANKTRANLIST>" not in text.upper():
        raise refuse(_("Ce fichier OFX ne contient aucune liste d’opérations (BANKTRANLIST)."))
    for number, block in enumerate(blocks, start=1):
        try:
            amount = _amount(_ofx_value(block, "TRNAMT"))
            day = _ofx_date(_ofx_value(block, "DTPOSTED") or _ofx_value(block, "DTUSER"))
        except ValueError:
            raise refuse(
                _("Opération n° %(number)s du fichier OFX illisible (date ou montant).") % {"number": number}
            ) from None
        name, memo = _ofx_value(block, "NAME"), _ofx_value(block, "MEMO")
        # Banks often repeat the start of the memo in NAME (cut to 32 characters): said once.
        label = one_line(memo if name and name in memo else " ".join(part for part in (name, memo) if part))
        statement.entries.append(
            Entry(date=day, amount=amount, text=label, counterparty=one_line(name), bank_id=_ofx_value(block, "FITID"))
        )
    return statement


# CAMT.053


def _local(element: etree._Element) -> str:
    return str(etree.QName(element).localname)


def _children(element: etree._Element | None, *path: str) -> list[etree._Element]:
    """Descendants along `path` by local name, whatever the version's namespace."""
    current = [element] if element is not None else []
    for name in path:
        current = [child for node in current for child in node if _local(child) == name]
    return current


def _text(element: etree._Element | None, *path: str) -> str:
    found = _children(element, *path)
    return one_line(found[0].text or "") if found else ""


def parse_camt(data: bytes) -> Statement:
    """An ISO 20022 bank-to-customer statement (camt.053, any version). The parser neither
    loads a DTD, nor resolves an entity, nor reaches the network; a DOCTYPE is refused outright,
    which stops entity expansions ("billion laughs") and external entities before parsing."""
    if re.search(rb"<!DOCTYPE|<!ENTITY", data[:65536], re.I) or re.search(rb"<!DOCTYPE|<!ENTITY", data, re.I):
        raise refuse(_("Ce fichier contient une déclaration DOCTYPE ou ENTITY : il est refusé par sécurité."))
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError:
        raise refuse(_("Ce fichier XML est mal formé : il ne peut pas être lu.")) from None
    if root.getroottree().docinfo.doctype:
        raise refuse(_("Ce fichier contient une déclaration DOCTYPE ou ENTITY : il est refusé par sécurité."))
    statements = _children(root, "BkToCstmrStmt", "Stmt")
    if _local(root) != "Document" or not _children(root, "BkToCstmrStmt"):
        raise refuse(_("Ce fichier XML n’est ni un relevé CAMT.053 ni un fichier OFX."))
    result = Statement(format="camt053")
    for stmt in statements:
        result.account = (
            result.account or (_text(stmt, "Acct", "Id", "IBAN") or _text(stmt, "Acct", "Id", "Othr", "Id"))[:64]
        )
        result.bank_name = result.bank_name or _text(stmt, "Acct", "Svcr", "FinInstnId", "Nm")[:100]
        for number, entry in enumerate(_children(stmt, "Ntry"), start=1):
            result.entries.append(_camt_entry(entry, number))
    return result


def _camt_entry(entry: etree._Element, number: int) -> Entry:
    try:
        amount = _amount(_text(entry, "Amt"))
        day_text = _text(entry, "BookgDt", "Dt") or _text(entry, "BookgDt", "DtTm") or _text(entry, "ValDt", "Dt")
        day = _date(day_text)
    except ValueError:
        raise refuse(
            _("Écriture n° %(number)s du relevé CAMT illisible (date ou montant).") % {"number": number}
        ) from None
    if _text(entry, "CdtDbtInd") == "DBIT":
        amount = -amount
    details = _children(entry, "NtryDtls", "TxDtls")
    remittance: list[str] = []
    debtor = ""
    bank_id = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
    for detail in details:
        remittance += [one_line(node.text or "") for node in _children(detail, "RmtInf", "Ustrd")]
        remittance += [_text(node, "CdtrRefInf", "Ref") for node in _children(detail, "RmtInf", "Strd")]
        debtor = debtor or _text(detail, "RltdPties", "Dbtr", "Nm") or _text(detail, "RltdPties", "Dbtr", "Pty", "Nm")
        bank_id = bank_id or _text(detail, "Refs", "AcctSvcrRef") or _text(detail, "Refs", "EndToEndId")
    parts = [debtor, *remittance, _text(entry, "AddtlNtryInf")]
    label = one_line(" ".join(part for part in parts if part))
    return Entry(date=day, amount=amount, text=label, counterparty=debtor, bank_id=bank_id)


# CSV


@dataclass(frozen=True)
class Layout:
    """A bank's export: the (normalized) headers that identify it and the role of its columns.

    The header names come from the banks' exports as documented publicly and as read by
    open-source importers (e.g. the CSV presets of personal-finance tools for BNP Paribas,
    Société Générale, Crédit Agricole, BPCE, Crédit Mutuel, La Banque Postale, BoursoBank,
    Shine and Qonto). A file matching none goes through the generic header names below.
    """

    bank: str
    signature: tuple[str, ...]
    date: tuple[str, ...]
    text: tuple[str, ...]
    amount: tuple[str, ...] = ()
    debit: tuple[str, ...] = ()
    credit: tuple[str, ...] = ()
    counterparty: tuple[str, ...] = ()
    bank_id: tuple[str, ...] = ()


LAYOUTS = [
    Layout(
        "BNP Paribas",
        ("date operation", "libelle operation", "montant operation en euro"),
        date=("date operation",),
        text=("libelle operation", "libelle court"),
        amount=("montant operation en euro",),
    ),
    Layout(
        "Société Générale",
        ("date de l operation", "libelle", "detail de l ecriture", "montant de l operation"),
        date=("date de l operation",),
        text=("libelle", "detail de l ecriture"),
        amount=("montant de l operation",),
    ),
    Layout(
        "Crédit Agricole",
        ("date", "libelle", "debit euros", "credit euros"),
        date=("date",),
        text=("libelle",),
        debit=("debit euros",),
        credit=("credit euros",),
    ),
    Layout(
        "Banque Populaire / Caisse d’Epargne",
        ("date de comptabilisation", "libelle operation", "debit", "credit"),
        date=("date de comptabilisation",),
        text=("libelle operation", "reference", "informations complementaires"),
        debit=("debit",),
        credit=("credit",),
    ),
    Layout(
        "Shine",
        ("transaction id", "date d operation", "debit", "credit", "libelle"),
        date=("date d operation",),
        text=("nom de la contrepartie", "libelle", "commentaire"),
        debit=("debit",),
        credit=("credit",),
        counterparty=("nom de la contrepartie",),
        bank_id=("transaction id",),
    ),
    Layout(
        "Crédit Mutuel / CIC",
        ("date", "date de valeur", "libelle", "solde"),
        date=("date",),
        text=("libelle",),
        amount=("montant",),
        debit=("debit",),
        credit=("credit",),
    ),
    Layout(
        "La Banque Postale",
        ("date", "libelle", "montant euros"),
        date=("date",),
        text=("libelle",),
        amount=("montant euros",),
    ),
    Layout(
        "BoursoBank",
        ("dateop", "dateval", "label", "amount"),
        date=("dateop",),
        text=("label", "supplierfound", "comment"),
        amount=("amount",),
        counterparty=("supplierfound",),
    ),
    Layout(
        "Qonto",
        ("transaction id", "total amount incl vat"),
        date=("settlement date local", "settlement date utc", "operation date local", "operation date utc"),
        text=("counterparty name", "reference", "note"),
        amount=("total amount incl vat",),
        counterparty=("counterparty name",),
        bank_id=("transaction id",),
    ),
    Layout(
        "Qonto",
        ("identifiant de transaction", "montant total ttc"),
        date=("date de reglement local", "date de reglement utc", "date de la valeur utc", "date de l operation utc"),
        text=("nom de la contrepartie", "reference", "note"),
        amount=("montant total ttc",),
        counterparty=("nom de la contrepartie",),
        bank_id=("identifiant de transaction",),
    ),
]

# Any other export (LCL among them, whose layout is not documented publicly): its columns are
# found by these usual names.
GENERIC = Layout(
    "",
    (),
    date=("date operation", "date de l operation", "date d operation", "date", "date comptable", "date de valeur"),
    text=("libelle", "libelle operation", "label", "description", "detail", "intitule", "motif", "reference"),
    amount=("montant", "montant euros", "montant eur", "montant en euros", "amount", "somme"),
    debit=("debit", "debit euros", "debit eur"),
    credit=("credit", "credit euros", "credit eur"),
    counterparty=("tiers", "beneficiaire", "emetteur", "contrepartie", "nom de la contrepartie"),
)


def normalize_header(name: str) -> str:
    """ "Date de l'opération" → "date de l operation", "Montant(EUROS)" → "montant euros"."""
    stripped = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", stripped).split())


def _sniff_delimiter(lines: list[str]) -> str:
    """The separator that splits the most lines into the same number (≥ 3) of columns."""
    best, best_score = ";", 0
    for delimiter in (";", ",", "\t", "|"):
        counts = [len(next(csv.reader([line], delimiter=delimiter))) for line in lines if line.strip()]
        if not counts:
            continue
        usual = max(set(counts), key=counts.count)
        score = counts.count(usual) if usual >= 3 else 0
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _find_layout(headers: list[str]) -> Layout | None:
    present = set(headers)
    for layout in sorted(LAYOUTS, key=lambda item: -len(item.signature)):
        if all(name in present for name in layout.signature):
            return layout
    generic_date = any(name in present for name in GENERIC.date)
    generic_money = any(name in present for name in GENERIC.amount) or (any(name in present for name in GENERIC.credit))
    return GENERIC if generic_date and generic_money else None


def _header_row(rows: list[list[str]]) -> tuple[int, list[str], Layout] | None:
    """Most exports put the account, its balance and the period above the header."""
    for index, row in enumerate(rows[:40]):
        headers = [normalize_header(cell) for cell in row]
        layout = _find_layout(headers)
        if layout is not None:
            return index, headers, layout
    return None


def parse_csv(data: bytes) -> Statement:
    text = decode(data)
    lines = text.splitlines()
    delimiter = _sniff_delimiter(lines[:60])
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    found = _header_row(rows)
    if found is None:
        raise refuse(
            _(
                "Les colonnes de ce fichier CSV ne sont pas reconnues : il faut au moins une date, un libellé "
                "et un montant (ou des colonnes Débit et Crédit)."
            )
        )
    index, headers, layout = found
    statement = Statement(format="csv", bank_name=layout.bank)
    for number, row in enumerate(rows[index + 1 :], start=index + 2):
        if not any(cell.strip() for cell in row):
            continue
        entry = _csv_entry(layout, headers, row, number)
        if entry is not None:
            statement.entries.append(entry)
    return statement


def _column(headers: list[str], row: list[str], names: tuple[str, ...]) -> str:
    for name in names:
        if name in headers:
            position = headers.index(name)
            if position < len(row) and row[position].strip():
                return row[position].strip()
    return ""


def _csv_entry(layout: Layout, headers: list[str], row: list[str], number: int) -> Entry | None:
    raw_date = _column(headers, row, layout.date)
    if not raw_date:
        return None  # a total or a blank separator line at the end of some exports
    try:
        day = _date(raw_date)
        amount_text = _column(headers, row, layout.amount)
        if amount_text:
            amount = _amount(amount_text)
        else:
            credit, debit = _column(headers, row, layout.credit), _column(headers, row, layout.debit)
            # Debits are written positive by some banks, negative by others.
            amount = _amount(credit) if credit else -abs(_amount(debit)) if debit else Decimal("0.00")
    except ValueError:
        raise refuse(
            _("Ligne %(number)s du fichier CSV illisible : la date ou le montant n’est pas reconnu.")
            % {"number": number}
        ) from None
    texts: list[str] = []
    for name in layout.text:
        value = one_line(_column(headers, row, (name,)))
        if value and value not in texts:
            texts.append(value)
    return Entry(
        date=day,
        amount=amount,
        text=" ".join(texts),
        counterparty=one_line(_column(headers, row, layout.counterparty)),
        bank_id=_column(headers, row, layout.bank_id),
    )
