"""`python -m schema > schema.graphql` prints the customer schema as SDL."""

from schema import build_schema

print(build_schema().as_str())
