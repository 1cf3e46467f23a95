// The reference JavaScript client, graphql-ws, against the app's graphql-transport-ws endpoint.
// Prints one JSON line with what each client saw.
// Usage: node graphql-ws.mjs <ws url> <access token>
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, token] = process.argv.slice(2);

// One operation on a fresh client; resolves with the result, or with the close code when the
// server refuses the connection.
function run(connectionParams, query) {
  return new Promise((resolve) => {
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams,
      retryAttempts: 0,
      on: { closed: (event) => resolve({ closed: event.code }) },
    });
    let result = null;
    client.subscribe(
      { query },
      {
        next: (value) => (result = value),
        // An "error" message brings GraphQL errors; a close brings a CloseEvent.
        error: (error) => {
          const errors = Array.isArray(error) ? error.map((e) => e.message) : null;
          resolve({ errors: errors ?? [String(error.code ?? error.message ?? error)] });
          client.dispose();
        },
        complete: () => {
          resolve({ result });
          client.dispose();
        },
      },
    );
  });
}

const ME = "{ me { login } }";
const output = {
  signedIn: await run({ authorization: `Bearer ${token}` }, ME),
  anonymous: await run({}, ME),
  forged: await run({ authorization: "Bearer forged" }, ME),
  invalid: await run({ authorization: `Bearer ${token}` }, "{ me { nope } }"),
};
console.log(JSON.stringify(output));
