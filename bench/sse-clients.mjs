// SSE clients on one or more runs, in their own process (so they do not share the server's event
// loop). Usage: node sse-clients.mjs <clients per run> <events-url>...
// Writes "connected" for each client once its stream is open, then one JSON line when every
// client has read its run to its end: every token's delivery lag (receipt time − the event's
// timestamp, both Date.now() on this machine), events per client (the first), how many clients
// saw every event of their run exactly once, in order, and the clients that failed.
const [perRunArg, ...urls] = process.argv.slice(2);
const perRun = Number(perRunArg);

async function client(url) {
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
      // The token's timestamp without a full JSON.parse, so the clients' own CPU stays small.
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

const failures = [];
const results = await Promise.all(
  urls.flatMap((url) =>
    Array.from({ length: perRun }, () =>
      client(url).catch((error) => {
        failures.push(String(error?.cause ?? error));
        return { lags: [], ids: [0] };
      }),
    ),
  ),
);
const exact = results.filter((result) => result.ids.every((id, index) => id === index + 1)).length;
process.stdout.write(
  `${JSON.stringify({
    lags: results.flatMap((result) => result.lags),
    events: results[0].ids.length,
    clients: results.length,
    exact,
    failures,
  })}\n`,
);
