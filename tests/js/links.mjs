// Opens a link from an e-mail in headless Chromium (playwright-core, the system's chromium) the
// way a person does, or the way a mail scanner does, and prints one JSON line with what the page
// showed and {"problems": [...]}: console errors (CSP violations among them), script errors,
// failed requests and any request outside the app.
// Usage: node links.mjs <journey> <link> <chromium path> <screenshot.png> [options as JSON]
// Journeys:
//   scan      open the page and wait until the network is idle; press nothing
//   activate  press «Завершить регистрацию»
//   confirm   press «Подтвердить адрес»
//   used      press the page's one button and read the problem it shows
//   press     press options.button and wait for the heading options.heading
//   recovery  press «Продолжить», choose options.login, submit options.weak (a password the
//             server refuses, with a different repeat), then options.password
import { chromium } from "playwright-core";

const [journey, link, executablePath, screenshot, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson || "{}");
const origin = new URL(link).origin;
const TIMEOUT = 30000;

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const problems = [];
const api = []; // the operations the page sent to /graphql
let page;

async function textOf(selector) {
  const element = page.locator(selector);
  return (await element.count()) && (await element.isVisible())
    ? (await element.innerText()).trim()
    : null;
}

async function press(name) {
  await page.getByRole("button", { name, exact: true }).click({ timeout: TIMEOUT });
}

async function heading(text) {
  await page.getByRole("heading", { level: 1, name: text }).waitFor({ timeout: TIMEOUT });
}

const journeys = {
  async scan() {
    await page.waitForLoadState("networkidle", { timeout: TIMEOUT });
    return {
      title: await textOf("h1"),
      buttons: await page.getByRole("button").allInnerTexts(),
    };
  },

  async used() {
    await page.getByRole("button").click({ timeout: TIMEOUT });
    await page.getByRole("alert").waitFor({ state: "visible", timeout: TIMEOUT });
    return {
      problem: await textOf("#problem"),
      buttons: await page.getByRole("button").allInnerTexts(),
    };
  },

  async activate() {
    const before = await textOf("h1");
    await press("Завершить регистрацию");
    await heading("Регистрация завершена");
    return { before, heading: await textOf("h1"), done: await textOf("#done") };
  },

  async confirm() {
    const before = await textOf("h1");
    await press("Подтвердить адрес");
    await heading("Адрес подтверждён");
    return { before, heading: await textOf("h1"), done: await textOf("#done") };
  },

  async press() {
    const before = await textOf("h1");
    await press(options.button);
    await heading(options.heading);
    return { before, heading: await textOf("h1"), done: await textOf("#done") };
  },

  async recovery() {
    const before = await textOf("#start");
    await press("Продолжить");
    const logins = page.getByRole("group", { name: "Логин, для которого нужен новый пароль" });
    await logins.waitFor({ timeout: TIMEOUT });
    const choices = await logins.getByRole("radio").evaluateAll((els) =>
      els.map((el) => ({ login: el.labels[0].innerText, checked: el.checked })),
    );
    // With several logins none is chosen for the person: submitting asks for one.
    let noLogin = null;
    if (choices.length > 1) {
      await press("Сменить пароль");
      await page.locator("#login-error").waitFor({ state: "visible", timeout: TIMEOUT });
      noLogin = await textOf("#login-error");
    }
    await logins.getByLabel(options.login, { exact: true }).check();
    await page.getByLabel("Новый пароль", { exact: true }).fill(options.weak);
    await page.getByLabel("Новый пароль ещё раз", { exact: true }).fill(`${options.weak}x`);
    await press("Сменить пароль");
    await page.locator("#password-error").waitFor({ state: "visible", timeout: TIMEOUT });
    const refused = {
      password: await textOf("#password-error"),
      passwordRepeat: await textOf("#passwordRepeat-error"),
      invalid: await page.locator('[aria-invalid="true"]').evaluateAll((els) =>
        els.map((el) => el.id),
      ),
    };
    await page.getByLabel("Новый пароль", { exact: true }).fill(options.password);
    await page.getByLabel("Новый пароль ещё раз", { exact: true }).fill(options.password);
    await press("Сменить пароль");
    await heading("Пароль изменён");
    return {
      before,
      choices,
      noLogin,
      refused,
      heading: await textOf("h1"),
      done: await textOf("#done"),
    };
  },
};

try {
  page = await browser.newPage({ viewport: { width: 900, height: 800 }, locale: "ru-RU" });
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request: ${r.url()} ${r.failure()?.errorText}`));
  page.on("request", (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith("data:")) {
      problems.push(`outside request: ${r.url()}`);
    }
    if (new URL(r.url()).pathname.endsWith("/graphql")) {
      const body = r.postDataJSON();
      api.push((body?.query || "").match(/^\s*mutation\s+(\w+)/)?.[1] || "?");
    }
  });
  const response = await page.goto(link, { timeout: TIMEOUT });
  const status = response.status();
  const csp = response.headers()["content-security-policy"] || null;
  const seen = await journeys[journey]();
  console.log(JSON.stringify({ status, csp, ...seen, api, problems }));
} catch (error) {
  console.log(JSON.stringify({ error: String(error), api, problems }));
  process.exitCode = 1;
} finally {
  if (screenshot && page) await page.screenshot({ path: screenshot, fullPage: true });
  await browser.close();
}
