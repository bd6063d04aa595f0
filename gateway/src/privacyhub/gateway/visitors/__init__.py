"""Website visitors (statement §2a): page views, consent choices, and staff analytics."""
