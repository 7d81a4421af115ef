"""Reading an e-invoice's XML: UN/CEFACT CII (the XML of Factur-X) and UBL 2.1, into plain values.

The XML comes from outside: it is parsed without a DTD, without entity substitution and without
network, and a document that declares a DOCTYPE at all is refused before parsing, so that neither
an entity expansion (« billion laughs ») nor an external entity (a local file, a URL) can be
smuggled in. An e-invoice never needs a DTD: both standards are defined by XML Schemas.

The fields read are those of the European semantic model (EN 16931): BT-1 number, BT-2 issue
date, BT-3 type code, BT-5 currency, BT-9 due date, BT-20 payment terms, BT-27 to BT-32 the seller,
BT-44 to BT-58 and BG-8 the buyer, BT-109 total without VAT, BT-110 VAT, BT-112 total with VAT.
"""

import dataclasses
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from lxml import etree

XML_MAX_BYTES = 2 * 1024 * 1024

CII_NS = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
UBL_INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS = {
    "rsm": CII_NS,
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}

# UNTDID 1001 document types (EN 16931 BT-3): credit notes, the others being invoices.
CREDIT_NOTE_TYPES = {"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"}
# ISO 6523 identifier schemes used in France: 0002 SIREN, 0009 SIRET.
SIREN_SCHEMES = {"0002", "0009"}


class EInvoiceError(ValueError):
    """The file is not an e-invoice that can be read; the message is French, for the user."""


@dataclasses.dataclass(frozen=True)
class Party:
    name: str = ""
    siren: str = ""
    vat_number: str = ""
    email: str = ""
    address_line1: str = ""
    address_line2: str = ""
    postal_code: str = ""
    city: str = ""
    country_code: str = ""


@dataclasses.dataclass(frozen=True)
class EInvoice:
    syntax: str  # "CII" or "UBL"
    number: str
    type_code: str
    issue_date: dt.date
    due_date: dt.date | None
    currency: str
    seller: Party
    buyer: Party
    total_excl_tax: Decimal
    vat_amount: Decimal
    total_incl_tax: Decimal
    payment_terms: str = ""
    preceding_invoice: str = ""

    @property
    def is_credit_note(self) -> bool:
        return self.type_code in CREDIT_NOTE_TYPES


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
    )


DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_xml(content: bytes) -> etree._Element:
    """The root of a trusted-shape XML document, or EInvoiceError."""
    if len(content) > XML_MAX_BYTES:
        raise EInvoiceError("Le fichier XML dépasse 2 Mo : ce n’est pas une facture électronique.")
    # Checked on the raw bytes and, for an encoding such as UTF-16, on the text: a declaration
    # refused here is never handed to the parser.
    if DOCTYPE.search(content) or DOCTYPE.search(_as_utf8(content)):
        raise EInvoiceError("Ce fichier XML déclare un DOCTYPE ou des entités : refusé par sécurité.")
    try:
        root = etree.fromstring(content, parser=_safe_parser())
    except etree.XMLSyntaxError:
        raise EInvoiceError("Ce fichier XML est mal formé : il ne peut pas être lu.") from None
    if root is None or root.getroottree().docinfo.doctype:
        raise EInvoiceError("Ce fichier XML déclare un DOCTYPE ou des entités : refusé par sécurité.")
    return root


