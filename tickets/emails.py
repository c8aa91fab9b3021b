"""What the ticket e-mails need at delivery time: HELPER-G fills this in."""
