// N SSE clients on one run, in their own process (so they do not share the server's event loop).
// Usage: node sse-clients.mjs <events-url> <clients>
// Prints one JSON line when every client has read the run to its end: per-event delivery lag
// (receipt time − the event's timestamp, both Date.now() on this machine) p50/p99/max, events
// per client, and how many clients saw every event once.
const [url, clientsArg] = process.argv.slice(2);
const clients = Number(clientsArg);

async function client() {
  const response = await fetch(url);
  process.stdout.write("connected\n");
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const lags = [];
  const ids = [];
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: (\d+)$/m.exec(block);
      const data = /^data: (.*)$/m.exec(block);
      if (!id || !data) continue;
      // Lag of the tokens (sent after every client connected); the timestamp without a full
      // JSON.parse, so the clients' own CPU stays small.
      if (block.startsWith("event: token")) {
        const at = data[1].indexOf('"timestamp":');
        lags.push(Date.now() - Number.parseInt(data[1].slice(at + 12, at + 30), 10));
      }
      ids.push(Number(id[1]));
      if (/^event: run_(?:completed|failed|cancelled)$/m.test(block)) {
        await reader.cancel();
        return { lags, ids };
      }
    }
  }
  return { lags, ids };
}

const results = await Promise.all(Array.from({ length: clients }, client));
const exact = results.filter((result) => result.ids.every((id, index) => id === index + 1)).length;
process.stdout.write(
  `${JSON.stringify({ lags: results.flatMap((result) => result.lags), events: results[0].ids.length, exact })}\n`,
);
