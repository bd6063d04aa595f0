"""What every privacyhub process shares: contracts, topics, settings, logging, broker, idempotency."""
