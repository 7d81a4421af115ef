"""The invoice table of a reminder, as formatted strings for every renderer (text, HTML, Typst, print view)."""

from dataclasses import dataclass
from typing import Any

from django.utils.html import escape

from core.formats import money, short_date
from dunning.facts_types import ZERO, ReminderFacts


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool


@dataclass(frozen=True)
class InvoiceTable:
    columns: tuple[Column, ...]
    rows: tuple[dict[str, str], ...]
    totals: dict[str, str]
    total_due: str = ""  # set when penalties are claimed: principal + penalties
    text_columns: tuple[Column, ...] = ()
    total_due_label: str = "Total dû, pénalités comprises"

    def as_dict(self) -> dict[str, Any]:
        return {
            "columns": [{"key": c.key, "label": c.label, "numeric": c.numeric} for c in self.columns],
            "rows": list(self.rows),
            "totals": self.totals,
            "total_due": self.total_due,
            "total_due_label": self.total_due_label,
        }


def invoice_table(facts: ReminderFacts) -> InvoiceTable:
    show_interest = (
        facts.include_penalties and not facts.interest_unknown and (facts.interest > 0 or not facts.client.is_consumer)
    )
    show_indemnity = facts.include_penalties and not facts.client.is_consumer
    columns = [
        Column("number", "N° facture", False),
        Column("issue_date", "Date", False),
        Column("due_date", "Échéance", False),
        Column("total", "Montant TTC", True),
        Column("paid", "Déjà réglé", True),
        Column("amount_due", "Reste dû", True),
        Column("days_late", "Retard", True),
    ]
    if show_interest:
        columns.append(Column("interest", "Intérêts", True))
    if show_indemnity:
        columns.append(Column("indemnity", "Indemnité", True))
    rows = tuple(
        {
            "number": invoice.number,
            "issue_date": short_date(invoice.issue_date),
            "due_date": short_date(invoice.due_date),
            "total": money(invoice.total),
            "paid": money(invoice.paid),
            "amount_due": money(invoice.amount_due),
            "days_late": f"{invoice.days_late}\u00a0j",
            "interest": money(invoice.interest),
            "indemnity": money(invoice.indemnity),
        }
        for invoice in facts.invoices
    )
    totals = {
        "number": "Total",
        "issue_date": "",
        "due_date": "",
        "total": money(sum((i.total for i in facts.invoices), ZERO)),
        "paid": money(sum((i.paid for i in facts.invoices), ZERO)),
        "amount_due": money(facts.amount_due),
        "days_late": "",
        "interest": money(facts.interest),
        "indemnity": money(facts.indemnity),
    }
    # A plain-text e-mail is read in a narrow window: fewer columns, "déjà réglé" only if any.
    keep = {"number", "due_date", "total", "amount_due", "days_late", "interest", "indemnity"}
    if any(invoice.paid > 0 for invoice in facts.invoices):
        keep.add("paid")
    return InvoiceTable(
        columns=tuple(columns),
        rows=rows,
        totals=totals,
        total_due=money(facts.total_due) if show_interest or show_indemnity else "",
        text_columns=tuple(column for column in columns if column.key in keep),
        total_due_label="Total dû, indemnité comprise" if facts.interest_unknown else InvoiceTable.total_due_label,
    )


def text_table(table: InvoiceTable) -> str:
    columns = table.text_columns or table.columns
    grid = [[c.label for c in columns]]
    grid += [[row[c.key] for c in columns] for row in table.rows]
    grid.append([table.totals[c.key] for c in columns])
    widths = [max(len(line[i]) for line in grid) for i in range(len(columns))]

    def fmt(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(width) if column.numeric else cell.ljust(width)
            for cell, width, column in zip(cells, widths, columns, strict=True)
        ).rstrip()

    lines = [fmt(grid[0]), "-" * len(fmt(grid[0]))]
    lines += [fmt(cells) for cells in grid[1:-1]]
    lines.append(fmt(grid[-1]))
    if table.total_due:
        lines.append(f"{table.total_due_label} : {table.total_due}")
    return "\n".join(lines)


_CELL = "padding:4px 8px;border-bottom:1px solid #e4e7ec;"


def html_table(table: InvoiceTable) -> str:
    def cell(tag: str, column: Column, value: str, extra: str = "") -> str:
        align = "right" if column.numeric else "left"
        return f'<{tag} style="{_CELL}text-align:{align};white-space:nowrap;{extra}">{escape(value)}</{tag}>'

    head = "".join(cell("th", c, c.label) for c in table.columns)
    body = "".join("<tr>" + "".join(cell("td", c, row[c.key]) for c in table.columns) + "</tr>" for row in table.rows)
    foot = "<tr>" + "".join(cell("td", c, table.totals[c.key], "font-weight:bold;") for c in table.columns) + "</tr>"
    if table.total_due:
        foot += (
            f'<tr><td colspan="{len(table.columns) - 1}" style="{_CELL}font-weight:bold;">'
            f"{escape(table.total_due_label)}</td>"
            f'<td style="{_CELL}text-align:right;white-space:nowrap;font-weight:bold;">{escape(table.total_due)}</td></tr>'
        )
    return (
        '<table class="letter-invoices" style="border-collapse:collapse;margin:0 0 1em;font-variant-numeric:tabular-nums;">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody><tfoot>{foot}</tfoot></table>"
    )
