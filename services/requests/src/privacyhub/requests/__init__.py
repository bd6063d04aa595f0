"""Rights-requests service: owns data-subject requests, complaints and the breach register (statement §6-§8)."""
