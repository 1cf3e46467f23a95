// What the Chromium payment journeys share: the sandbox acquirer's card page and 3-D Secure step
// filled like a customer would, and the list of problems a page must not have (script errors,
// failed requests, requests outside the app: CSP violations show as console errors).
export async function payByCard(page, confirmationUrl) {
  await page.goto(confirmationUrl, { timeout: 30000 });
  await page.fill('input[name="number"]', "4111 1111 1111 1111");
  await page.fill('input[name="expiry"]', "12/39");
  await page.fill('input[name="cvc"]', "123");
  await page.click('button[type="submit"]', { timeout: 10000 });
  const code = await page.locator("#code").innerText({ timeout: 10000 });
  await page.fill('input[name="code"]', code);
  await page.click('button[type="submit"]', { timeout: 10000 });
  await page.locator("#status[data-status]").waitFor({ timeout: 10000 });
}

// Records into `problems` what goes wrong on a page (or on every page of a browser context).
export function watchProblems(target, base, problems) {
  const watch = (page) => {
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page: ${e.message}`));
    page.on("requestfailed", (r) => problems.push(`request: ${r.url()} ${r.failure()?.errorText}`));
  };
  if (typeof target.newPage === "function" && typeof target.pages === "function") {
    target.on("page", watch);
  } else {
    watch(target);
  }
  target.on("request", (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith(base.replace("http", "ws")))
      problems.push(`outside request: ${r.url()}`);
  });
}
