"""Referrals by email: the SMTP server, the HTTP endpoint, and the replies that ask what is missing.

Inbound: `smtpd` (aiosmtpd) and `http` (`POST /channels/email`) both hand the raw message to
`handler.receive_email`. `parse`, `html_text` and `reply_text` turn it into the text the sender
wrote; `labelled`, `signature`, `questions` and `answers` turn that into answers to the one
question flow (`forms`); `attachments` keeps allowed files; `automated` stops mail loops.
Outbound: `replies` writes our emails into the outbox and `transport` hands them to the relay.
"""
