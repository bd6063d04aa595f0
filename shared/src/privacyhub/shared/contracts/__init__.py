"""Message payloads, one module per owning domain. Commands are imperative, events past tense."""
