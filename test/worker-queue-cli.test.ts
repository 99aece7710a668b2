import { afterAll, describe, expect, it } from "vitest";
import { LLMTeam, openRunStore } from "llmteam";
import { createWorker, enqueueRun, RunQueue, waitForRun } from "llmteam/worker";
import { startOpenAIWireServer } from "./support/openai-wire-server.js";
import { cli } from "./support/run-cli.js";
import {
  countingModel,
  REDIS_URL,
  threeStepTeam,
  workerFixture,
} from "./support/worker-fixtures.js";

const fixture = workerFixture("qcli");
afterAll(() => fixture.clean());

const where = ["--redis", REDIS_URL, "--queue-name", fixture.queueName, "--prefix", fixture.prefix];

describe("llmteam queue status and schedules list", () => {
  it("counts runs by state for the queue and per team", { timeout: 30_000 }, async () => {
    const file = fixture.teamFile("press.yaml", threeStepTeam("press", "http://127.0.0.1:9/v1"));
    const worker = await createWorker({
      teams: [file],
      redis: REDIS_URL,
      runStore: fixture.storeUrl,
      queueName: fixture.queueName,
      prefix: fixture.prefix,
      missingTeamGraceMs: 0,
      log: () => undefined,
    });
    const queue = await RunQueue.open({
      redis: REDIS_URL,
      queueName: fixture.queueName,
      prefix: fixture.prefix,
    });
    try {
      const ghost = await enqueueRun(queue, "ghost", { query: "boo" });
      expect((await waitForRun(queue, ghost, { timeoutMs: 10_000 })).status).toBe("failed");
      await worker.close();
      await enqueueRun(queue, "alpha", { query: "a1" });
      await enqueueRun(queue, "alpha", { query: "a2" }, { priority: 1 });
      await enqueueRun(queue, "beta", { query: "b1" }, { delayMs: 3_600_000 });

      const { code, stdout } = await cli(["queue", "status", ...where]);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^alpha\s+2\s+0\s+0\s+0$/m);
      expect(stdout).toMatch(/^beta\s+0\s+0\s+1\s+0$/m);
      expect(stdout).toMatch(/^ghost\s+0\s+0\s+0\s+1$/m);
      expect(stdout).toMatch(/^all teams\s+2\s+0\s+1\s+1$/m);
      const json = JSON.parse((await cli(["queue", "status", ...where, "--json"])).stdout) as {
        totals: Record<string, number>;
      };
      expect(json.totals).toMatchObject({ waiting: 2, delayed: 1, failed: 1, active: 0 });
    } finally {
      await worker.close();
      await queue.queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it(
    "registers a team file's schedule: with the queue, lists it, and runs it when due",
    { timeout: 40_000 },
    async () => {
      const model = countingModel(5);
      const server = await startOpenAIWireServer(model.reply);
      const text = `${threeStepTeam("digest", server.baseURL)}schedule:
  - { cron: "0 9 * * 1-5", timeZone: Europe/Berlin, input: { query: weekday } }
  - { cron: "*/2 * * * * *", input: { query: tick } }
`;
      const file = fixture.teamFile("digest.yaml", text);
      const worker = await createWorker({
        teams: [file],
        redis: REDIS_URL,
        runStore: fixture.storeUrl,
        queueName: `${fixture.queueName}-s`,
        prefix: fixture.prefix,
        env: { OPENAI_API_KEY: "" },
        log: () => undefined,
      });
      const store = await openRunStore(fixture.storeUrl);
      try {
        const listed = await cli([
          "schedules",
          "list",
          ...where.slice(0, 2),
          "--queue",
          `${fixture.queueName}-s`,
          "--prefix",
          fixture.prefix,
          "--json",
        ]);
        expect(listed.code).toBe(0);
        const schedules = JSON.parse(listed.stdout) as {
          id: string;
          cron: string;
          timeZone: string;
          input: unknown;
          nextRunAt: number;
        }[];
        const weekday = schedules.find((schedule) => schedule.id === "digest#0")!;
        expect(weekday).toMatchObject({
          cron: "0 9 * * 1-5",
          timeZone: "Europe/Berlin",
          input: { query: "weekday" },
        });
        const next = new Date(weekday.nextRunAt);
        const berlin = new Intl.DateTimeFormat("en-GB", {
          timeZone: "Europe/Berlin",
          hour: "2-digit",
          minute: "2-digit",
          weekday: "short",
        }).format(next);
        expect(berlin).toMatch(/^(Mon|Tue|Wed|Thu|Fri),? 09:00$/);
        expect(schedules.find((schedule) => schedule.id === "digest#1")).toMatchObject({
          timeZone: "UTC",
        });
        // The two-second schedule queues runs; the worker runs them like any other.
        await expect
          .poll(
            async () => (await store.listRuns({ teamId: "digest", status: "completed" })).length,
            { timeout: 15_000 },
          )
          .toBeGreaterThan(0);
        const [run] = await store.listRuns({ teamId: "digest", status: "completed" });
        expect(run!.input).toEqual({ query: "tick" });
        expect(model.calls.get("Research tick")).toBeGreaterThanOrEqual(1);
        const text = (
          await cli([
            "schedules",
            "list",
            ...where.slice(0, 2),
            "--queue",
            `${fixture.queueName}-s`,
            "--prefix",
            fixture.prefix,
          ])
        ).stdout;
        expect(text).toMatch(/digest#0\s+0 9 \* \* 1-5\s+Europe\/Berlin\s+next \d{4}-/);
      } finally {
        await worker.queue.queue.obliterate({ force: true });
        await worker.close();
        await store.close();
        await server.close();
      }
    },
  );

  it("has --help on the fleet's commands and says what a worker lacks", async () => {
    for (const command of ["worker", "queue", "schedules"]) {
      const { code, stdout } = await cli([command, "--help"]);
      expect(code).toBe(0);
      expect(stdout).toContain(`llmteam ${command}`);
    }
    const file = fixture.teamFile("usage.yaml", threeStepTeam("press", "http://127.0.0.1:9/v1"));
    const noRedis = await cli(["worker", file, "--store", fixture.storeUrl]);
    expect(noRedis).toMatchObject({ code: 2 });
    expect(noRedis.stderr).toContain("llmteam worker needs --redis <url> (or $LLMTEAM_REDIS_URL)");
    const noStore = await cli(["worker", file, "--redis", REDIS_URL]);
    expect(noStore.stderr).toContain("llmteam worker needs --store <url>");
    const badConcurrency = await cli([
      "worker",
      file,
      "--redis",
      REDIS_URL,
      "--store",
      fixture.storeUrl,
      "--concurrency",
      "0",
    ]);
    expect(badConcurrency).toMatchObject({ code: 2 });
    expect(badConcurrency.stderr).toContain("--concurrency must be a whole number from 1");
    // `serve --queue` takes a URL; the fleet's commands name the queue: a URL there is a mix-up.
    const mixedUp = await cli(["worker", file, "--store", fixture.storeUrl, "--queue", REDIS_URL]);
    expect(mixedUp).toMatchObject({ code: 2 });
    expect(mixedUp.stderr).toContain("takes the queue's Redis URL as --redis <url>");
    const status = await cli(["queue", "status", "--queue-name", REDIS_URL, "--redis", REDIS_URL]);
    expect(status).toMatchObject({ code: 2 });
    expect(status.stderr).toContain("--queue-name names the queue");
  });

  it("refuses a schedule with an unknown time zone when the team file loads", () => {
    expect(
      () =>
        new LLMTeam({
          teamId: "digest",
          schedule: { cron: "0 9 * * *", timeZone: "Mars/Olympus" },
        }),
    ).toThrow(/timeZone must be an IANA time zone/);
  });
});
