"""Bank statements in: OFX, CAMT.053 and bank CSV lines matched to open invoices."""
