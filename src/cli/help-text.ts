import { CONFIGURE_HELP } from "./configure-command.js";
import { TOOLS_HELP } from "./tools-command.js";
import { MCP_HELP } from "./mcp-command.js";
import { SERVE_HELP } from "./serve-command.js";
import { KEYS_HELP } from "./keys-command.js";
import { ESTIMATE_HELP } from "./estimate-command.js";
import { NEW_HELP } from "./new-command.js";
import { QUEUE_HELP, SCHEDULES_HELP, WORKER_HELP } from "./worker-help.js";

const RUN_OPTIONS = `  --query <text>      the run input { "query": <text> }
  --input <json>      the run input as a JSON object, e.g. '{"query":"My invoice is wrong"}'
  --model <name>      use this model as the default of the team, or of the group and its teams
                      (e.g. openai/gpt-4o-mini, local/demo); agents naming a model keep theirs
  --json              print every event as one JSON line instead (for scripts)
  --report <file>     write the run's report: Markdown, or JSON when the file ends in .json
                      (checked before the run starts)
  --answer <step>=<json>  answer a human step's task (repeat for several; without it the
                      task is asked in the terminal: type JSON, or reject: <reason>)
  --max-cost <usd>    refuse to run (exit code 3) when the estimate's most is above <usd>,
                      or cannot be known (a model without a price); see llmteam estimate
  --budget-db <path>  SQLite file of the team's hour/day/month budgets
                      (default: $LLMTEAM_BUDGET_DB or .llmteam/budgets.db)
  --store <path|url>  store the run (durable: resumable after a crash with llmteam runs
                      resume): a SQLite file (created) or a postgres://… URL (default:
                      the team file's runStore:, else $LLMTEAM_RUN_STORE, else not stored)
  --kb-store <url>    read knowledge bases from this Postgres schema (postgres://…?schema=x,
                      as llmteam ingest --store) instead of $LLMTEAM_KB_DIR or .llmteam/kb
  --server <url>      run the team on an llmteam server (llmteam serve) and show its events
                      as a local run's; give the server's team id instead of a file (none
                      when it serves one team); Ctrl-C asks the server to cancel the run
  --api-key <key>     the server's API key (default: $LLMTEAM_API_KEY), sent as
                      Authorization: Bearer
  -h, --help          show this help`;

const BUDGET_OPTIONS = `  --budget-db <path>  the SQLite budget file (default: $LLMTEAM_BUDGET_DB or .llmteam/budgets.db)
  --json              print the rows as JSON
  -h, --help          show this help`;

const RUNS_OPTIONS = `  --store <path|url>  the run store: a SQLite file or a postgres://… URL
                      (default: $LLMTEAM_RUN_STORE or .llmteam/runs.db)
  --json              print JSON (list, show, events: one event per line, verify, prune)
  -h, --help          show this help`;

const RUNS_USAGE = `  llmteam runs list [--status s] [--team t] [--since 2h|2026-12-01] [--limit n] [--json]
  llmteam runs show <run-id> [--json]
  llmteam runs events <run-id> [--json] [--follow]
  llmteam runs verify <run-id> [--json]
  llmteam runs cancel <run-id>
  llmteam runs resume <run-id> [team-file] [--json]
  llmteam runs approve <run-id> <approval-id>
  llmteam runs reject <run-id> <approval-id> [--reason text]
  llmteam runs answer <run-id> <task-id> <json>
  llmteam runs prune --older-than 30d`;

const EXIT_CODES = `Exit codes: 0 success; 1 the run failed; 2 bad usage or configuration (nothing was run);
3 --max-cost refused the run (nothing was run); 130 the run was cancelled (Ctrl-C; a second
Ctrl-C exits at once).`;

