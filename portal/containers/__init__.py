"""Containers: the caller's visits (list, search) and one container's visits in detail."""
