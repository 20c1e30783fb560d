"""Ingest workers: Kafka consumers that store clearance events in the database, exactly once in effect."""
