"""What the change and maintenance e-mails need at delivery time: a helper fills this in."""
