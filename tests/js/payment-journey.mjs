// The customer's card payment in headless Chromium (playwright-core, the system's chromium):
// signs in as Ivan and creates a card payment over GraphQL, opens its confirmationUrl (the
// sandbox acquirer's card page), fills the card, passes the 3-D Secure step, follows the link
// back to the return page and watches the status there turn SUCCEEDED without a reload.
// Prints JSON lines: {"event": "created", "id"}, then {"event": "returned", ...} once the return
// page is live (the test then lets the bank's callback through), then the result:
// {"event": "done", "statuses": [...], "text", "url", "problems": [...]}.
// Usage: node payment-journey.mjs <base url> <chromium path> [screenshot.png]
import { chromium } from "playwright-core";
import { payByCard, watchProblems } from "./sandbox-card.mjs";

const [base, executablePath, screenshot] = process.argv.slice(2);
const say = (message) => console.log(JSON.stringify(message));

async function graphql(query, variables, token) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const answer = await fetch(`${base}/graphql`, {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables }),
  });
  return (await answer.json()).data;
}

const login = await graphql(
  'mutation { login(login: "Ivan", password: "Ivan12345") { accessToken } }',
);
const token = login.login.accessToken;
const created = await graphql(
  `mutation Create($input: CreatePaymentInput!) {
     createPayment(input: $input) { payment { id confirmationUrl } errors { code message } } }`,
  {
    input: {
      accountNumber: "66200000000",
      method: "CARD",
      lines: [
        { serviceCode: "ELECTRICITY", amount: "50.00" },
        { serviceCode: "ELECTRICITY_COMMON", amount: "0.00" },
      ],
      totalConfirmed: true,
    },
  },
  token,
);
const payment = created.createPayment.payment;
say({ event: "created", id: payment.id, errors: created.createPayment.errors });

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const problems = [];
try {
  const page = await browser.newPage();
  watchProblems(page, base, problems);
  await payByCard(page, payment.confirmationUrl);
  await page.locator("a", { hasText: "Вернуться" }).click({ timeout: 10000 });

  // The return page: live once its subscription has answered the current state.
  await page.waitForFunction(() => document.getElementById("payment")?.dataset.live === "1", null, {
    timeout: 15000,
  });
  const first = await page.evaluate(() => document.getElementById("payment").dataset.status);
  const url = page.url();
  say({ event: "returned", status: first });
  await page.waitForFunction(
    () => document.getElementById("payment")?.dataset.status === "SUCCEEDED",
    null,
    { timeout: 30000 },
  );
  const text = await page.locator("body").innerText();
  say({ event: "done", statuses: [first, "SUCCEEDED"], text, url, problems });
} catch (error) {
  say({ event: "done", error: String(error), problems });
  process.exitCode = 1;
} finally {
  if (screenshot) await browser.contexts()[0]?.pages()[0]?.screenshot({ path: screenshot });
  await browser.close();
}
