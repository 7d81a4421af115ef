"""Collection agencies and collection cases over recovery's services, exactly as the pages do.

Lookups go through `recovery.lookups` (another business's id → 404); changes through
`recovery.services`, which raise ValidationError (422), Conflict (409) or NotFound (404).
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.params import P, PathEx
from ninja.responses import Status
from pydantic import WithJsonSchema

from api.auth import actor_of, business_of, token_auth
from api.schemas import (
    LIST_ERRORS,
    MAX_NOTES,
    READ_ERRORS,
    WRITE_ERRORS,
    CleanText,
    Email,
    InputSchema,
    IsoDate,
    LimitOffset,
    Money,
    MoneyIn,
    ObjectId,
    max_length,
    omittable,
)
from core.ids import MAX_ID
from recovery import evidence, queries, services
from recovery.lookups import get_agency_for, get_case_for
from recovery.models import Agency, CaseStatus, CollectionCase

router = Router(auth=token_auth)

Id = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant.")]
Status_ = Annotated[CaseStatus, WithJsonSchema({"type": "string", "enum": CaseStatus.values})]
MAX_INVOICES = 100


# Agencies


class AgencyOut(Schema):
    id: int
    name: str
    contact_name: str
    email: str
    phone: str
    address: str
    commission_rate: Money = Field(description="Commission en % de chaque somme recouvrée (coût de l’entreprise).")
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime


class AgencyIn(InputSchema):
    name: str = Field(max_length=max_length(Agency, "name"))
    contact_name: str = Field("", max_length=max_length(Agency, "contact_name"))
    email: Email = ""
    phone: str = Field("", max_length=max_length(Agency, "phone"))
    address: str = Field("", max_length=MAX_NOTES)
    commission_rate: MoneyIn = Field(Decimal("0"), description="En %, de 0 à 100.")
    notes: str = Field("", max_length=MAX_NOTES)


class AgencyPatch(InputSchema):
    name: str = omittable(max_length=max_length(Agency, "name"))
    contact_name: str = omittable(max_length=max_length(Agency, "contact_name"))
    email: Email = omittable()
    phone: str = omittable(max_length=max_length(Agency, "phone"))
    address: str = omittable(max_length=MAX_NOTES)
    commission_rate: MoneyIn = omittable()
    notes: str = omittable(max_length=MAX_NOTES)


@router.get(
    "/agencies",
    response={200: list[AgencyOut], **LIST_ERRORS},
    operation_id="listAgencies",
    summary="Lister les agences de recouvrement",
    tags=["Recouvrement"],
)
@paginate(LimitOffset)
def list_agencies(request: HttpRequest) -> Any:
    return queries.agencies(business_of(request))


@router.post(
    "/agencies",
    response={201: AgencyOut, **WRITE_ERRORS},
    operation_id="createAgency",
    summary="Ajouter une agence de recouvrement",
    tags=["Recouvrement"],
)
def create_agency(request: HttpRequest, payload: AgencyIn) -> Any:
    agency = services.create_agency(business=business_of(request), actor=actor_of(request), **payload.model_dump())
    return Status(201, agency)


@router.get(
    "/agencies/{id}",
    response={200: AgencyOut, **READ_ERRORS},
    operation_id="getAgency",
    summary="Lire une agence",
    tags=["Recouvrement"],
)
def get_agency(request: HttpRequest, id: Id) -> Any:
    return get_agency_for(actor_of(request), id)


@router.patch(
    "/agencies/{id}",
    response={200: AgencyOut, **WRITE_ERRORS},
    operation_id="updateAgency",
    summary="Modifier une agence",
    description="Seuls les champs envoyés changent. Le taux des dossiers déjà ouverts ne change pas.",
    tags=["Recouvrement"],
)
def update_agency(request: HttpRequest, id: Id, payload: AgencyPatch) -> Any:
    agency = get_agency_for(actor_of(request), id)
    return services.update_agency(agency=agency, actor=actor_of(request), **payload.model_dump(exclude_unset=True))


@router.delete(
    "/agencies/{id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="deleteAgency",
    summary="Supprimer une agence",
    description="Refusé (409) quand l’agence a des dossiers.",
    tags=["Recouvrement"],
)
def delete_agency(request: HttpRequest, id: Id) -> Any:
    services.delete_agency(agency=get_agency_for(actor_of(request), id), actor=actor_of(request))
    return Status(204, None)


# Cases


class CaseOut(Schema):
    id: int
    client_id: int
    client_name: str
    agency_id: int | None = Field(description="null : procédure judiciaire, sans agence.")
    agency_name: str
    status: Status_
    transmitted_on: dt.date
    commission_rate: Money
    claimed: Money = Field(description="Reste dû des factures le jour de la transmission.")
    recovered: Money = Field(description="Somme des montants recouvrés enregistrés dans le dossier.")
    outstanding: Money = Field(description="Reste dû actuel des factures du dossier.")
    commission: Money = Field(description="Commission de l’agence sur le recouvré : coût de l’entreprise.")
    limitation_deadline: dt.date | None = Field(description="Prescription de la facture la plus ancienne.")
    note: str
    documents: str

    @staticmethod
    def resolve_client_name(obj: CollectionCase) -> str:
        return obj.client.name

    @staticmethod
    def resolve_agency_name(obj: CollectionCase) -> str:
        return obj.agency_label

    @staticmethod
    def resolve_commission(obj: CollectionCase) -> Decimal:
        return queries.commission_of(obj)

    @staticmethod
    def resolve_limitation_deadline(obj: CollectionCase) -> dt.date | None:
        return queries.limitation_of(obj)


class CaseInvoiceOut(Schema):
    invoice_id: int
    number: str
    amount_claimed: Money
    amount_due: Money

    @staticmethod
    def resolve_number(obj: Any) -> str:
        return str(obj.invoice.number)

    @staticmethod
    def resolve_amount_due(obj: Any) -> Decimal:
        return Decimal(obj.invoice.amount_due)


class CaseEventOut(Schema):
    id: int
    date: dt.date
    status: Status_
    amount: Money
    note: str


class CaseDetailOut(CaseOut):
    invoices: list[CaseInvoiceOut]
    events: list[CaseEventOut]

    @staticmethod
    def resolve_invoices(obj: CollectionCase) -> Any:
        return obj.lines.select_related("invoice").order_by("invoice__due_date", "invoice__number")

    @staticmethod
    def resolve_events(obj: CollectionCase) -> Any:
        return obj.events.order_by("date", "id")


class CaseIn(InputSchema):
    invoice_ids: list[ObjectId] = Field(min_length=1, max_length=MAX_INVOICES, description="Factures d’un même client.")
    agency_id: ObjectId | None = Field(None, description="null : procédure judiciaire, sans agence.")
    transmitted_on: IsoDate | None = Field(None, description="Absente : aujourd’hui.")
    note: str = Field("", max_length=MAX_NOTES)
    documents: str = Field("", max_length=MAX_NOTES, description="Documents transmis.")
    confirm_time_barred: bool = Field(
        False, description="Transmettre quand même une facture prescrite (seul un paiement volontaire reste possible)."
    )


class EventIn(InputSchema):
    status: Status_
    date: IsoDate | None = Field(None, description="Absente : aujourd’hui.")
    amount: MoneyIn | None = Field(
        None, description="Montant recouvré (avec partially_recovered ou recovered), enregistré en règlements."
    )
    allocations: dict[str, MoneyIn] | None = Field(
        None, description='Répartition par facture {"id de facture": montant} ; absente : la plus ancienne d’abord.'
    )
    note: str = Field("", max_length=MAX_NOTES)
    key: str = Field(
        "", max_length=64, description="Clé choisie par l’appelant : la même clé renvoyée n’enregistre rien deux fois."
    )


class CaseFilters(CleanText):
    status: Status_ | None = None
    agency_id: ObjectId | None = None
    date_from: IsoDate | None = Field(None, description="Transmis à partir de ce jour.")
    date_to: IsoDate | None = Field(None, description="Transmis jusqu’à ce jour.")


def _figures(case: CollectionCase) -> CollectionCase:
    return queries.with_figures(CollectionCase.objects.filter(pk=case.pk)).select_related("client", "agency").get()


@router.get(
    "/collection-cases",
    response={200: list[CaseOut], **LIST_ERRORS},
    operation_id="listCollectionCases",
    summary="Lister les dossiers de recouvrement",
    description="Les plus récents d’abord ; filtres par statut, agence et date de transmission, comme l’onglet.",
    tags=["Recouvrement"],
)
@paginate(LimitOffset)
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> Any:
    return queries.search_cases(
        business_of(request),
        status=filters.status,
        agency_id=filters.agency_id,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )


@router.post(
    "/collection-cases",
    response={201: CaseDetailOut, **WRITE_ERRORS},
    operation_id="createCollectionCase",
    summary="Mettre des factures en recouvrement",
    description="Les factures sortent des relances tant que le dossier est ouvert (409 pour toute nouvelle relance).",
    tags=["Recouvrement"],
)
def create_case(request: HttpRequest, payload: CaseIn) -> Any:
    agency = None
    if payload.agency_id is not None:
        try:
            agency = get_agency_for(actor_of(request), payload.agency_id)
        except Http404:
            raise ValidationError({"agency_id": "Agence introuvable."}) from None
    case = services.open_case(
        business=business_of(request),
        actor=actor_of(request),
        invoice_ids=payload.invoice_ids,
        agency=agency,
        transmitted_on=payload.transmitted_on or timezone.localdate(),
        note=payload.note,
        documents=payload.documents,
        confirm_time_barred=payload.confirm_time_barred,
    )
    return Status(201, _figures(case))


@router.get(
    "/collection-cases/{id}",
    response={200: CaseDetailOut, **READ_ERRORS},
    operation_id="getCollectionCase",
    summary="Lire un dossier de recouvrement",
    tags=["Recouvrement"],
)
def get_case(request: HttpRequest, id: Id) -> Any:
    return _figures(get_case_for(actor_of(request), id))


@router.post(
    "/collection-cases/{id}/events",
    response={201: CaseDetailOut, **WRITE_ERRORS},
    operation_id="addCollectionCaseEvent",
    summary="Ajouter une étape à un dossier",
    description=(
        "Changement de statut daté, avec le montant recouvré le cas échéant (enregistré une seule fois en "
        "règlements sur les factures). 409 : transition refusée (dossier clos, « recovered » sans factures payées)."
    ),
    tags=["Recouvrement"],
)
def add_event(request: HttpRequest, id: Id, payload: EventIn) -> Any:
    case = get_case_for(actor_of(request), id)
    allocations = None
    if payload.allocations:
        try:
            allocations = {int(key): value for key, value in payload.allocations.items()}
        except ValueError:
            raise ValidationError({"allocations": "Identifiant de facture invalide."}) from None
    services.add_event(
        case=case,
        actor=actor_of(request),
        status=payload.status,
        date=payload.date or timezone.localdate(),
        note=payload.note,
        amount=payload.amount,
        allocations=allocations,
        key=payload.key,
    )
    return Status(201, _figures(case))


@router.get(
    "/collection-cases/{id}/evidence.zip",
    response={200: None, **READ_ERRORS},
    operation_id="getCollectionCaseEvidence",
    summary="Télécharger le dossier de preuves (ZIP)",
    tags=["Recouvrement"],
    description=(
        "Factures, relances figées avec leur preuve d’envoi, décompte des pénalités, chronologie, récapitulatif "
        "de créance et manifeste des empreintes SHA-256. Un taux encore inconnu laisse les intérêts de côté, en le disant."
    ),
    openapi_extra={
        "responses": {
            200: {
                "description": "Le dossier de preuves.",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def get_evidence(request: HttpRequest, id: Id, date: Query[IsoDate | None] = None) -> HttpResponse:
    case = get_case_for(actor_of(request), id)
    as_of = date or timezone.localdate()
    response = HttpResponse(evidence.evidence_zip(case, as_of), content_type="application/zip")
    name = f"dossier-recouvrement-{case.pk}-{slugify(case.client.name) or 'client'}-{as_of:%Y-%m-%d}.zip"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
