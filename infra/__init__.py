"""Infrastructure apart from the domain rules: database, logs, metrics, health, crypto, the runtime."""
