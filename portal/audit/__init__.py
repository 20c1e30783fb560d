"""The audit log for the port office (GET /api/v1/audit; models/audit_log.py)."""
