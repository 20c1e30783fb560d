"""Time-limit compliance and repeat offenders: GET /api/v1/stats/compliance and /api/v1/stats/offenders
(models.compliance), JSON or CSV."""
