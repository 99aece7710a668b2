import { request } from "node:http";

/** A request made with node:http (a real socket: its source address, chunked bodies). */
export interface HttpRequestOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  /** Sent with a content-length. */
  body?: string | Buffer;
  /** Sent one by one without a content-length (Transfer-Encoding: chunked). */
  chunks?: (string | Buffer)[];
  /** The source address of the connection, e.g. `127.0.0.2`. */
  localAddress?: string;
}

/** What came back; `error` when the connection broke before a response. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Makes one request on a new connection and reads the whole response. */
export function httpRequest(options: HttpRequestOptions): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      options.url,
      {
        method: options.method ?? "GET",
        headers: options.headers,
        agent: false,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text }),
        );
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    if (options.chunks) {
      for (const chunk of options.chunks) outgoing.write(chunk);
      outgoing.end();
    } else {
      outgoing.end(options.body);
    }
  });
}
