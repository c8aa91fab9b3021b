"""Staff admin: feedback."""
