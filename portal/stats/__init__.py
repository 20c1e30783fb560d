"""Clearance figures: how long clearance takes, where the time goes, what is under way now."""
