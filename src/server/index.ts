export { createServer, SERVER_DEFAULTS } from "./create-server.js";
export type { LLMTeamServer, ServerOptions } from "./create-server.js";
export type { ListenOptions, ListeningServer } from "./listen.js";
export type { ServedEntry } from "./load-served.js";
export { HttpProblem } from "./http-problem.js";
export { SCOPES } from "./server-auth.js";
export type { Principal, Scope, ServerAuth } from "./server-auth.js";
