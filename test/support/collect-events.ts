import type { StreamEvent } from "llmteam";

/** Reads a run's event stream to its end and returns the events in order. */
export async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}
