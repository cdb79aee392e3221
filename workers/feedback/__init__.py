"""Feedback to referrers: acknowledgements, outcomes, and their delivery, tracked.

`send_message` is the RQ job (`workers.relay.JOB_KINDS["send_message"]`); `queue_acknowledgement`
and `queue_outcome` write messages into the outbox for the caller's transaction to commit.
"""

from workers.feedback.jobs import send_message
from workers.feedback.messages import queue_acknowledgement, queue_outcome, resend

__all__ = ["queue_acknowledgement", "queue_outcome", "resend", "send_message"]
