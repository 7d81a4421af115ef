"""Books out: client and invoice lists, the aged balance, the full-account export."""
