"""Emails: one function per kind (emails.py), transports, and delivery from the outbox."""
