// Paying without signing in, in headless Chromium (playwright-core, the system's chromium): the
// site's debt look-up (account number, the security code: disabled in tests) gives a pay token;
// createPublicPayment makes a card payment with the receipt e-mail; the browser opens its
// confirmationUrl (the sandbox acquirer's card page), fills the card, passes the 3-D Secure
// step; a second tab (the page that made the payment) follows it on the return page by the
// capability alone and turns SUCCEEDED by itself; the acquirer's link back leads there too.
// No access token anywhere. Prints one JSON line: {"id", "errors", "watching": the second
// tab's status once live, "pushed": its text once SUCCEEDED, "text" and "url" of the return
// page the acquirer's link leads to, "problems": [...]}, or {"error", ...} (exit code 1).
// Usage: node public-payment-journey.mjs <base url> <chromium path> [screenshot.png]
import { chromium } from "playwright-core";
import { payByCard, watchProblems } from "./sandbox-card.mjs";

const [base, executablePath, screenshot] = process.argv.slice(2);
const say = (message) => console.log(JSON.stringify(message));

async function graphql(query, variables) {
  const answer = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  return (await answer.json()).data;
}

const looked = await graphql(
  `query Debt($number: String!) {
     debt(accountNumber: $number, captchaId: "none", captchaAnswer: "none") {
       debt { totalToPay payToken lines { service { code } toPay } } errors { code } } }`,
  { number: "66200000000" },
);
const debt = looked.debt.debt;
const created = await graphql(
  `mutation Pay($input: CreatePublicPaymentInput!) {
     createPublicPayment(input: $input) {
       payment { id confirmationUrl } capability errors { code message } } }`,
  {
    input: {
      payToken: debt.payToken,
      method: "CARD",
      lines: debt.lines.map((line, i) => ({
        serviceCode: line.service.code,
        amount: i === 0 ? "50.00" : "0.00",
      })),
      totalConfirmed: true,
      receiptEmail: "payer@example.ru",
      idempotencyKey: "chromium-1",
    },
  },
);
const payment = created.createPublicPayment.payment;
const errors = created.createPublicPayment.errors;

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const problems = [];
try {
  const context = await browser.newContext();
  watchProblems(context, base, problems);
  const page = await context.newPage();

  // The page that made the payment follows it by the capability alone, before anything is
  // paid: the return page opened in a tab of its own, live while the payment is PENDING.
  const watcher = await context.newPage();
  const capability = created.createPublicPayment.capability;
  await watcher.goto(
    `${base}/payments/return?paymentId=${payment.id}&capability=${encodeURIComponent(capability)}`,
  );
  await watcher.waitForFunction(
    () => document.getElementById("payment")?.dataset.live === "1",
    null,
    { timeout: 15000 },
  );
  const first = await watcher.evaluate(() => document.getElementById("payment").dataset.status);

  await payByCard(page, payment.confirmationUrl);

  // The watching tab turns SUCCEEDED by itself (pushed, no reload).
  await watcher.waitForFunction(
    () => document.getElementById("payment")?.dataset.status === "SUCCEEDED",
    null,
    { timeout: 30000 },
  );
  const pushed = await watcher.locator("body").innerText();
  // The acquirer's link back leads to the same return page.
  await page.locator("a", { hasText: "Вернуться" }).click({ timeout: 10000 });
  await page.waitForFunction(
    () => document.getElementById("payment")?.dataset.status === "SUCCEEDED",
    null,
    { timeout: 15000 },
  );
  const text = await page.locator("body").innerText();
  const url = page.url();
  say({ id: payment.id, errors, watching: first, pushed, text, url, problems });
} catch (error) {
  say({ error: String(error), errors, problems });
  process.exitCode = 1;
} finally {
  if (screenshot) await browser.contexts()[0]?.pages()[0]?.screenshot({ path: screenshot });
  await browser.close();
}
