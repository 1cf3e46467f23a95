"""The electronic bill (электронная квитанция): a paperless account gets each new bill as a PDF
by e-mail as soon as billing imports the statement, instead of the paper one.

- `subscriptions`: the state of an account, opting in and out from the cabinet, opting out
  from the signed link every bill e-mail carries;
- `site`: opting in from the site without signing in (account number, security code, an
  e-mail confirmed by a link);
- `handoff`: the delivery of (account, period) reserved in the statement import's transaction;
- `delivery`: the background pass that renders the reserved bills and queues them in the outbox.
"""
