"""What the SMS and phone channels share: Twilio's signature check, TwiML responses, the
conversation rows that hold a thread or call, and once-only handling of webhook retries."""