/** Help of each command, and of `llmteam --help` (which lists every command's options). */
export const HELP: Record<string, string> = {
  main: `llmteam — run teams of LLM agents

Usage:
  llmteam run <team-file> [--query <text> | --input <json>] [options]
  llmteam run --server <url> [team-id] [--query <text> | --input <json>] [--api-key <key>]
  llmteam new "<task>" [-o team.yaml] [--yes] [--run] [options]
  llmteam validate <team-file> [--strict]
  llmteam estimate <team-file> [--query <text> | --input <json>] [options]
  llmteam budget status <team-file> [options]
  llmteam configure <team-file> [options]
  llmteam tools list <team-file> [--json]
  llmteam mcp <team-file>... [--port <n>] [--host <address>] [--model <name>]
  llmteam serve <team files or folders>... [--port <n>] [--host <address>] [options]
  llmteam keys new [--id <id>] [--scopes <list>] [--teams <list>] | keys hash [<key>]
  llmteam ingest <files|folders|globs> --kb <name> [--sync] [options]
  llmteam kb list | show <name> | query "<question>" [--kb <name>] | drop <name>
${RUNS_USAGE}
  llmteam worker <team files|folders>... --redis <url> --store <url> [--concurrency <n>]
  llmteam queue status --redis <url> [--json] | queue retry <run id>... | --all-failed --store <url>
  llmteam schedules list --redis <url> [--json]
  llmteam schema
  llmteam <command> --help
  llmteam --version

run options:
${RUN_OPTIONS}

new options:
${NEW_HELP.split("Options:\n")[1]?.split("\n\nExit codes")[0] ?? ""}

estimate options:
${ESTIMATE_HELP.split("Options:\n")[1] ?? ""}

budget status options:
${BUDGET_OPTIONS}

runs options:
${RUNS_OPTIONS}

configure options:
${CONFIGURE_HELP.split("Options:\n")[1] ?? ""}

serve options:
${SERVE_HELP.split("Options:\n")[1]?.split("\n\nExit codes")[0] ?? ""}

worker options:
${WORKER_HELP.split("Options:\n")[1]?.split("\n\nExit codes")[0] ?? ""}

${EXIT_CODES}`,
  run: `llmteam run <team-file> [options]
       llmteam run --server <url> [team-id] [options]

Runs a team (or a group of teams: a file with groupId) from a YAML or JSON file, showing each
agent's progress and tokens as they come (agents running at the same time: one agent's tokens
live, the others' output as a block when they finish), router decisions, retries and fallbacks
with their reasons, then the final output and the usage.

Options:
${RUN_OPTIONS}

${EXIT_CODES}`,
  budget: `llmteam budget status <team-file> [options]

Shows the spend of the team's hour/day/month budgets in their current windows, as kept in the
SQLite budget file that \`llmteam run\` writes.

Options:
${BUDGET_OPTIONS}`,
  validate: `llmteam validate <team-file> [--strict]

Checks a team (or group) file as a run would before its first model call, and prints every
problem with its file, line, column and key: schema, flow, prompt variables against the
declared inputs, fields of output schemas, models and providers, budgets. What the
environment lacks (an API key, a local model file) is printed as a warning.
Exit code 0 when valid, 2 when not.

Options:
  --strict            treat warnings as errors (exit code 2)
  -h, --help          show this help`,
  configure: CONFIGURE_HELP,
  tools: TOOLS_HELP,
  mcp: MCP_HELP,
  serve: SERVE_HELP,
  keys: KEYS_HELP,
  ingest: `llmteam ingest <files|folders|globs> --kb <name> [options]

Reads text, Markdown, HTML, JSON/JSONL, CSV and PDF files into a knowledge base (a SQLite file,
created when missing), cut into chunks by headings, paragraphs and sentences. Files whose content
is stored already are skipped; changed files replace their chunks; each file is one transaction.
Unreadable, binary, badly encoded and too large files are skipped with the reason.

Options:
  --kb <name>              the knowledge base (required)
  --sync                   also remove documents whose files are not among the inputs
  --kb-dir <dir>           where knowledge bases live (default: $LLMTEAM_KB_DIR or .llmteam/kb)
  --store <url>            keep them in Postgres instead: postgres://…[?schema=name]
  --max-file-bytes <n>     skip larger files (default 20971520)
  --chunk-tokens <n>       most tokens of a chunk (default 400)
  --overlap-tokens <n>     tokens repeated between chunks (default 50)
  --embedding-model <name> also embed chunks (openai/text-embedding-3-small, ollama/<model>):
                           searches become hybrid (BM25 + vectors, reciprocal rank fusion);
                           the summary prices the embedding tokens (bundled catalog)
  --graph --model <name>   KAG: extract entities and relations of each chunk with this model
                           (structured output) into the knowledge graph kag agents walk
  --json                   print the summary as JSON
  -h, --help               show this help`,
  kb: `llmteam kb list | show <name> | query "<question>" [--kb <name>] | drop <name>

Lists, shows, searches and deletes knowledge bases. query prints the passages that answer the
question with their sources and scores (BM25; hybrid when the base has embeddings).

Options:
  --kb <name>              the knowledge base to query (default: the only one)
  --kb-dir <dir>           where knowledge bases live (default: $LLMTEAM_KB_DIR or .llmteam/kb)
  --store <url>            the knowledge bases of a Postgres schema: postgres://…[?schema=name]
  --top-k <n>              passages to print (default 5)
  --mode <mode>            bm25, vector, hybrid (default: hybrid with embeddings, else bm25),
                           or graph (KAG: facts of the entity graph, from ingest --graph)
  --filter <key=value>     only documents whose metadata matches (format, path, title); repeatable
  --json                   print JSON
  -h, --help               show this help`,
  runs: `llmteam runs <command> [options]

Reads and goes on with the runs kept in a run store (SQLite file or Postgres), written by
teams that run with one (llmteam run --store, or runStore: in the team file).

${RUNS_USAGE}

  list     runs newest first (default 20): id, team, status, created, events, tokens, cost;
           --status (repeat or comma-separate), --team, --since (30m, 2h, 7d, 2w or a UTC date)
  show     status, team, input, usage and cost, each agent with its output, and the timeline
  events   the stored event log, one line per event; --follow reads new events until the run ends
  verify   recomputes the log's hash chain; exit 1 naming the first altered, missing or
           reordered event
  cancel   a paused, approval-waiting or interrupted run is marked cancelled; a running one is
           asked to stop at its next step boundary; an ended run is an error (exit 1)
  resume   goes on with a crashed, paused, approval-waiting or interrupted run from its last
           stored step, in this process (the team file given, else the configuration the run
           started with); completed steps are not run again
  approve  keeps a decision for an approval the run asked for; the process running it (or the
  reject   next to resume it) goes on with it; --reason for a rejection
  answer   a human task's answer, as JSON, checked against the task's form
  prune    deletes completed, failed and cancelled runs last changed before --older-than

Options:
${RUNS_OPTIONS}

Exit codes: 0 success; 1 the store or run cannot be read, a log fails verification, a cancel
or decision that cannot be done, a resumed run that failed; 2 bad usage; 130 a resumed run
was cancelled.`,
  estimate: ESTIMATE_HELP,
  new: NEW_HELP,
  worker: WORKER_HELP,
  queue: QUEUE_HELP,
  schedules: SCHEDULES_HELP,
  schema: `llmteam schema

Prints the JSON Schema of team files, for editor autocompletion (e.g. yaml-language-server).

Options:
  -h, --help          show this help`,
};
