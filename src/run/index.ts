// Public names of the run engine: a run's input, stream, result and report.
export type { RunInput, RunOptions } from "./run-input.js";
export { RunStream } from "./run-stream.js";
export type { RunResult, RunResultFields } from "./run-result.js";
export { RunReport } from "./report/run-report.js";
export type {
  RunReportAgent,
  RunReportData,
  RunReportDecision,
  RunReportEscalation,
} from "./report/run-report.js";
