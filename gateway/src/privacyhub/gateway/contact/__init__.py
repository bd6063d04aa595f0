"""Public contact form (statement §2b)."""
