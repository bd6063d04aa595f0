"""Consent service: owns visitors' consents and visit records (statement §2a)."""
