"""Reading statements: every format gives the same credit lines; hostile or broken files are
refused with a French message at the file field."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bank import parsers
from tests.bank import statements

ROWS = [
    (dt.date(2026, 11, 12), "1200.00", "VIR SEPA ACME SARL FACT 2024-031", "A1"),
    (dt.date(2026, 11, 13), "-45.10", "PRLV SEPA EDF ECHEANCE", "A2"),
    (dt.date(2026, 11, 14), "350.50", "VIR DUPONT MARIE R-2026-0003", "A3"),
]


def credits(statement: parsers.Statement) -> list[tuple[dt.date, Decimal]]:
    return [(entry.date, entry.amount) for entry in statement.entries if entry.amount > 0]


EXPECTED = [(dt.date(2026, 11, 12), Decimal("1200.00")), (dt.date(2026, 11, 14), Decimal("350.50"))]


@pytest.mark.parametrize(
    ("build", "kind"),
    [
        (statements.ofx_sgml, "ofx"),
        (statements.ofx_xml, "ofx"),
        (statements.camt053, "camt053"),
        (statements.credit_agricole_csv, "csv"),
        (statements.banque_postale_csv, "csv"),
        (statements.boursobank_csv, "csv"),
    ],
)
def test_every_format_gives_the_same_lines(build, kind):
    statement = parsers.parse(build(ROWS))
    assert statement.format == kind
    assert credits(statement) == EXPECTED
    assert [entry.amount for entry in statement.entries if entry.amount < 0] == [Decimal("-45.10")]
    assert "FACT 2024-031" in statement.entries[0].text


def test_ofx_and_camt_keep_the_bank_ids_and_the_account():
    ofx = parsers.parse(statements.ofx_sgml(ROWS, account="00098765432"))
    assert [entry.bank_id for entry in ofx.entries] == ["A1", "A2", "A3"]
    assert ofx.account == "00098765432"
    camt = parsers.parse(statements.camt053(ROWS, debtor="ACME SARL"))
    assert camt.account == "FR7630004000010001234567890"
    assert camt.entries[0].bank_id == "A1"
    assert camt.entries[0].counterparty == "ACME SARL"


def test_csv_layouts_are_recognised_by_their_headers():
    assert parsers.parse(statements.credit_agricole_csv(ROWS)).bank_name == "Crédit Agricole"
    assert parsers.parse(statements.banque_postale_csv(ROWS)).bank_name == "La Banque Postale"
    assert parsers.parse(statements.boursobank_csv(ROWS)).bank_name == "BoursoBank"
    # A label written over two lines by Crédit Agricole is read as one line of text.
    assert parsers.parse(statements.credit_agricole_csv(ROWS)).entries[0].text == "VIR SEPA ACME SARL FACT 2024-031"


def test_csv_with_commas_and_another_layout_goes_through_the_usual_names():
    data = (
        'Date,Libellé,Montant\n12/11/2026,"VIR ACME, FACT 2024-031","1,200.00"\n13/11/2026,"CB CARREFOUR",-12.40\n'
    ).encode()
    statement = parsers.parse(data)
    assert credits(statement) == [(dt.date(2026, 11, 12), Decimal("1200.00"))]
    assert statement.entries[0].text == "VIR ACME, FACT 2024-031"


def test_societe_generale_and_bnp_layouts():
    sg = (
        '="0001234567";01/11/2026;27/11/2026;\n\n'
        "Date de l'opération;Libellé;Détail de l'écriture;Montant de l'opération;Devise\n"
        "12/11/2026;VIR RECU;VIR RECU DE: ACME MOTIF: FACT 2024-031;1 200,00;EUR\n"
    ).encode("cp1252")
    statement = parsers.parse(sg)
    assert statement.bank_name == "Société Générale"
    assert credits(statement) == [(dt.date(2026, 11, 12), Decimal("1200.00"))]
    bnp = (
        "Compte de chèques;****1234;\n"
        "Date operation;Libelle court;Type operation;Libelle operation;Montant operation en euro\n"
        "12/11/2026;VIR SEPA RECU;VIREMENT;VIR SEPA RECU /DE ACME /MOTIF FACT 2024-031;1200,00\n"
    ).encode("cp1252")
    statement = parsers.parse(bnp)
    assert statement.bank_name == "BNP Paribas"
    assert credits(statement) == [(dt.date(2026, 11, 12), Decimal("1200.00"))]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><Stmt>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-11-12</Dt></BookgDt>
<NtryDtls><TxDtls><RmtInf><Ustrd>&lol3;</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><Stmt>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-11-12</Dt></BookgDt>
<NtryDtls><TxDtls><RmtInf><Ustrd>&secret;</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>"""

DOCTYPE_REFUSED = "Ce fichier contient une déclaration DOCTYPE ou ENTITY : il est refusé par sécurité."


def file_errors(data: bytes) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        parsers.parse(data)
    return caught.value.message_dict["file"]


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_hostile_xml_is_refused_before_parsing(data):
    assert file_errors(data) == [DOCTYPE_REFUSED]


def test_an_ofx_with_a_doctype_is_refused_too():
    data = statements.ofx_xml(ROWS).replace(b"<OFX>", b'<!DOCTYPE OFX [<!ENTITY x SYSTEM "file:///etc/passwd">]><OFX>')
    assert file_errors(data) == [DOCTYPE_REFUSED]


def test_malformed_and_foreign_files_are_refused_in_french():
    assert file_errors(b'<?xml version="1.0"?><Document><BkToCstmrStmt><Stmt>') == [
        "Ce fichier XML est mal formé : il ne peut pas être lu."
    ]
    assert file_errors(b'<?xml version="1.0"?><facture><total>12</total></facture>') == [
        "Ce fichier XML n’est ni un relevé CAMT.053 ni un fichier OFX."
    ]
    assert file_errors(b"nom;prenom;age\nDurand;Paul;42\n")[0].startswith(
        "Les colonnes de ce fichier CSV ne sont pas reconnues"
    )
    assert file_errors(b"") == ["Ce fichier est vide."]
    bad_amount = b"Date;Libell\xe9;Montant(EUROS)\n12/11/2026;VIR;douze euros\n"
    assert file_errors(bad_amount) == ["Ligne 2 du fichier CSV illisible : la date ou le montant n’est pas reconnu."]
    bad_date = statements.banque_postale_csv([(dt.date(2026, 11, 12), "10.00", "VIR")]).replace(
        b"12/11/2026", b"31/02/2026"
    )
    assert "illisible" in file_errors(bad_date)[0]
    assert file_errors(b"OFXHEADER:100\n<OFX><STMTTRN><TRNAMT>abc<DTPOSTED>2026</STMTTRN></OFX>") == [
        "Opération n° 1 du fichier OFX illisible (date ou montant)."
    ]


def test_a_file_too_large_is_refused():
    assert file_errors(b"x" * (parsers.MAX_FILE_BYTES + 1)) == [
        "Ce fichier dépasse 5 Mo : exportez une période plus courte."
    ]
