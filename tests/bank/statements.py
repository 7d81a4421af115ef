"""Bank statement files written by the tests, in the formats and layouts banks export.

Each builder takes rows (date, signed amount, text[, bank id]) and returns the file's bytes.
"""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

Row = tuple[dt.date, str, str] | tuple[dt.date, str, str, str]


def _id(row: Row, index: int) -> str:
    return row[3] if len(row) > 3 else f"TX{index:05d}"  # type: ignore[misc]


def ofx_sgml(rows: Sequence[Row], account: str = "00012345678") -> bytes:
    """OFX 1.x as French banks export it: SGML header, elements left open, comma decimals."""
    transactions = "".join(
        f"<STMTTRN>\n<TRNTYPE>{'CREDIT' if Decimal(amount) > 0 else 'DEBIT'}\n<DTPOSTED>{day:%Y%m%d}\n"
        f"<TRNAMT>{amount.replace('.', ',')}\n<FITID>{_id(row, index)}\n<NAME>{text[:32]}\n<MEMO>{text}\n</STMTTRN>\n"
        for index, row in enumerate(rows)
        for day, amount, text in [row[:3]]
    )
    return (
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\n"
        "COMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n<OFX>\n<SIGNONMSGSRSV1>\n<SONRS>\n"
        "<STATUS>\n<CODE>0\n<SEVERITY>INFO\n</STATUS>\n<DTSERVER>20261127120000\n<LANGUAGE>FRA\n</SONRS>\n"
        "</SIGNONMSGSRSV1>\n<BANKMSGSRSV1>\n<STMTTRNRS>\n<TRNUID>1\n<STMTRS>\n<CURDEF>EUR\n<BANKACCTFROM>\n"
        f"<BANKID>30004\n<BRANCHID>00001\n<ACCTID>{account}\n<ACCTTYPE>CHECKING\n</BANKACCTFROM>\n"
        f"<BANKTRANLIST>\n<DTSTART>20261101\n<DTEND>20261127\n{transactions}</BANKTRANLIST>\n"
        "</STMTRS>\n</STMTTRNRS>\n</BANKMSGSRSV1>\n</OFX>\n"
    ).encode("cp1252")


def ofx_xml(rows: Sequence[Row], account: str = "FR7630004000010001234567890") -> bytes:
    """OFX 2.x: an XML document, every element closed."""
    transactions = "".join(
        f"<STMTTRN><TRNTYPE>{'CREDIT' if Decimal(amount) > 0 else 'DEBIT'}</TRNTYPE>"
        f"<DTPOSTED>{day:%Y%m%d}120000[+1:CET]</DTPOSTED><TRNAMT>{amount}</TRNAMT>"
        f"<FITID>{_id(row, index)}</FITID><NAME>{_xml(text[:32])}</NAME><MEMO>{_xml(text)}</MEMO></STMTTRN>"
        for index, row in enumerate(rows)
        for day, amount, text in [row[:3]]
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<?OFX OFXHEADER="200" VERSION="211" '
        'SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1</TRNUID>'
        "<STMTRS><CURDEF>EUR</CURDEF><BANKACCTFROM><BANKID>30004</BANKID>"
        f"<ACCTID>{account}</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>"
        f"<BANKTRANLIST><DTSTART>20261101</DTSTART><DTEND>20261127</DTEND>{transactions}</BANKTRANLIST>"
        "</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
    ).encode()


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def camt053(rows: Sequence[Row], iban: str = "FR7630004000010001234567890", debtor: str = "") -> bytes:
    """An ISO 20022 camt.053.001.08 statement: one entry per row, the remittance text unstructured."""
    entries = "".join(
        f'<Ntry><NtryRef>{_id(row, index)}</NtryRef><Amt Ccy="EUR">{abs(Decimal(amount))}</Amt>'
        f"<CdtDbtInd>{'CRDT' if Decimal(amount) > 0 else 'DBIT'}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
        f"<BookgDt><Dt>{day:%Y-%m-%d}</Dt></BookgDt><ValDt><Dt>{day:%Y-%m-%d}</Dt></ValDt>"
        f"<AcctSvcrRef>{_id(row, index)}</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd></Domn></BkTxCd>"
        f"<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
        f"<RltdPties><Dbtr><Pty><Nm>{_xml(debtor)}</Nm></Pty></Dbtr></RltdPties>"
        f"<RmtInf><Ustrd>{_xml(text)}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
        for index, row in enumerate(rows)
        for day, amount, text in [row[:3]]
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>STMT-1</MsgId><CreDtTm>2026-11-27T08:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>1</Id><CreDtTm>2026-11-27T08:00:00</CreDtTm><Acct><Id><IBAN>{iban}</IBAN></Id>"
        "<Ccy>EUR</Ccy><Svcr><FinInstnId><BICFI>BNPAFRPP</BICFI></FinInstnId></Svcr></Acct>"
        f"{entries}</Stmt></BkToCstmrStmt></Document>\n"
    ).encode()


def _fr(amount: str) -> str:
    """1200.00 → "1 200,00" as French exports write it."""
    value = Decimal(amount)
    whole, cents = f"{abs(value):.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", " ")
    return f"{'-' if value < 0 else ''}{grouped},{cents}"


def credit_agricole_csv(rows: Sequence[Row]) -> bytes:
    """Crédit Agricole: about ten lines of account information above "Date;Libellé;Débit euros;
    Crédit euros;", debits and credits both positive in their own column, Windows-1252, labels
    on several lines."""
    head = (
        "Téléchargement du 27/11/2026;\n\nM. CAMILLE MARTIN;\nCompte de Dépôt carte n° 12345678901;\n"
        "Solde au 27/11/2026 4 512,30 €\n\nListe des opérations du compte entre le 01/11/2026 et le 27/11/2026;\n\n"
        "Date;Libellé;Débit euros;Crédit euros;\n"
    )
    body = "".join(
        f'{day:%d/%m/%Y};"{text.replace(" ", chr(10), 1)}";'
        + (f";{_fr(amount)};\n" if Decimal(amount) > 0 else f"{_fr(amount.lstrip('-'))};;\n")
        for day, amount, text, *_rest in rows
    )
    return (head + body).encode("cp1252")


def banque_postale_csv(rows: Sequence[Row]) -> bytes:
    """La Banque Postale: account lines, a blank line, "Date;Libellé;Montant(EUROS)", signed amounts."""
    head = (
        "Numéro Compte   ;0123456A020\nType         ;CCP\nCompte tenu en  ;euros\nDate            ;27/11/2026\n"
        "Solde (EUROS)   ;4 512,30\n\nDate;Libellé;Montant(EUROS)\n"
    )
    body = "".join(f'{day:%d/%m/%Y};"{text}";{_fr(amount)}\n' for day, amount, text, *_rest in rows)
    return (head + body).encode("cp1252")


def boursobank_csv(rows: Sequence[Row]) -> bytes:
    """BoursoBank: one header, ISO dates, signed amounts with a decimal comma, UTF-8."""
    head = "dateOp;dateVal;label;category;categoryParent;supplierFound;amount;comment;accountNum;accountLabel;accountbalance\n"
    body = "".join(
        f'{day:%Y-%m-%d};{day:%Y-%m-%d};"{text}";"Virements reçus";"Virements";"";"{_fr(amount)}";"";'
        '"00040123456";"BoursoBank";"4 512,30"\n'
        for day, amount, text, *_rest in rows
    )
    return ("\ufeff" + head + body).encode()
