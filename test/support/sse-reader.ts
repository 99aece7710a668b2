/** One Server-Sent Events frame as a test reads it. */
export interface SseFrame {
  event: string;
  id: number;
  data: unknown;
}

/**
 * Reads SSE frames from a response until `stop(frame)` is true or the stream ends; then stops
 * reading (as a client that goes away). Comments (heartbeats) are skipped.
 */
export async function readFrames(
  response: Response,
  stop: (frame: SseFrame) => boolean = () => false,
): Promise<SseFrame[]> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const frames: SseFrame[] = [];
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return frames;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const frame = parseFrame(block);
        if (!frame) continue;
        frames.push(frame);
        if (stop(frame)) return frames;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function parseFrame(block: string): SseFrame | undefined {
  let event = "message";
  let id: number | undefined;
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event: ")) event = line.slice(7);
    else if (line.startsWith("id: ")) id = Number(line.slice(4));
    else if (line.startsWith("data: ")) data.push(line.slice(6));
  }
  if (id === undefined) return undefined;
  return { event, id, data: JSON.parse(data.join("\n")) as unknown };
}
