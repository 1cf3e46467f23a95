"""The payment history as SQL that builds JSON (services/json_reads.py): the same rows, in the
same order, as history.py pages them, each payment as views.py shows it to its payer."""

from __future__ import annotations

import models
from services.json_reads import KeysetPage, Node, literal
from services.payments.history import HISTORY_STATUSES
from services.payments.views import (
    CABINET,
    CABINET_NAME,
    OFFLINE_PROVIDER,
    SITE,
    SITE_NAME,
    PaymentMethod,
)

_CHANNELS = " ".join(
    f"WHEN {literal(stored)} THEN {literal(shown)}"
    for stored, shown in ((CABINET, CABINET_NAME), (SITE, SITE_NAME))
)

# views.method_of and views.channel_name; the receipt e-mail as the payer sees it (the history
# is the signed-in payer's: personal).
PAYMENT = Node(
    {
        "id": "{t}.id",
        "method": f"CASE WHEN {{t}}.provider = {literal(OFFLINE_PROVIDER)} OR {{t}}.method IS NULL "
        f"THEN {literal(PaymentMethod.OFFLINE.value)} ELSE {{t}}.method END",
        "status": "{t}.status",
        "amount": "{t}.amount",
        "channel": f"CASE {{t}}.channel {_CHANNELS} ELSE {{t}}.channel END",
        "receipt_email": "{t}.receipt_email",
        "created_at": "{t}.created_at",
        "paid_at": "{t}.paid_at",
        "confirmation_url": "{t}.confirmation_url",
        "sbp_payload": "{t}.sbp_payload",
        "failure_reason": "{t}.failure_reason",
        "refunded_amount": "{t}.refunded_amount",
        "refunded_at": "{t}.refunded_at",
    }
)

# history.history: money received on the account, from every channel.
ACCOUNT_PAYMENTS = KeysetPage(
    PAYMENT,
    "FROM payment {t} WHERE {t}.account_id = {p}.id AND {t}.status IN ("
    + ", ".join(literal(models.PaymentStatus(s).value) for s in HISTORY_STATUSES)
    + ")",
    moment="created_at",
)
