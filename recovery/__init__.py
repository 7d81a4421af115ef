"""Collection: agencies, collection cases with their timeline, recovered money, evidence packs."""
