"""The gateway: the website's and staff tools' only door; it publishes to Kafka and owns no data."""
