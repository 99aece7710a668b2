import { describe, expect, it } from "vitest";
import * as z from "zod";
import { FakeClock } from "llmteam/testing";
import { ConfigError } from "../errors/config-error.js";
import { ParamType, ToolDefinition, ToolExecutor, tool } from "./index.js";

const add = tool({
  name: "add",
  description: "Add two integers",
  parameters: z.object({ a: z.number().int(), b: z.number().int() }),
  execute: ({ a, b }) => a + b,
});

const flag = tool({
  name: "flag",
  description: "Echo a flag and a label",
  parameters: z.object({ on: z.boolean(), label: z.string(), ratio: z.number().optional() }),
  execute: (args) => args,
});

describe("ToolExecutor.execute", () => {
  it("runs sync and async handlers and reports duration, name and call id", async () => {
    const clock = new FakeClock(0);
    const slowEcho = tool({
      name: "slow_echo",
      description: "Echo after a while",
      parameters: z.object({ text: z.string() }),
      execute: async ({ text }) => {
        await clock.sleep(250);
        return text.toUpperCase();
      },
    });
    const executor = new ToolExecutor({ tools: [add, slowEcho], clock });
    expect(await executor.execute("add", { a: 2, b: 3 }, { callId: "c1" })).toEqual({
      success: true,
      output: 5,
      error: undefined,
      errorReason: undefined,
      durationMs: 0,
      toolName: "add",
      callId: "c1",
    });
    const pending = executor.execute("slow_echo", '{"text":"hi"}');
    await clock.advance(250);
    expect(await pending).toMatchObject({ success: true, output: "HI", durationMs: 250 });
  });

  it("reports an unknown tool with the known names, without throwing", async () => {
    const executor = new ToolExecutor({ tools: [add, flag] });
    expect(await executor.execute("subtract", { a: 1 })).toMatchObject({
      success: false,
      errorReason: "unknown_tool",
      error: 'Unknown tool "subtract". Known tools: add, flag.',
    });
  });

  it("lists every validation problem and never calls the handler with bad arguments", async () => {
    let called = false;
    const guarded = tool({
      name: "guarded",
      description: "d",
      parameters: z.object({ a: z.number().int(), b: z.string() }),
      execute: () => (called = true),
    });
    const executor = new ToolExecutor({ tools: [guarded] });
    const result = await executor.execute("guarded", { a: 1.5 });
    expect(result).toMatchObject({ success: false, errorReason: "invalid_arguments" });
    expect(result.error).toBe(
      'Invalid arguments for tool "guarded": a: Invalid input: expected int, received number; b: Invalid input: expected string, received undefined',
    );
    expect((await executor.execute("guarded", "{not json")).error).toMatch(
      /^Arguments for tool "guarded" are not valid JSON .*: \{not json$/,
    );
    expect((await executor.execute("guarded", [1, 2])).error).toBe(
      'Arguments for tool "guarded" must be a JSON object, got [1,2].',
    );
    expect(called).toBe(false);
  });

  it("coerces only unambiguous strings", async () => {
    const executor = new ToolExecutor({ tools: [add, flag] });
    expect((await executor.execute("add", { a: "42", b: "-8" })).output).toBe(34);
    expect(
      (await executor.execute("flag", { on: "true", label: "42", ratio: "0.5" })).output,
    ).toEqual({ on: true, label: "42", ratio: 0.5 });
    expect((await executor.execute("flag", { on: "FALSE", label: "x" })).output).toEqual({
      on: false,
      label: "x",
    });
    for (const bad of ["4.5", "0x10", " 4", "1e3", ""]) {
      const result = await executor.execute("add", { a: bad, b: 1 });
      expect(result.success, `a = ${JSON.stringify(bad)}`).toBe(false);
      expect(result.errorReason).toBe("invalid_arguments");
    }
    expect((await executor.execute("flag", { on: "yes", label: "x" })).success).toBe(false);
    expect((await executor.execute("flag", { on: 1, label: "x" })).success).toBe(false);
    expect((await executor.execute("flag", { on: true, label: 42 })).success).toBe(false);
  });

  it("does not coerce where a string is also allowed", async () => {
    const either = tool({
      name: "either",
      description: "d",
      parameters: z.object({ value: z.union([z.string(), z.number()]) }),
      execute: ({ value }) => typeof value,
    });
    const executor = new ToolExecutor({ tools: [either] });
    expect((await executor.execute("either", { value: "42" })).output).toBe("string");
  });

  it("turns a throwing handler into a failed result with the message", async () => {
    const broken = new ToolDefinition({
      name: "broken",
      description: "d",
      parameters: [{ name: "x", type: ParamType.STRING }],
      handler: () => {
        throw new TypeError("x.trim is not a function");
      },
    });
    const rejecting = tool({
      name: "rejecting",
      description: "d",
      parameters: z.object({}),
      execute: async () => Promise.reject(new Error("backend down")),
    });
    const executor = new ToolExecutor({ tools: [broken, rejecting] });
    expect(await executor.execute("broken", { x: "a" })).toMatchObject({
      success: false,
      errorReason: "handler_error",
      error: 'Tool "broken" failed: TypeError: x.trim is not a function',
    });
    expect((await executor.execute("rejecting", {})).error).toBe(
      'Tool "rejecting" failed: backend down',
    );
  });

  it("times a slow handler out and aborts the signal it was given", async () => {
    const clock = new FakeClock(0);
    let seen: AbortSignal | undefined;
    const hang = tool({
      name: "hang",
      description: "Never finishes",
      parameters: z.object({}),
      execute: (_args, { signal }) => {
        seen = signal;
        return new Promise<never>(() => undefined);
      },
    });
    const quick = tool({
      name: "quick",
      description: "d",
      parameters: z.object({}),
      timeoutMs: 50,
      execute: () => new Promise<never>(() => undefined),
    });
    const executor = new ToolExecutor({ tools: [hang, quick], timeoutMs: 1_000, clock });
    const pending = executor.execute("hang", {});
    await clock.advance(999);
    expect(seen?.aborted).toBe(false);
    await clock.advance(1);
    expect(await pending).toMatchObject({
      success: false,
      errorReason: "timeout",
      error: 'Tool "hang" timed out after 1000 ms.',
      durationMs: 1_000,
    });
    expect(seen?.aborted).toBe(true);
    expect((seen?.reason as Error).name).toBe("TimeoutError");
    const perTool = executor.execute("quick", {});
    await clock.advance(50);
    expect((await perTool).errorReason).toBe("timeout");
    expect(clock.pendingSleeps).toBe(0);
  });

  it("rejects with the caller's reason on cancellation and aborts the handler", async () => {
    let seen: AbortSignal | undefined;
    const hang = tool({
      name: "hang",
      description: "d",
      parameters: z.object({}),
      execute: (_args, { signal }) => {
        seen = signal;
        return new Promise<never>(() => undefined);
      },
    });
    const clock = new FakeClock(0);
    const executor = new ToolExecutor({ tools: [hang], clock });
    const controller = new AbortController();
    const pending = executor.execute("hang", {}, { signal: controller.signal });
    await Promise.resolve();
    controller.abort(new Error("run cancelled"));
    await expect(pending).rejects.toThrow("run cancelled");
    expect(seen?.aborted).toBe(true);
    expect(clock.pendingSleeps).toBe(0);
    await expect(executor.execute("hang", {}, { signal: controller.signal })).rejects.toThrow(
      "run cancelled",
    );
  });

  it("keeps a history of calls with arguments, results and timing, bounded by historyLimit", async () => {
    const executor = new ToolExecutor({ tools: [add], historyLimit: 3 });
    for (let index = 0; index < 10; index++)
      await executor.execute("add", { a: index, b: 1 }, { callId: `c${index}` });
    expect(
      executor.history.map((entry) => [entry.callId, entry.arguments, entry.result.output]),
    ).toEqual([
      ["c7", { a: 7, b: 1 }, 8],
      ["c8", { a: 8, b: 1 }, 9],
      ["c9", { a: 9, b: 1 }, 10],
    ]);
    executor.clearHistory();
    expect(executor.history).toEqual([]);
  });

  it("gives the schemas of its tools and refuses duplicate names", () => {
    const executor = new ToolExecutor({ tools: [add, flag] });
    expect(executor.getSchemas().map((schema) => schema.function.name)).toEqual(["add", "flag"]);
    expect(executor.getModelTools().map((modelTool) => modelTool.name)).toEqual(["add", "flag"]);
    expect(() => new ToolExecutor({ tools: [add, add] })).toThrow(ConfigError);
    expect(() => new ToolExecutor({ tools: [add, add] })).toThrow('Duplicate tool name "add"');
  });

  it("asks the approver only for tools that need approval, after validation", async () => {
    const asked: unknown[] = [];
    const transfer = tool({
      name: "transfer",
      description: "Move money",
      parameters: z.object({ amount: z.number() }),
      needsApproval: ({ amount }) => amount > 100,
      execute: ({ amount }) => `moved ${amount}`,
    });
    const executor = new ToolExecutor({ tools: [transfer, add] });
    const approve = ({ arguments: args }: { arguments: unknown }) => {
      asked.push(args);
      return { approved: false, reason: "too much" };
    };
    expect((await executor.execute("transfer", { amount: 5 }, { approve })).output).toBe("moved 5");
    expect(await executor.execute("transfer", { amount: "500" }, { approve })).toMatchObject({
      success: false,
      errorReason: "denied",
      error: 'The call to tool "transfer" was refused: too much',
    });
    expect((await executor.execute("transfer", { amount: "x" }, { approve })).errorReason).toBe(
      "invalid_arguments",
    );
    expect(asked).toEqual([{ amount: 500 }]);
    expect((await executor.execute("transfer", { amount: 500 })).success).toBe(true);
  });
});
