"""Books in: CSV files and e-invoices (Factur-X, CII, UBL) written through the ledger's services."""
