"""Adapters to the outside world (event broker, acquirers, SMS gateway, SMTP), one module per
implementation behind a small interface, chosen by configuration."""
