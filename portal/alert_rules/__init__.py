"""Time-limit rules in the portal: GET/PUT/POST/DELETE /api/v1/alert-rules (models.alert_rules)."""
