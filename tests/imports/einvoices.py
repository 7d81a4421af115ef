"""E-invoices written by the tests: CII (per Factur-X profile), UBL 2.1, Factur-X PDFs and ZIPs.

The seller is the `business` fixture's company (SIREN 732829320, from its SIRET in
tests/factories.py) unless told otherwise.
"""

import dataclasses
import io
import zipfile
from decimal import Decimal

from tests.factories import pdf_bytes

SELLER_SIREN = "732829320"
BUYER_SIREN = "552100554"
GUIDELINES = {
    "minimum": "urn:factur-x.eu:1p0:minimum",
    "basic": "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic",
    "en16931": "urn:cen.eu:en16931:2017",
}


@dataclasses.dataclass
class Sample:
    number: str = "FX-2026-001"
    type_code: str = "380"
    issue: str = "2026-09-01"
    due: str | None = "2026-10-01"
    seller_name: str = "Atelier Test"
    seller_siren: str = SELLER_SIREN
    seller_vat: str = ""
    buyer_name: str = "Boulangerie Dupain SARL"
    buyer_siren: str = BUYER_SIREN
    buyer_email: str = "compta@dupain.test"
    street: str = "8 rue du Four"
    postal_code: str = "75006"
    city: str = "Paris"
    excl: str = "1000.00"
    vat: str = "0.00"
    currency: str = "EUR"
    terms: str = "Virement à 30 jours, pénalités au taux BCE + 10 points"
    preceding: str = ""

    @property
    def incl(self) -> str:
        return str(Decimal(self.excl) + Decimal(self.vat))


