"""Thin glue between GraphQL and the services: read the context, call a service, hand back
domain objects (the schema layer wraps them in GraphQL types) or the errors of a DomainError."""