def _as_utf8(content: bytes) -> bytes:
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if content.startswith(bom):
            return content[2:].decode(encoding, errors="replace").encode()
    if content[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        return content.decode("utf-16-le" if content[0] == 0x3C else "utf-16-be", errors="replace").encode()
    return b""


def read_einvoice(content: bytes) -> EInvoice:
    root = parse_xml(content)
    namespace = etree.QName(root).namespace
    if namespace == CII_NS and etree.QName(root).localname == "CrossIndustryInvoice":
        return _read_cii(root)
    if namespace in (UBL_INVOICE_NS, UBL_CREDIT_NOTE_NS):
        return _read_ubl(root, credit_note=namespace == UBL_CREDIT_NOTE_NS)
    raise EInvoiceError(
        "Ce fichier XML n’est pas une facture électronique reconnue (CII / Factur-X ou UBL 2.1 attendus)."
    )


# Shared helpers


def _text(node: etree._Element, path: str) -> str:
    found = node.xpath(path, namespaces=NS)
    if not found:
        return ""
    first = found[0]
    value = first if isinstance(first, str) else (first.text or "")
    return " ".join(str(value).split())


def _required(node: etree._Element, path: str, label: str) -> str:
    value = _text(node, path)
    if not value:
        raise EInvoiceError(f"Information obligatoire absente de la facture électronique : {label}.")
    return value


def _amount(value: str, label: str) -> Decimal:
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise EInvoiceError(f"Montant illisible dans la facture électronique : {label} ({value[:30]}).") from None
    if not amount.is_finite():
        raise EInvoiceError(f"Montant illisible dans la facture électronique : {label}.")
    return amount.quantize(Decimal("0.01"))


def _date(value: str, label: str, *, cii_format: str = "") -> dt.date:
    try:
        if cii_format == "102" or (not cii_format and re.fullmatch(r"\d{8}", value)):
            return dt.datetime.strptime(value, "%Y%m%d").date()  # noqa: DTZ007 - a calendar date
        return dt.date.fromisoformat(value)
    except ValueError:
        raise EInvoiceError(f"Date illisible dans la facture électronique : {label} ({value[:30]}).") from None


def _siren_of(identifier: str, scheme: str) -> str:
    digits = identifier.replace(" ", "")
    # A SIREN or a SIRET, declared as such or, without a scheme, recognisable by its 9 or 14 digits.
    if (not scheme or scheme in SIREN_SCHEMES) and re.fullmatch(r"\d{9}|\d{14}", digits):
        return digits[:9]
    return ""


# CII (Factur-X, ZUGFeRD 2, UN/CEFACT CrossIndustryInvoice D16B)


def _cii_party(party: etree._Element | None) -> Party:
    if party is None:
        return Party()
    siren = _siren_of(
        _text(party, "ram:SpecifiedLegalOrganization/ram:ID"),
        _text(party, "ram:SpecifiedLegalOrganization/ram:ID/@schemeID"),
    )
    if not siren:
        for identifier in party.xpath("ram:GlobalID", namespaces=NS):
            siren = siren or _siren_of(identifier.text or "", identifier.get("schemeID", ""))
    return Party(
        name=_text(party, "ram:Name"),
        siren=siren,
        vat_number=_text(party, "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']"),
        email=_text(party, "ram:URIUniversalCommunication/ram:URIID[@schemeID='EM']")
        or _text(party, "ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID"),
        address_line1=_text(party, "ram:PostalTradeAddress/ram:LineOne"),
        address_line2=_text(party, "ram:PostalTradeAddress/ram:LineTwo"),
        postal_code=_text(party, "ram:PostalTradeAddress/ram:PostcodeCode"),
        city=_text(party, "ram:PostalTradeAddress/ram:CityName"),
        country_code=_text(party, "ram:PostalTradeAddress/ram:CountryID"),
    )


def _first(node: etree._Element, path: str) -> etree._Element | None:
    found = node.xpath(path, namespaces=NS)
    return found[0] if found else None


def _read_cii(root: etree._Element) -> EInvoice:
    document = _first(root, "rsm:ExchangedDocument")
    transaction = _first(root, "rsm:SupplyChainTradeTransaction")
    if document is None or transaction is None:
        raise EInvoiceError("Ce fichier CII est incomplet : l’en-tête ou la transaction manque.")
    agreement = _first(transaction, "ram:ApplicableHeaderTradeAgreement")
    settlement = _first(transaction, "ram:ApplicableHeaderTradeSettlement")
    if agreement is None or settlement is None:
        raise EInvoiceError("Ce fichier CII est incomplet : le vendeur, l’acheteur ou les montants manquent.")
    currency = _required(settlement, "ram:InvoiceCurrencyCode", "la devise")
    totals = _first(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    if totals is None:
        raise EInvoiceError("Ce fichier CII ne porte pas ses totaux.")
    # Several TaxTotalAmount may be given (one per currency); BT-110 is the one in the
    # invoice's currency, or the only one without a currency attribute.
    vat = _text(totals, f"ram:TaxTotalAmount[@currencyID='{currency}']") if re.fullmatch(r"[A-Z]{3}", currency) else ""
    vat = vat or _text(totals, "ram:TaxTotalAmount[not(@currencyID)]") or "0"
    issue = _first(document, "ram:IssueDateTime/udt:DateTimeString")
    due = _first(settlement, "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString")
    return EInvoice(
        syntax="CII",
        number=_required(document, "ram:ID", "le numéro de facture"),
        type_code=_required(document, "ram:TypeCode", "le type de document"),
        issue_date=_date(
            " ".join((issue.text or "").split()) if issue is not None else "",
            "date de facture",
            cii_format=issue.get("format", "") if issue is not None else "",
        ),
        due_date=_date(" ".join((due.text or "").split()), "échéance", cii_format=due.get("format", ""))
        if due is not None
        else None,
        currency=currency,
        seller=_cii_party(_first(agreement, "ram:SellerTradeParty")),
        buyer=_cii_party(_first(agreement, "ram:BuyerTradeParty")),
        total_excl_tax=_amount(_required(totals, "ram:TaxBasisTotalAmount", "le total HT"), "total HT"),
        vat_amount=_amount(vat, "TVA"),
        total_incl_tax=_amount(_required(totals, "ram:GrandTotalAmount", "le total TTC"), "total TTC"),
        payment_terms=_text(settlement, "ram:SpecifiedTradePaymentTerms/ram:Description"),
        preceding_invoice=_text(settlement, "ram:InvoiceReferencedDocument/ram:IssuerAssignedID"),
    )


# UBL 2.1 (Invoice and CreditNote)


def _ubl_party(party: etree._Element | None) -> Party:
    if party is None:
        return Party()
    siren = _siren_of(
        _text(party, "cac:PartyLegalEntity/cbc:CompanyID"),
        _text(party, "cac:PartyLegalEntity/cbc:CompanyID/@schemeID"),
    )
    if not siren:
        for identifier in party.xpath("cac:PartyIdentification/cbc:ID", namespaces=NS):
            siren = siren or _siren_of(identifier.text or "", identifier.get("schemeID", ""))
    return Party(
        name=_text(party, "cac:PartyLegalEntity/cbc:RegistrationName") or _text(party, "cac:PartyName/cbc:Name"),
        siren=siren,
        vat_number=_text(party, "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID")
        or _text(party, "cac:PartyTaxScheme/cbc:CompanyID"),
        email=_text(party, "cac:Contact/cbc:ElectronicMail"),
        address_line1=_text(party, "cac:PostalAddress/cbc:StreetName"),
        address_line2=_text(party, "cac:PostalAddress/cbc:AdditionalStreetName"),
        postal_code=_text(party, "cac:PostalAddress/cbc:PostalZone"),
        city=_text(party, "cac:PostalAddress/cbc:CityName"),
        country_code=_text(party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
    )


def _read_ubl(root: etree._Element, *, credit_note: bool) -> EInvoice:
    currency = _required(root, "cbc:DocumentCurrencyCode", "la devise")
    totals = _first(root, "cac:LegalMonetaryTotal")
    if totals is None:
        raise EInvoiceError("Ce fichier UBL ne porte pas ses totaux (LegalMonetaryTotal).")
    type_code = _text(root, "cbc:CreditNoteTypeCode" if credit_note else "cbc:InvoiceTypeCode")
    due = _text(root, "cbc:DueDate") or _text(root, "cac:PaymentMeans/cbc:PaymentDueDate")
    vat = (
        _text(root, f"cac:TaxTotal/cbc:TaxAmount[@currencyID='{currency}']")
        if re.fullmatch(r"[A-Z]{3}", currency)
        else ""
    )
    return EInvoice(
        syntax="UBL",
        number=_required(root, "cbc:ID", "le numéro de facture"),
        type_code=type_code or ("381" if credit_note else "380"),
        issue_date=_date(_required(root, "cbc:IssueDate", "la date de facture"), "date de facture"),
        due_date=_date(due, "échéance") if due else None,
        currency=currency,
        seller=_ubl_party(_first(root, "cac:AccountingSupplierParty/cac:Party")),
        buyer=_ubl_party(_first(root, "cac:AccountingCustomerParty/cac:Party")),
        total_excl_tax=_amount(_required(totals, "cbc:TaxExclusiveAmount", "le total HT"), "total HT"),
        vat_amount=_amount(vat or _text(root, "cac:TaxTotal/cbc:TaxAmount") or "0", "TVA"),
        total_incl_tax=_amount(_required(totals, "cbc:TaxInclusiveAmount", "le total TTC"), "total TTC"),
        payment_terms=_text(root, "cac:PaymentTerms/cbc:Note"),
        preceding_invoice=_text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),
    )
