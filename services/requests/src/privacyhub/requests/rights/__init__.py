"""Data-subject rights requests (statement §7): intake, identity verification, decision, carrying
a request out across the data owners, and the e-mails at each step."""
