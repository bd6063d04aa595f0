"""Complaints (statement §8) with their receipts, and the breach register (GDPR Art. 33(5)) that a
reported suspected breach opens an entry in."""
