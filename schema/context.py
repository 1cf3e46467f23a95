"""The typed Info every resolver in the schema receives."""

import strawberry

from resolvers.context import Context

Info = strawberry.Info[Context, None]
