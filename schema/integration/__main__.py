"""`python -m schema.integration > integration.graphql` prints the integration schema."""

from schema.integration import integration_schema

print(integration_schema.as_str())
