"""Contact service: owns contact-form messages (statement §2b) in its own database."""
