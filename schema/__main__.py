"""`python -m schema > schema.graphql` prints the customer schema as SDL."""

from schema import schema

print(schema.as_str())
