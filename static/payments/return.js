// The return page follows its payment's status live: paymentStatus(id, capability) over a
// WebSocket speaking graphql-transport-ws (no library: connection_init, subscribe, next, ping).
// The capability (in the page's URL) authorizes it without signing in; the answer carries the
// status and the failure reason only.
"use strict";
(function () {
  const root = document.getElementById("payment");
  if (!root) return;
  const id = root.dataset.paymentId;
  const capability = root.dataset.capability;
  const TEXTS = {
    CREATED: "Платёж обрабатывается",
    PENDING: "Ожидает оплаты",
    SUCCEEDED: "Оплачено",
    FAILED: "Не оплачено",
    CANCELED: "Платёж отменён",
    EXPIRED: "Срок оплаты истёк",
    REFUNDED: "Деньги возвращены",
  };
  const FINAL = ["SUCCEEDED", "FAILED", "CANCELED", "EXPIRED", "REFUNDED"];
  const QUERY =
    "subscription Return($id: ID!, $capability: String) {" +
    " paymentStatus(id: $id, capability: $capability) { status failureReason } }";
  const status = document.getElementById("status");
  const reason = document.getElementById("reason");
  const live = document.getElementById("live");
  let attempt = 0;
  let refused = false;

  function show(payment) {
    root.dataset.live = "1";
    root.dataset.status = payment.status;
    status.textContent = TEXTS[payment.status] || payment.status;
    reason.textContent = payment.failureReason || "";
    reason.hidden = !payment.failureReason;
    if (FINAL.includes(payment.status)) live.hidden = true;
  }

  function final() {
    return FINAL.includes(root.dataset.status);
  }

  function connect() {
    if (final()) return;
    const url = new URL("/graphql", window.location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(url, "graphql-transport-ws");
    const send = (message) => ws.send(JSON.stringify(message));
    ws.onopen = () => send({ type: "connection_init", payload: {} });
    ws.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "connection_ack") {
        attempt = 0;
        send({ id: "1", type: "subscribe", payload: { query: QUERY, variables: { id, capability } } });
      } else if (message.type === "ping") {
        send({ type: "pong" });
      } else if (message.type === "next" && message.payload && message.payload.data) {
        show(message.payload.data.paymentStatus);
        if (final()) ws.close(1000);
      } else if (message.type === "next") {
        // Refused (a wrong capability): asking again will not help.
        refused = true;
        ws.close(1000);
      } else if (message.type === "error" || message.type === "complete") {
        // Refused (a wrong capability): asking again will not help.
        refused = message.type === "error";
        ws.close(1000);
      }
    };
    ws.onclose = () => {
      // The server restarted or the network dropped: come back, each time a little later.
      if (final() || refused) return;
      attempt += 1;
      window.setTimeout(connect, Math.min(30000, 1000 * 2 ** Math.min(attempt, 5)));
    };
  }

  connect();
})();
