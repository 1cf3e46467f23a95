"""The integration surface: what the retailer's billing system imports into the cabinet and takes
out of it. One module per kind of import; each importer takes one batch of items, applies it in
one transaction with set-based queries, and answers one ItemResult per item, in item order.
The GraphQL endpoint (/integration/graphql) and the command line (cli.py) call the same
functions."""
