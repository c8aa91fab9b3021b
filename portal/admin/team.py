"""Staff admin: team."""
