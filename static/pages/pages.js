"use strict";
// The pages of the links in e-mails (routes/pages.py; docs/identity.md). Opening a page changes
// nothing, because mail scanners open links too: the person presses the button, then this
// script calls the customer API (/graphql) and shows the answer. The link's token and what the
// API answers stay in this page's memory only; nothing is stored in the browser.
(() => {
  // The API sits beside these files: <base>/static/pages/pages.js -> <base>/graphql.
  const GRAPHQL = new URL("../../graphql", document.currentScript.src).href;
  const NETWORK =
    "Не удалось связаться с сервером. Проверьте подключение к интернету и попробуйте ещё раз.";
  const BROKEN = "Сервер не смог выполнить запрос. Попробуйте ещё раз немного позже.";
  const INCOMPLETE =
    "Ссылка неполная. Откройте ссылку из письма целиком: если в письме она разбита на две " +
    "строки, скопируйте её полностью в адресную строку браузера.";
  const ERRORS = "errors { field code message }";

  const ACTIVATE = `mutation Activate($token: String!) {
    activateEmail(token: $token) { accessToken user { login accounts { number } } ${ERRORS} }
  }`;
  const LOGOUT = `mutation Logout { logout { ok ${ERRORS} } }`;
  const VERIFY = `mutation Verify($contact: String!, $code: String!) {
    verifyPasswordReset(contact: $contact, code: $code) { resetToken logins ${ERRORS} }
  }`;
  const RESET = `mutation Reset($resetToken: String!, $login: String!, $password: String!,
      $passwordRepeat: String!) {
    resetPassword(resetToken: $resetToken, login: $login, password: $password,
        passwordRepeat: $passwordRepeat) { ok ${ERRORS} }
  }`;
  const CONFIRM = `mutation ConfirmEmail($token: String!) {
    confirmEmail(token: $token) { user { login email } ${ERRORS} }
  }`;

  const CONFIRM_EBILL = `mutation ConfirmEbill($token: String!) {
    confirmEbill(token: $token) { accountNumber email ${ERRORS} }
  }`;
  const STOP_EBILL = `mutation StopEbill($token: String!) {
    disableEbillByLink(token: $token) { accountNumber email ${ERRORS} }
  }`;

  const params = new URLSearchParams(window.location.search);
  const $ = (id) => document.getElementById(id);

  // A failure the person can do nothing about but try again (no network, a server error).
  class Failure extends Error {}

  async function call(query, variables, accessToken) {
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
    let response;
    try {
      response = await fetch(GRAPHQL, {
        method: "POST",
        headers,
        body: JSON.stringify({ query, variables }),
        credentials: "omit",
        cache: "no-store",
      });
    } catch {
      throw new Failure(NETWORK);
    }
    let body;
    try {
      body = await response.json();
    } catch {
      throw new Failure(BROKEN);
    }
    if (!response.ok || !body.data || (body.errors && body.errors.length)) {
      throw new Failure(BROKEN);
    }
    return body.data;
  }

  function problem(text) {
    const box = $("problem");
    box.textContent = text || "";
    box.hidden = !text;
  }

  function status(text) {
    $("status").textContent = text || "";
  }

  function messageOf(error) {
    if (error instanceof Failure) return error.message;
    console.error(error);
    return BROKEN;
  }

  // The result: a new heading (focused, so that screen readers announce it) and its section.
  function finish(title) {
    const heading = $("title");
    heading.textContent = title;
    document.title = `${title} — личный кабинет клиента`;
    $("start").hidden = true;
    $("done").hidden = false;
    heading.focus();
  }

  function hasParams(...names) {
    if (names.every((name) => params.get(name))) return true;
    problem(INCOMPLETE);
    return false;
  }

  // Shows the start section; its button runs `run`, which answers the API's errors (if any).
  // An answered error (an expired or used link) cannot be cured by pressing again, so the
  // button goes; a failure of the network or the server leaves it to try again.
  function onPress(run) {
    const go = $("go");
    $("start").hidden = false;
    go.addEventListener("click", async () => {
      problem("");
      go.disabled = true;
      status("Подождите…");
      try {
        const errors = await run();
        if (errors && errors.length) {
          $("start").hidden = true;
          problem(errors.map((e) => e.message).join(" "));
        }
      } catch (error) {
        problem(messageOf(error));
      } finally {
        go.disabled = false;
        status("");
      }
    });
  }

  function activate() {
    if (!hasParams("token")) return;
    onPress(async () => {
      const result = (await call(ACTIVATE, { token: params.get("token") })).activateEmail;
      if (result.errors.length) return result.errors;
      $("done-login").textContent = result.user.login;
      const numbers = result.user.accounts.map((a) => a.number);
      $("accounts").textContent =
        numbers.length === 1
          ? `Лицевой счёт ${numbers[0]} привязан к вашему профилю.`
          : `Лицевые счета ${numbers.join(", ")} привязаны к вашему профилю.`;
      // The API signed the person in, but this page has no cabinet to show: the session it
      // opened is ended rather than left unused (a web app at LK_APP_URL keeps it instead).
      await call(LOGOUT, {}, result.accessToken).catch(() => {});
      finish("Регистрация завершена");
      return [];
    });
  }

  function confirmEmail() {
    if (!hasParams("token")) return;
    onPress(async () => {
      const result = (await call(CONFIRM, { token: params.get("token") })).confirmEmail;
      if (result.errors.length) return result.errors;
      $("email").textContent = result.user.email;
      $("done-login").textContent = result.user.login;
      finish("Адрес подтверждён");
      return [];
    });
  }

  // The electronic bill: both links do what their button says, then show the account and address.
  function ebillLink(query, field, title) {
    return () => {
      if (!hasParams("token")) return;
      onPress(async () => {
        const result = (await call(query, { token: params.get("token") }))[field];
        if (result.errors.length) return result.errors;
        $("account").textContent = result.accountNumber;
        $("email").textContent = result.email;
        finish(title);
        return [];
      });
    };
  }

  function recovery() {
    if (!hasParams("email", "token")) return;
    const email = params.get("email");
    $("email").textContent = email;
    const form = $("reset");
    let resetToken = null;

    onPress(async () => {
      const result = (await call(VERIFY, { contact: email, code: params.get("token") }))
        .verifyPasswordReset;
      if (result.errors.length) return result.errors;
      if (!result.logins.length) {
        return [{ message: "С этим адресом не связан ни один логин. Обратитесь в офис." }];
      }
      resetToken = result.resetToken;
      showLogins(result.logins);
      $("start").hidden = true;
      form.hidden = false;
      (result.logins.length === 1 ? $("password") : $("login-0")).focus();
      return [];
    });

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      problem("");
      clearFieldErrors();
      const chosen = form.querySelector('input[name="login"]:checked');
      if (!chosen) {
        fieldError("login", "Выберите логин.");
        $("login-0").focus();
        return;
      }
      const save = $("save");
      save.disabled = true;
      status("Подождите…");
      try {
        const result = (
          await call(RESET, {
            resetToken,
            login: chosen.value,
            password: $("password").value,
            passwordRepeat: $("passwordRepeat").value,
          })
        ).resetPassword;
        if (result.ok) {
          form.reset();
          form.hidden = true;
          resetToken = null;
          $("done-login").textContent = chosen.value;
          finish("Пароль изменён");
          return;
        }
        for (const error of result.errors) {
          if (["login", "password", "passwordRepeat"].includes(error.field)) {
            fieldError(error.field, error.message);
          } else {
            // The permission to change the password expired or was used: start again.
            form.hidden = true;
            problem(error.message);
          }
        }
        const invalid = form.querySelector('[aria-invalid="true"]');
        if (invalid && !form.hidden) invalid.focus();
      } catch (error) {
        problem(messageOf(error));
      } finally {
        save.disabled = false;
        status("");
      }
    });
  }

  // One radio button per login; with several, the person chooses (none is preselected).
  function showLogins(logins) {
    const box = $("logins");
    box.replaceChildren();
    logins.forEach((login, index) => {
      const row = document.createElement("div");
      row.className = "choice";
      const input = document.createElement("input");
      input.type = "radio";
      input.name = "login";
      input.id = `login-${index}`;
      input.value = login;
      input.checked = logins.length === 1;
      input.addEventListener("change", () => {
        $("username").value = login;
      });
      const label = document.createElement("label");
      label.htmlFor = input.id;
      label.textContent = login;
      row.append(input, label);
      box.append(row);
    });
    $("username").value = logins.length === 1 ? logins[0] : "";
  }

  function fieldError(field, text) {
    const box = $(`${field}-error`);
    box.textContent = text;
    box.hidden = false;
    const input = $(field);
    if (input) input.setAttribute("aria-invalid", "true");
  }

  function clearFieldErrors() {
    for (const field of ["login", "password", "passwordRepeat"]) {
      const box = $(`${field}-error`);
      box.textContent = "";
      box.hidden = true;
      const input = $(field);
      if (input) input.removeAttribute("aria-invalid");
    }
  }

  const pages = {
    activate,
    "confirm-email": confirmEmail,
    recovery,
    "ebill-confirm": ebillLink(CONFIRM_EBILL, "confirmEbill", "Адрес подтверждён"),
    "ebill-stop": ebillLink(STOP_EBILL, "disableEbillByLink", "Вы отказались от электронной квитанции"),
  };
  pages[document.body.dataset.page]?.();
})();
