// Opens the app's GraphiQL in headless Chromium (playwright-core, the system's chromium),
// signs in with the demo user, runs a query with the token in GraphiQL's headers editor state,
// and prints one JSON line: {"result": <the result pane as JSON>, "problems": [...]}.
// Usage: node graphiql.mjs <base url> <chromium path> [screenshot.png]
import { chromium } from "playwright-core";

const [base, executablePath, screenshot] = process.argv.slice(2);
const QUERY = `{
  me { login }
  account(number: "66200000000") { number holderName statement { totalToPay } }
}`;

const login = await fetch(`${base}/graphql`, {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({
    query: 'mutation { login(login: "Ivan", password: "Ivan12345") { accessToken } }',
  }),
}).then((r) => r.json());
const token = login.data.login.accessToken;

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request: ${r.url()}`));
  page.on("request", (r) => {
    if (!r.url().startsWith(base)) problems.push(`outside request: ${r.url()}`);
  });
  // The page decodes its parameters with decodeURIComponent (a "+" stays a "+").
  const q = encodeURIComponent(QUERY);
  const headers = encodeURIComponent(JSON.stringify({ Authorization: `Bearer ${token}` }));
  await page.goto(`${base}/graphql?q=${q}&headers=${headers}`, { timeout: 30000 });
  await page.locator(".graphiql-execute-button").click({ timeout: 30000 });
  const pane = page.locator(".result-window");
  await page.waitForFunction(
    () => (document.querySelector(".result-window")?.innerText || "").includes("totalToPay"),
    null,
    { timeout: 30000 },
  );
  // CodeMirror renders only what is visible; the pane is small enough here to hold it all.
  const text = await pane.evaluate((el) =>
    Array.from(el.querySelectorAll(".CodeMirror-line"))
      .map((l) => l.textContent)
      .join("\n"),
  );
  let result;
  try {
    result = JSON.parse(text.replace(/\u200b/g, "").replace(/\u00a0/g, " "));
  } catch {
    result = text;
  }
  console.log(JSON.stringify({ result, problems }));
} catch (error) {
  console.log(JSON.stringify({ error: String(error), problems }));
  process.exitCode = 1;
} finally {
  if (screenshot) await browser.contexts()[0]?.pages()[0]?.screenshot({ path: screenshot });
  await browser.close();
}
