"""What an outbound transport (SMS, email) raises when a message could not be handed over.

The send job decides from the class alone: a temporary failure is retried with backoff, a
permanent one marks the message failed for an officer to follow up. Messages carry a short,
machine-made reason (a status or provider error code), never the recipient or the text, because
they end up in logs and in the job's failure record.
"""

from __future__ import annotations


class DeliveryFailure(Exception):
    """The provider did not take the message."""


class TemporaryFailure(DeliveryFailure):
    """Worth trying again later: the provider is down, slow or rate limiting us."""


class PermanentFailure(DeliveryFailure):
    """Trying again will not help: an invalid or opted-out number, an address that bounces."""
