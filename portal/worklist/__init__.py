"""The terminal's work list: container visits waiting on a yard step (models/yard_steps.py)."""
