"""Staff admin: inventory."""
