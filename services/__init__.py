"""Domain rules. No GraphQL and no HTTP here: resolvers and routes call these functions."""
