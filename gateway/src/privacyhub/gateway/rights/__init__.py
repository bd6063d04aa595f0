"""Data-subject rights requests (statement §6-§7): the web intake, the requester's status page and the privacy officer's desk."""
