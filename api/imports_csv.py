"""CSV import over the same services as the "Importer" page: `imports.csv_services`."""

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.params import P, PathEx
from ninja.responses import Status

from api.auth import actor_of, business_of, token_auth
from api.schemas import READ_ERRORS, WRITE_ERRORS
from core.ids import MAX_ID
from imports.csv_services import mapping_by_header, receive_csv, start_csv_run
from imports.csv_task import rows_done
from imports.lookups import get_csv_import_for
from imports.models import CsvImport

router = Router(auth=token_auth, tags=["Import CSV"])

Id = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant de l’import.")]
Kind = Literal["clients", "invoices", "payments"]


class CsvRowError(Schema):
    row: int = Field(description="Numéro de ligne dans le fichier (l’en-tête est la ligne 1).")
    column: str = Field(description="En-tête de la colonne en cause (ou nom du champ s’il n’a pas de colonne).")
    message: str = Field(description="Message en français.")


class CsvReport(Schema):
    id: int
    kind: Kind
    status: Literal["queued", "running", "done", "failed"] = Field(
        description="done : rapport complet ; queued / running : gros fichier traité en arrière-plan, "
        "à relire à `url` ; failed : erreur inattendue, rien n’a été enregistré."
    )
    dry_run: bool = Field(description="Essai : rien n’est enregistré, le rapport dit ce que l’import ferait.")
    committed: bool = Field(description="Les données du fichier sont enregistrées.")
    rows: int = Field(description="Lignes de données du fichier.")
    rows_done: int = Field(description="Lignes déjà traitées.")
    created: int
    updated: int
    unchanged: int
    clients_created: int = Field(description="Clients créés pour les factures qui les nomment.")
    error_count: int = Field(description="Nombre total d’erreurs ; `errors` en donne au plus 1000.")
    errors: list[CsvRowError]
    columns: dict[str, str] = Field(description="Champ importé → en-tête de la colonne lue (reconnue d’après son nom).")
    url: str = Field(description="Où relire ce rapport.")


def _report(csv_import: CsvImport) -> dict[str, Any]:
    return {
        **csv_import.report(),
        "rows_done": rows_done(csv_import),
        "columns": {key: csv_import.headers[column] for key, column in csv_import.mapping.items()},
        "url": reverse("api:import_csv_detail", kwargs={"id": csv_import.pk}),
    }


@router.post(
    "/imports/csv",
    response={200: CsvReport, 202: CsvReport, **WRITE_ERRORS},
    url_name="import_csv",
    operation_id="importCsv",
    summary="Importer un fichier CSV de clients, de factures ou de règlements",
    description=(
        "Formulaire multipart : `file` (20 Mo au plus ; séparateur `;`, `,` ou tabulation ; UTF-8 avec ou sans BOM "
        "ou Windows-1252 ; montants à virgule décimale ou à point ; dates jj/mm/aaaa ou AAAA-MM-JJ), `kind` "
        "(clients, invoices ou payments) et `dry_run` (par défaut true : essai sans rien enregistrer). Les "
        "colonnes sont reconnues d’après leur en-tête (les en-têtes des exports CSV de Relance le sont toutes). "
        "L’import est tout ou rien : avec la moindre erreur, rien n’est enregistré. Importer deux fois le même "
        "fichier ne change rien (factures retrouvées par numéro, clients par SIREN sinon par nom).\n\n"
        "Réponse 200 avec le rapport `{created, updated, errors: [{row, column, message}]}`. Un gros fichier "
        "(plus de 2 000 lignes) est traité en arrière-plan : réponse 202 avec `status` queued et l’`url` du "
        "rapport à relire jusqu’à `status` done. 422 : fichier illisible ou colonne obligatoire introuvable."
    ),
)
def import_csv(
    request: HttpRequest,
    file: File[UploadedFile],
    kind: Form[Kind],
    dry_run: Annotated[bool, Form(description="true : essai sans rien enregistrer.")] = True,
    mapping: Annotated[
        str,
        Form(
            description="Facultatif : objet JSON champ → en-tête de colonne, qui corrige la reconnaissance "
            'automatique, par exemple `{"number": "Réf.", "notes": null}` (null : ne pas importer ce champ). '
            "Champs : ceux de `columns` dans le rapport."
        ),
    ] = "",
) -> Any:
    csv_import = receive_csv(business=business_of(request), actor=actor_of(request), kind=kind, upload=file)
    corrected = mapping_by_header(csv_import, mapping) if mapping else None
    csv_import = start_csv_run(csv_import=csv_import, actor=actor_of(request), dry_run=dry_run, mapping=corrected)
    return Status(202 if csv_import.is_busy else 200, _report(csv_import))


@router.get(
    "/imports/csv/{id}",
    response={200: CsvReport, **READ_ERRORS},
    url_name="import_csv_detail",
    operation_id="getCsvImport",
    summary="Lire le rapport d’un import CSV",
)
def get_csv_import(request: HttpRequest, id: Id) -> Any:
    return _report(get_csv_import_for(actor_of(request), id))
