/**
 * Help of the fleet's commands (`worker`, `queue`, `schedules`), apart from the commands
 * themselves: `llmteam --help` shows them without loading the queue engine.
 */
export const WORKER_HELP = `llmteam worker <team files|folders>... --redis <url> --store <url> [options]

Takes queued runs of the given teams from a queue in Redis (BullMQ) and executes them, storing
each run in the shared run store. Start as many workers as you like, on as many machines: they
share the queue, the runs, the teams' hour/day/month budgets and their circuit breakers. A run
whose worker dies (kill -9, a lost machine) is taken by another worker once its lock expires
and resumes from its last stored step. SIGTERM or Ctrl-C stops gracefully: runs in flight pause
at their next step boundary and go back to the queue for other workers. See docs/scale-out.md.

Options:
  --redis <url>            the queue's Redis: redis://host:6379 (default: $LLMTEAM_REDIS_URL)
  --store <url>            the shared run store: postgres://…[?schema=name] (default:
                           $LLMTEAM_RUN_STORE; a SQLite file serves workers of one machine only)
  --concurrency <n>        runs executed at once by this worker (default 10)
  --queue-name <name>      the queue (default llmteam-runs; also --queue <name>)
  --prefix <text>          prefix of every Redis key of the fleet: queue, budgets, breakers
                           (default llmteam)
  --port <n>               serve GET /health and GET /metrics on this port (0: any free port)
  --host <address>         the address for --port (default 127.0.0.1)
  --name <name>            the worker's name in logs and metrics (default host:pid)
  --lock-duration-ms <n>   a job's lock, renewed while it runs; a dead worker's runs move on
                           after at most this plus --stalled-interval-ms (default 30000)
  --stalled-interval-ms <n>  how often workers look for runs of dead workers (default 30000)
  --max-stalled <n>        times a run may lose its worker before it fails as poison (default 2)
  -h, --help               show this help

Exit codes: 0 stopped on SIGTERM or Ctrl-C; 1 Redis or the run store cannot be reached at start;
2 bad usage or an invalid team file.`;

const QUEUE_OPTIONS = `Options:
  --redis <url>       the queue's Redis: redis://host:6379 (default: $LLMTEAM_REDIS_URL)
  --queue-name <name> the queue (default llmteam-runs; also --queue <name>)
  --prefix <text>     the fleet's Redis key prefix (default llmteam)
  --json              print JSON
  -h, --help          show this help`;

export const QUEUE_HELP = `llmteam queue status [options]
llmteam queue retry <run id>... | --all-failed [options]

status counts the queue's runs by state — waiting (priorities included), active, delayed,
failed, completed — for the whole queue and per team, then lists the failed runs with their
reason. Failed runs are kept a week for inspection and retry, completed ones a day.

retry puts failed runs back in the queue. A run the store holds as failed resumes from its last
stored step (completed steps are not run again; the step that failed is); a run that never
started (its team was missing, say) starts again. Needs the run store (--store).

${QUEUE_OPTIONS}
  --store <url>       the run store the workers share (retry; default: $LLMTEAM_RUN_STORE)
  --all-failed        retry every failed run of the queue`;

export const SCHEDULES_HELP = `llmteam schedules list [options]

Lists the recurring runs of the queue: the schedule: entries of the team files that workers
loaded (each worker registers its teams' schedules at start), with their cron pattern, time
zone, input and next run.

${QUEUE_OPTIONS}`;
