// The notify bench's clients, on their own thread (so their parsing does not queue behind the
// server's work, as real clients on other machines would not). Plain JS: workers do not inherit
// tsx's loader. Times are absolute (timeOrigin + now) so the main thread can subtract its own.
import { parentPort } from "node:worker_threads";
import { performance } from "node:perf_hooks";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const now = () => performance.timeOrigin + performance.now();
let clients = [];
let disposers = [];
let times = [];
let expected = 0;

parentPort.on("message", async (msg) => {
  if (msg.type === "open") {
    // Connect every socket first: issuing thousands of subscribes keeps this thread busy, and a
    // socket whose connection_init waits behind them past the server's 3 s is closed (4408).
    clients = Array.from({ length: msg.sockets }, () =>
      createClient({ url: msg.url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, connectionParams: { authorization: msg.authorization } }),
    );
    await Promise.all(clients.map((c) => new Promise((resolve) => c.on("connected", resolve))));
    for (let i = 0; i < msg.subscribers; i++) {
      disposers.push(
        clients[i % msg.sockets].subscribe(
          { query: msg.query, variables: { arn: msg.arns[i % msg.arns.length] } },
          {
            next: () => {
              times.push(now());
              if (times.length === expected) parentPort.postMessage({ type: "round", times });
            },
            error: (err) => parentPort.postMessage({ type: "error", error: err?.code ? `closed ${err.code} ${err.reason}` : String(err?.message ?? JSON.stringify(err)) }),
            complete: () => undefined,
          },
        ),
      );
    }
    parentPort.postMessage({ type: "opened" });
  } else if (msg.type === "expect") {
    times = [];
    expected = msg.count;
    parentPort.postMessage({ type: "armed" });
  } else if (msg.type === "close") {
    disposers.forEach((d) => d());
    await Promise.all(clients.map((c) => c.dispose()));
    disposers = [];
    clients = [];
    parentPort.postMessage({ type: "closed" });
  }
});
