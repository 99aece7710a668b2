import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import type { AddressInfo } from "node:net";
import type { ServerContext } from "./server-context.js";

/** Where a server listens. */
export interface ListenOptions {
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /**
   * Default `127.0.0.1`. Without API keys the server refuses any other host (everyone who can
   * reach it could run teams and spend money).
   */
  hostname?: string;
}

/** A listening server. */
export interface ListeningServer {
  /** e.g. `http://127.0.0.1:8787`. */
  url: string;
  port: number;
  /** Stops listening (open SSE connections are closed). */
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/** True for the hosts a server without API keys may listen on: 127.0.0.1, localhost, ::1. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.has(hostname);
}

/** Listens with `@hono/node-server`. @throws Error for a non-loopback host without API keys. */
export function listenOn(
  app: Hono,
  context: ServerContext,
  options: ListenOptions = {},
): Promise<ListeningServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  if (!context.auth.enabled && !LOOPBACK.has(hostname)) {
    return Promise.reject(
      new Error(
        `Refusing to listen on ${hostname} without API keys: anyone who reaches it could run teams and spend money. Configure keys (docs/server.md, "Auth"), or listen on 127.0.0.1.`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, port: options.port ?? 8787, hostname },
      (info: AddressInfo) => {
        const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
        resolve({
          url: `http://${host}:${info.port}`,
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              (server as { closeAllConnections?: () => void }).closeAllConnections?.();
            }),
        });
      },
    );
    server.once("error", reject);
  });
}
