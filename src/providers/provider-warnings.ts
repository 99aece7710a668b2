import type { SharedV4Warning } from "@ai-sdk/provider";
import type { EventSink } from "../events/event-sink.js";

/** The `code` of `warning` events made from a provider's warnings. */
export const PROVIDER_WARNING_CODE = "provider_warning";

/**
 * Emits a `warning` event (`code: "provider_warning"`) per warning a provider returned with a
 * call (`doGenerate`'s `warnings`, `doStream`'s `stream-start` part): a setting it ignored, a
 * feature it ran in a compatibility mode. Returns the back-pressure wait, if any.
 */
export function emitProviderWarnings(
  warnings: readonly SharedV4Warning[] | undefined,
  events: EventSink,
  model: string,
): Promise<void> | undefined {
  if (!warnings || warnings.length === 0) return undefined;
  let waits: Promise<void>[] | undefined;
  for (const warning of warnings) {
    const wait = events.emit("warning", {
      message: `${model}: ${describeWarning(warning)}`,
      code: PROVIDER_WARNING_CODE,
    });
    if (wait) (waits ??= []).push(wait);
  }
  return waits ? Promise.all(waits).then(() => undefined) : undefined;
}

function describeWarning(warning: SharedV4Warning): string {
  switch (warning.type) {
    case "unsupported":
      return `the provider does not support ${warning.feature}${warning.details ? ` (${warning.details})` : ""}; it was not applied.`;
    case "compatibility":
      return `${warning.feature} runs in a compatibility mode${warning.details ? ` (${warning.details})` : ""}.`;
    case "deprecated":
      return `${warning.setting} is deprecated: ${warning.message}`;
    case "other":
      return warning.message;
  }
}
