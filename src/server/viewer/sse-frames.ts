/** One Server-Sent Events frame: its fields (`data` lines joined with "\n"). */
export interface SseFrame {
  event: string | undefined;
  id: string | undefined;
  data: string;
  /** The `retry:` field, in ms. */
  retry: number | undefined;
}

/**
 * Splits a `text/event-stream` into frames, as the HTML standard's parser does: lines end
 * with CRLF, LF or CR; a blank line ends a frame; `:` lines are comments (heartbeats); a frame
 * without `data` dispatches nothing (but its `retry:` still counts). Text may arrive cut
 * anywhere: the rest waits for the next `push`.
 */
export class SseFrameParser {
  private buffer = "";
  private event: string | undefined;
  private id: string | undefined;
  private data: string[] = [];
  private retry: number | undefined;

  /** Adds text; returns the frames it completes. */
  push(text: string): SseFrame[] {
    this.buffer += text;
    const frames: SseFrame[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      // A CR at the very end may be the first half of a CRLF: wait for more.
      if (!match || (match[0] === "\r" && match.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const frame = this.line(line);
      if (frame) frames.push(frame);
    }
    return frames;
  }

  private line(line: string): SseFrame | undefined {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id" && !value.includes("\0")) this.id = value;
    else if (field === "retry" && /^\d+$/.test(value)) this.retry = Number(value);
    return undefined;
  }

  private dispatch(): SseFrame | undefined {
    const frame =
      this.data.length === 0 && this.retry === undefined
        ? undefined
        : { event: this.event, id: this.id, data: this.data.join("\n"), retry: this.retry };
    this.event = undefined;
    this.data = [];
    this.retry = undefined;
    return frame;
  }
}
