"""Payments, one module per job:

- `create`: the one creation path (validation, the idempotency key, registration with the
  acquirer) for createPayment and, through `site`, createPublicPayment;
- `site`: paying without signing in (the debt look-up's pay token, the site's origin);
- `cancel`: cancelPayment;
- `events`: what the acquirer reports (callbacks) and the one-way status machine;
- `refunds`: what the acquirer returned of a paid payment, applied once;
- `statement`: the payment's credit on the account's latest statement, and its reversal;
- `reconcile`: asking the acquirer about payments whose callback never came, expiring the rest;
- `views`: reading a payment (who may, and how it reads) and the DataLoaders' batch functions;
- `history`: the account's payment history;
- `capability`: following one payment without signing in (the return page);
- `feeds`: the subscriptions' feeds;
- `channels`: the broker channels a change is published on.
"""
