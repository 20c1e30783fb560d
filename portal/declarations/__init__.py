"""Declarations: their customs receipts and the caller's containers they cover."""
