import { connect, createServer, type Socket } from "node:net";

/** A TCP proxy on 127.0.0.1 whose link to the target can be cut and restored (a network outage). */
export interface TcpProxy {
  /** The proxy's port on 127.0.0.1. */
  port: number;
  /**
   * Cuts the link. `reset`: open connections are destroyed and new ones closed at once (a
   * refused connection). `hang`: open and new connections stay up but nothing passes (a
   * partition: requests get no answer).
   */
  cut(mode?: "reset" | "hang"): void;
  /** Lets traffic pass again; connections held by `hang` are closed so clients reconnect. */
  restore(): void;
  close(): Promise<void>;
}

/** Starts a proxy from a free port on 127.0.0.1 to `targetPort` on 127.0.0.1. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let state: "open" | "reset" | "hang" = "open";
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (state === "reset") return void client.destroy();
    if (state === "hang") return;
    const upstream = connect(targetPort, "127.0.0.1");
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP port");
  const destroyAll = (): void => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    port: address.port,
    cut(mode = "reset") {
      state = mode;
      if (mode === "reset") destroyAll();
      else for (const socket of sockets) socket.unpipe().pause();
    },
    restore() {
      if (state === "hang") destroyAll();
      state = "open";
    },
    async close() {
      destroyAll();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
