/**
 * A real notification receiver on localhost for the notification tests: a `node:http` server that
 * records every request it accepts (headers, raw body, whether the signature verified) and can be
 * told to misbehave the ways real receivers do:
 *   - "ok":     answers 204 (or `okStatus`);
 *   - "fail":   answers 500;
 *   - "hang":   reads the request and never answers (the sender's timeout must end it);
 *   - "down":   stops listening: the port refuses connections (ECONNREFUSED), open sockets dropped;
 * and `mode("ok")` after "down" listens again on the same port: the receiver recovers.
 * Accepted means answered 2xx: a request that failed, hung or was refused is counted apart, so
 * "each notification arrived once" is checked on what the receiver took.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { verifySignature } from "../../lib/notify/signature";

export type ReceiverMode = "ok" | "fail" | "hang" | "down";

export interface ReceivedNotification {
  deliveryId: string | undefined;
  event: string | undefined;
  signature: string | undefined;
  /** The signature verified with the receiver's secret over the raw body. */
  verified: boolean;
  rawBody: string;
  body: Record<string, unknown>;
  contentType: string | undefined;
  path: string;
  at: number;
}

export interface NotificationReceiver {
  url: string;
  port: number;
  /** Requests answered 2xx, in the order they arrived. */
  accepted: ReceivedNotification[];
  /** Requests answered 500 or left hanging. */
  rejected: number;
  /** Requests hanging right now. */
  hanging(): number;
  mode(next: ReceiverMode, options?: { okStatus?: number }): Promise<void>;
  /** From now on, fail (500) the next `n` requests, then answer as the mode says. */
  failNext(n: number): void;
  /** Delay every accepted answer by `ms` (to make concurrent senders overlap). */
  delay(ms: number): void;
  close(): Promise<void>;
}

export async function startNotificationReceiver(options: { secret?: string } = {}): Promise<NotificationReceiver> {
  const accepted: ReceivedNotification[] = [];
  let rejected = 0;
  let current: ReceiverMode = "ok";
  let okStatus = 204;
  let failures = 0;
  let delayMs = 0;
  const sockets = new Set<Socket>();
  const held = new Set<ServerResponse>();

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (current === "hang") {
        rejected++;
        held.add(res);
        res.on("close", () => held.delete(res));
        return;
      }
      if (current === "fail" || failures > 0) {
        if (failures > 0) failures--;
        rejected++;
        res.writeHead(500, { "content-type": "text/plain" }).end("receiver failing on purpose");
        return;
      }
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const header = (name: string) => {
        const v = req.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      const signature = header("x-ladder-signature-256");
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(rawBody) as Record<string, unknown>;
      } catch {
        // recorded as is; the test decides whether that is wrong
      }
      const answer = () => {
        accepted.push({
          deliveryId: header("x-ladder-delivery"),
          event: header("x-ladder-event"),
          signature,
          verified: options.secret !== undefined && verifySignature(options.secret, rawBody, signature),
          rawBody,
          body,
          contentType: header("content-type"),
          path: req.url ?? "/",
          at: Date.now(),
        });
        res.writeHead(okStatus).end();
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  };

  let server: Server = createServer(handle);
  const track = (s: Server) =>
    s.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
  track(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  let listening = true;

  const stopListening = async () => {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const res of held) res.destroy();
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  return {
    url: `http://127.0.0.1:${port}/hooks/ladder`,
    port,
    accepted,
    get rejected() {
      return rejected;
    },
    hanging: () => held.size,
    async mode(next, opts = {}) {
      if (opts.okStatus !== undefined) okStatus = opts.okStatus;
      if (next === "down") {
        current = next;
        await stopListening();
        return;
      }
      if (current === "hang" && next !== "hang") for (const res of held) res.destroy();
      current = next;
      if (!listening) {
        server = createServer(handle);
        track(server);
        await new Promise<void>((resolve, reject) => {
          server.once("error", reject);
          server.listen(port, "127.0.0.1", () => resolve());
        });
        listening = true;
      }
    },
    failNext(n) {
      failures = n;
    },
    delay(ms) {
      delayMs = ms;
    },
    close: stopListening,
  };
}
