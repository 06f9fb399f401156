"""E-mail reminders: what falls due, to whom, in which words (templates admins edit), over which
SMTP server, and the log of every mail sent."""
