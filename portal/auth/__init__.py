"""Login pages, the session, and who the caller is (`principal.current_principal`)."""
