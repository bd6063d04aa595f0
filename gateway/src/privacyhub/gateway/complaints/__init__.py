"""Complaints and suspected data breaches (statement §8): public intake and the privacy officer's tools."""
