import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import type { WireReply, WireRequest } from "./openai-wire-server.js";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";

/**
 * What one worker test owns, all unique to it: a folder for team files, a Postgres schema, a
 * queue name and a Redis key prefix (BullMQ's, the budgets' and the breakers'), removed by `clean()`.
 */
export interface WorkerFixture {
  directory: string;
  schema: string;
  storeUrl: string;
  queueName: string;
  /** The Redis key prefix of everything the workers keep: the queue, budgets, breakers. */
  prefix: string;
  /** Writes a team file; returns its path. */
  teamFile(name: string, text: string): string;
  clean(): Promise<void>;
}

export function workerFixture(label: string): WorkerFixture {
  const unique = `${label}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const directory = mkdtempSync(join(tmpdir(), `llmteam-${label}-`));
  const schema = `llmteam_${unique}`.toLowerCase();
  const prefix = `llmteam-test-${unique}`;
  return {
    directory,
    schema,
    storeUrl: `${POSTGRES_URL}?schema=${schema}`,
    queueName: `runs-${unique}`,
    prefix,
    teamFile(name, text) {
      const file = join(directory, name);
      writeFileSync(file, text);
      return file;
    },
    async clean() {
      rmSync(directory, { recursive: true, force: true });
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
}

/** The prompt text of a request's last user message. */
export function promptOf(request: WireRequest): string {
  const messages = request.body.messages as { role: string; content: unknown }[];
  const user = messages.filter((message) => message.role === "user").at(-1);
  return typeof user?.content === "string" ? user.content : JSON.stringify(user?.content);
}

/**
 * Tokens the fake model reports per call: few enough input tokens that a call's reservation
 * (its prompt counted, plus `maxTokens` of output) always covers what it costs.
 */
export const CALL_USAGE = { prompt_tokens: 2, completion_tokens: 20 };
/** What one call costs at the team files' prices ($1000/1M in, $2000/1M out). */
export const CALL_USD = 0.042;
/** What a three-step run costs. */
export const RUN_USD = 3 * CALL_USD;

/**
 * A fake model that answers every prompt after `delayMs`, with text naming the prompt, and
 * counts calls per prompt: the call log that proves which steps ran and how often.
 */
export function countingModel(delayMs: number): {
  reply: (request: WireRequest) => WireReply;
  calls: Map<string, number>;
} {
  const calls = new Map<string, number>();
  return {
    calls,
    reply: (request) => {
      const prompt = promptOf(request);
      calls.set(prompt, (calls.get(prompt) ?? 0) + 1);
      return {
        text: `done(${prompt})`,
        delayMs,
        usage: CALL_USAGE,
      };
    },
  };
}

/** A three-agent team file on the fake model, with a day budget of `budgetUsd` (in Redis on workers). */
export function threeStepTeam(teamId: string, baseURL: string, budgetUsd = 100): string {
  return `teamId: ${teamId}
providers:
  lab: { type: openai-compatible, baseURL: "${baseURL}" }
model: lab/writer
maxTokens: 50
pricing:
  lab/writer: { inputPer1M: 1000, outputPer1M: 2000 }
budgets:
  - { maxCost: ${budgetUsd}, period: day, key: ${teamId} }
agents:
  - { type: llm, role: research, prompt: "Research {query}" }
  - { type: llm, role: draft, prompt: "Draft {query}" }
  - { type: llm, role: edit, prompt: "Edit {query}" }
`;
}