def cii(sample: Sample, profile: str = "en16931") -> bytes:
    """A CrossIndustryInvoice of the profile, with the elements in the order its XSD wants."""
    s = sample
    rich = profile != "minimum"
    issue = s.issue.replace("-", "")
    seller_vat = (
        f'<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">{s.seller_vat}</ram:ID></ram:SpecifiedTaxRegistration>'
        if s.seller_vat
        else ""
    )

    def legal(siren):
        return (
            f'<ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">{siren}</ram:ID></ram:SpecifiedLegalOrganization>'
            if siren
            else ""
        )

    line = (
        (
            "<ram:IncludedSupplyChainTradeLineItem>"
            "<ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>"
            "<ram:SpecifiedTradeProduct><ram:Name>Prestation de conseil</ram:Name></ram:SpecifiedTradeProduct>"
            f"<ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>{s.excl}</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>"
            '<ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="C62">1</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>'
            "<ram:SpecifiedLineTradeSettlement>"
            f"<ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>{'S' if Decimal(s.vat) else 'E'}</ram:CategoryCode><ram:RateApplicablePercent>{'20' if Decimal(s.vat) else '0'}</ram:RateApplicablePercent></ram:ApplicableTradeTax>"
            f"<ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>{s.excl}</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>"
            "</ram:SpecifiedLineTradeSettlement>"
            "</ram:IncludedSupplyChainTradeLineItem>"
        )
        if rich
        else ""
    )
    buyer_contact = ""
    if profile == "en16931" and s.buyer_email:
        buyer_contact = f"<ram:DefinedTradeContact><ram:EmailURIUniversalCommunication><ram:URIID>{s.buyer_email}</ram:URIID></ram:EmailURIUniversalCommunication></ram:DefinedTradeContact>"
    buyer_address = (
        (
            f"<ram:PostalTradeAddress><ram:PostcodeCode>{s.postal_code}</ram:PostcodeCode><ram:LineOne>{s.street}</ram:LineOne>"
            f"<ram:CityName>{s.city}</ram:CityName><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>"
        )
        if rich
        else ""
    )
    buyer_uri = (
        f'<ram:URIUniversalCommunication><ram:URIID schemeID="EM">{s.buyer_email}</ram:URIID></ram:URIUniversalCommunication>'
        if rich and s.buyer_email
        else ""
    )
    tax = (
        (
            f"<ram:ApplicableTradeTax><ram:CalculatedAmount>{s.vat}</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>"
            + (
                ""
                if Decimal(s.vat)
                else "<ram:ExemptionReason>TVA non applicable, art. 293 B du CGI</ram:ExemptionReason>"
            )
            + f"<ram:BasisAmount>{s.excl}</ram:BasisAmount><ram:CategoryCode>{'S' if Decimal(s.vat) else 'E'}</ram:CategoryCode>"
            f"<ram:RateApplicablePercent>{'20' if Decimal(s.vat) else '0'}</ram:RateApplicablePercent></ram:ApplicableTradeTax>"
        )
        if rich
        else ""
    )
    terms = ""
    if rich and (s.terms or s.due):
        terms = "<ram:SpecifiedTradePaymentTerms>"
        if s.terms:
            terms += f"<ram:Description>{s.terms}</ram:Description>"
        if s.due:
            terms += f'<ram:DueDateDateTime><udt:DateTimeString format="102">{s.due.replace("-", "")}</udt:DateTimeString></ram:DueDateDateTime>'
        terms += "</ram:SpecifiedTradePaymentTerms>"
    preceding = (
        f"<ram:InvoiceReferencedDocument><ram:IssuerAssignedID>{s.preceding}</ram:IssuerAssignedID></ram:InvoiceReferencedDocument>"
        if s.preceding and rich
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>{GUIDELINES[profile]}</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>
<rsm:ExchangedDocument><ram:ID>{s.number}</ram:ID><ram:TypeCode>{s.type_code}</ram:TypeCode><ram:IssueDateTime><udt:DateTimeString format="102">{issue}</udt:DateTimeString></ram:IssueDateTime></rsm:ExchangedDocument>
<rsm:SupplyChainTradeTransaction>{line}
<ram:ApplicableHeaderTradeAgreement>
<ram:SellerTradeParty><ram:Name>{s.seller_name}</ram:Name>{legal(s.seller_siren)}<ram:PostalTradeAddress><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>{seller_vat}</ram:SellerTradeParty>
<ram:BuyerTradeParty><ram:Name>{s.buyer_name}</ram:Name>{legal(s.buyer_siren)}{buyer_contact}{buyer_address}{buyer_uri}</ram:BuyerTradeParty>
</ram:ApplicableHeaderTradeAgreement>
<ram:ApplicableHeaderTradeDelivery/>
<ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>{s.currency}</ram:InvoiceCurrencyCode>{tax}{terms}
<ram:SpecifiedTradeSettlementHeaderMonetarySummation>{f"<ram:LineTotalAmount>{s.excl}</ram:LineTotalAmount>" if rich else ""}<ram:TaxBasisTotalAmount>{s.excl}</ram:TaxBasisTotalAmount><ram:TaxTotalAmount currencyID="{s.currency}">{s.vat}</ram:TaxTotalAmount><ram:GrandTotalAmount>{s.incl}</ram:GrandTotalAmount><ram:DuePayableAmount>{s.incl}</ram:DuePayableAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation>{preceding}
</ram:ApplicableHeaderTradeSettlement>
</rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
""".encode()


def facturx_pdf(sample: Sample, profile: str = "en16931") -> bytes:
    """A Factur-X PDF made by the factur-x package (its XSD check on): a blank page and the XML."""
    from facturx import generate_from_binary

    return bytes(generate_from_binary(pdf_bytes(), cii(sample, profile), check_xsd=True))


def ubl(sample: Sample, *, credit_note: bool = False) -> bytes:
    s = sample
    root = "CreditNote" if credit_note else "Invoice"
    type_element = "CreditNoteTypeCode" if credit_note else "InvoiceTypeCode"
    due = f"<cbc:DueDate>{s.due}</cbc:DueDate>" if s.due and not credit_note else ""
    billing = (
        f"<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>{s.preceding}</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference>"
        if s.preceding
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
<cbc:ID>{s.number}</cbc:ID>
<cbc:IssueDate>{s.issue}</cbc:IssueDate>{due}
<cbc:{type_element}>{s.type_code}</cbc:{type_element}>
<cbc:DocumentCurrencyCode>{s.currency}</cbc:DocumentCurrencyCode>{billing}
<cac:AccountingSupplierParty><cac:Party>
<cac:PostalAddress><cac:Country><cbc:IdentificationCode>FR</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
{f"<cac:PartyTaxScheme><cbc:CompanyID>{s.seller_vat}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>" if s.seller_vat else ""}
<cac:PartyLegalEntity><cbc:RegistrationName>{s.seller_name}</cbc:RegistrationName>{f'<cbc:CompanyID schemeID="0002">{s.seller_siren}</cbc:CompanyID>' if s.seller_siren else ""}</cac:PartyLegalEntity>
</cac:Party></cac:AccountingSupplierParty>
<cac:AccountingCustomerParty><cac:Party>
<cac:PostalAddress><cbc:StreetName>{s.street}</cbc:StreetName><cbc:CityName>{s.city}</cbc:CityName><cbc:PostalZone>{s.postal_code}</cbc:PostalZone><cac:Country><cbc:IdentificationCode>FR</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
<cac:PartyLegalEntity><cbc:RegistrationName>{s.buyer_name}</cbc:RegistrationName>{f'<cbc:CompanyID schemeID="0002">{s.buyer_siren}</cbc:CompanyID>' if s.buyer_siren else ""}</cac:PartyLegalEntity>
{f"<cac:Contact><cbc:ElectronicMail>{s.buyer_email}</cbc:ElectronicMail></cac:Contact>" if s.buyer_email else ""}
</cac:Party></cac:AccountingCustomerParty>
{f"<cac:PaymentTerms><cbc:Note>{s.terms}</cbc:Note></cac:PaymentTerms>" if s.terms else ""}
<cac:TaxTotal><cbc:TaxAmount currencyID="{s.currency}">{s.vat}</cbc:TaxAmount></cac:TaxTotal>
<cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="{s.currency}">{s.excl}</cbc:LineExtensionAmount><cbc:TaxExclusiveAmount currencyID="{s.currency}">{s.excl}</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount currencyID="{s.currency}">{s.incl}</cbc:TaxInclusiveAmount><cbc:PayableAmount currencyID="{s.currency}">{s.incl}</cbc:PayableAmount></cac:LegalMonetaryTotal>
</{root}>
""".encode()


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"><a>&lol9;</a></rsm:CrossIndustryInvoice>
"""


def external_entity(path: str) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file://{path}"> ]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>&xxe;</cbc:ID></Invoice>
""".encode()
