import { afterEach, describe, expect, it } from "vitest";
import { ScriptedModel } from "llmteam/testing";
import {
  body,
  closeOpened,
  get,
  post,
  pressTeam,
  serverWith,
  testKeys,
} from "./support/server-fixtures.js";

afterEach(closeOpened);

const NEWS = {
  teamId: "news",
  model: "m/x",
  agents: [{ type: "llm", role: "writer", prompt: "Write about {query}" }],
};

describe("server teams", () => {
  it("lists teams and reads one: config, version, hash (the hash runs are stored with), state", async () => {
    const model = new ScriptedModel({ responses: ["facts", "draft"] });
    const server = await serverWith(model, (store) => [pressTeam(store, model)]);
    const list = await body(await server.fetch(get("/teams")));
    expect(list.teams).toEqual([
      expect.objectContaining({
        teamId: "press",
        description: null,
        state: null,
        enforceLifecycle: false,
        configVersion: 1,
        agents: ["research", "draft"],
      }),
    ]);
    const team = await body(await server.fetch(get("/teams/press")));
    expect(team.config).toMatchObject({ teamId: "press", model: "m/x" });
    expect(team.configHash).toMatch(/^[0-9a-f]{64}$/);
    const run = await body(await server.fetch(post("/teams/press/runs?wait=true", { input: "x" })));
    const stored = await body(await server.fetch(get(`/runs/${run.runId}`)));
    expect(stored.configHash).toBe(team.configHash);
    const unknown = await server.fetch(get("/teams/nope"));
    expect(unknown.status).toBe(404);
    expect((await body(unknown)).detail).toBe('Unknown team "nope". Known teams: press.');
  });

  it("never shows a provider's API key, only ${VAR} references", async () => {
    const model = new ScriptedModel({ responses: [] });
    const server = await serverWith(model, (store) => [
      pressTeam(store, model, {
        providers: {
          lab: { type: "openai-compatible", baseURL: "http://127.0.0.1:1/v1", apiKey: "sk-secret" },
          env: {
            type: "openai-compatible",
            baseURL: "http://127.0.0.1:1/v1",
            apiKey: "${LAB_KEY}",
          },
        },
      }),
    ]);
    const text = await (await server.fetch(get("/teams/press"))).text();
    expect(text).not.toContain("sk-secret");
    const config = (JSON.parse(text) as { config: { providers: Record<string, unknown> } }).config;
    expect(config.providers).toMatchObject({
      lab: { apiKey: "[redacted]" },
      env: { apiKey: "${LAB_KEY}" },
    });
  });

  it("validates a posted config as llmteam validate does: 200 with every error and warning by path", async () => {
    const model = new ScriptedModel({ responses: [] });
    const server = await serverWith(model, () => []);
    const valid = await server.fetch(post("/validate", { config: NEWS }));
    expect(valid.status).toBe(200);
    expect(await body(valid)).toEqual({ valid: true, errors: [], warnings: [] });

    const invalid = await body(
      await server.fetch(
        post("/validate", {
          config: {
            teamId: "news",
            model: "m/x",
            colour: "red",
            flow: "writer -> editr",
            agents: [{ type: "llm", role: "writer", prompt: "Write about {topic}" }],
          },
        }),
      ),
    );
    expect(invalid.valid).toBe(false);
    const paths = (invalid.errors as { path: unknown[] }[]).map((issue) => issue.path.join("."));
    expect(paths).toContain("colour");
    expect(paths).toContain("flow");
    expect(JSON.stringify(invalid.errors)).toContain("editr");

    const warned = await body(
      await server.fetch(
        post("/validate", {
          config: { ...NEWS, model: "openai/gpt-4o-mini", providers: undefined },
        }),
      ),
    );
    expect(warned.valid).toBe(true);
    expect(JSON.stringify(warned.warnings)).toContain("OPENAI_API_KEY");

    const runtime = await body(
      await server.fetch(post("/validate", { config: { ...NEWS, models: { a: 1 } } })),
    );
    expect(runtime).toMatchObject({ valid: false, errors: [{ path: ["models"] }] });
    const storeObject = await body(
      await server.fetch(post("/validate", { config: { ...NEWS, runStore: { path: "x" } } })),
    );
    expect(storeObject).toMatchObject({ valid: false, errors: [{ path: ["runStore"] }] });
    const noAgents = await body(
      await server.fetch(post("/validate", { config: { teamId: "empty" } })),
    );
    expect(noAgents.errors[0].message).toContain('Team "empty" has no agents');

    const notObject = await server.fetch(post("/validate", { config: [1] }));
    expect(notObject.status).toBe(422);
    expect((await body(notObject)).detail).toContain("config must be a team configuration");
  });

  it("changes a team through proposals: propose (with preview), approve, apply; runs use the new version", async () => {
    const model = new ScriptedModel({ responses: ["facts", "draft"] });
    const server = await serverWith(model, (store) => [pressTeam(store, model)]);
    const before = await body(await server.fetch(get("/teams/press")));
    const proposed = await server.fetch(
      post("/teams/press/proposals", {
        reason: "Shorter drafts",
        changes: [
          { op: "updateAgent", agentId: "draft", set: { prompt: "Short draft: {research}" } },
        ],
      }),
    );
    expect(proposed.status).toBe(201);
    const proposal = await body(proposed);
    expect(proposal).toMatchObject({
      proposalId: "p-1",
      status: "pending",
      reason: "Shorter drafts",
      preview: [
        {
          path: ["agents", "draft", "prompt"],
          kind: "changed",
          before: "Draft: {research}",
          after: "Short draft: {research}",
        },
      ],
    });
    const early = await server.fetch(post("/teams/press/proposals/p-1/apply"));
    expect(early.status).toBe(409);
    expect((await body(early)).detail).toContain(
      "POST /teams/press/proposals/{proposalId}/approve first",
    );
    expect(
      (await body(await server.fetch(post("/teams/press/proposals/p-1/approve")))).status,
    ).toBe("approved");
    const twice = await server.fetch(post("/teams/press/proposals/p-1/approve"));
    expect(twice.status).toBe(409);
    expect((await body(twice)).detail).toBe(
      'Proposal "p-1" is approved; only a pending proposal can be approved.',
    );
    const applied = await body(await server.fetch(post("/teams/press/proposals/p-1/apply")));
    expect(applied).toMatchObject({
      proposal: { status: "applied", appliedVersion: 2 },
      version: { version: 2, proposalIds: ["p-1"] },
      configVersion: 2,
    });
    expect(applied.configHash).not.toBe(before.configHash);
    const reject = await server.fetch(
      post("/teams/press/proposals/p-1/reject", { reason: "late" }),
    );
    expect(reject.status).toBe(409);

    await server.fetch(post("/teams/press/runs?wait=true", { input: "tides" }));
    const prompt = JSON.stringify(model.calls[1]!.options.prompt);
    expect(prompt).toContain("Short draft: facts");
    const team = await body(await server.fetch(get("/teams/press")));
    expect(team).toMatchObject({ configVersion: 2, configHash: applied.configHash });
    expect(team.versions).toHaveLength(1);
    const listed = await body(await server.fetch(get("/teams/press/proposals?status=applied")));
    expect(listed.proposals.map((each: { proposalId: string }) => each.proposalId)).toEqual([
      "p-1",
    ]);
  });

  it("answers changes that do not fit the team with 422 naming the change, and unknown proposals with 404", async () => {
    const model = new ScriptedModel({ responses: [] });
    const server = await serverWith(model, (store) => [pressTeam(store, model)]);
    const unknownAgent = await server.fetch(
      post("/teams/press/proposals", {
        changes: [{ op: "removeAgent", agentId: "editor" }],
      }),
    );
    expect(unknownAgent.status).toBe(422);
    expect((await body(unknownAgent)).detail).toContain(
      'Unknown agent "editor". Known agents: research, draft.',
    );
    const badOp = await server.fetch(
      post("/teams/press/proposals", { changes: [{ op: "renameAgent", agentId: "draft" }] }),
    );
    expect(badOp.status).toBe(422);
    expect((await body(badOp)).detail).toContain("Valid ops: addAgent, updateAgent");
    const nothing = await server.fetch(
      post("/teams/press/proposals", { changes: [{ op: "updateAgent", agentId: "draft" }] }),
    );
    expect(nothing.status).toBe(422);
    expect((await body(nothing)).detail).toContain('updateAgent needs "set" or "unset"');
    const missing = await server.fetch(post("/teams/press/proposals/p-9/approve"));
    expect(missing.status).toBe(404);
    expect((await body(missing)).detail).toBe(
      'Team "press" has no proposal "p-9". It has no proposals.',
    );
    await server.fetch(
      post("/teams/press/proposals", {
        proposalId: "mine",
        changes: [{ op: "updateTeam", set: { description: "Press desk" } }],
      }),
    );
    const duplicate = await server.fetch(
      post("/teams/press/proposals", {
        proposalId: "mine",
        changes: [{ op: "updateTeam", set: { description: "Again" } }],
      }),
    );
    expect(duplicate.status).toBe(409);
  });

  it("creates a team that enforces its lifecycle; the rules hold over HTTP with the hints as requests", async () => {
    const model = new ScriptedModel({ responses: ["news text"] });
    const server = await serverWith(model, () => []);
    const created = await server.fetch(post("/teams", { config: NEWS, enforceLifecycle: true }));
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe("/teams/news");
    expect(await body(created)).toMatchObject({ teamId: "news", state: "configuring" });

    const notReady = await server.fetch(post("/teams/news/runs", { input: "tides" }));
    expect(notReady.status).toBe(409);
    expect((await body(notReady)).detail).toBe(
      'Team "news" is configuring, not ready, so it cannot run. Call POST /teams/news/state with {"state":"ready"} before running it.',
    );
    await server.fetch(
      post("/teams/news/proposals", {
        changes: [{ op: "updateAgent", agentId: "writer", set: { prompt: "News on {query}" } }],
      }),
    );
    await server.fetch(post("/teams/news/proposals/p-1/approve"));
    const open = await server.fetch(post("/teams/news/state", { state: "ready" }));
    expect(open.status).toBe(409);
    expect((await body(open)).detail).toContain(
      'Team "news" has open configuration proposals: "p-1" (approved). Approve and apply them (POST /teams/news/proposals/{proposalId}/apply)',
    );
    await server.fetch(post("/teams/news/proposals/p-1/apply"));
    const ready = await body(await server.fetch(post("/teams/news/state", { state: "ready" })));
    expect(ready).toMatchObject({ state: "ready", configVersion: 2 });

    const run = await body(
      await server.fetch(post("/teams/news/runs?wait=true", { input: "tides" })),
    );
    expect(run).toMatchObject({ success: true, finalOutput: "news text" });
    expect(JSON.stringify(model.calls[0]!.options.prompt)).toContain("News on tides");
    expect((await body(await server.fetch(get("/teams/news")))).state).toBe("completed");

    await server.fetch(
      post("/teams/news/proposals", { changes: [{ op: "updateTeam", set: { description: "d" } }] }),
    );
    await server.fetch(post("/teams/news/proposals/p-2/approve"));
    const notConfiguring = await server.fetch(post("/teams/news/proposals/p-2/apply"));
    expect(notConfiguring.status).toBe(409);
    expect((await body(notConfiguring)).detail).toBe(
      'Cannot apply proposals "p-2": team "news" is completed. Call POST /teams/news/state with {"state":"configuring"} first.',
    );
    await server.fetch(post("/teams/news/state", { state: "configuring" }));
    expect((await server.fetch(post("/teams/news/proposals/p-2/apply"))).status).toBe(200);

    const again = await server.fetch(post("/teams", { config: NEWS }));
    expect(again.status).toBe(409);
    expect((await body(again)).detail).toContain('Team "news" is served already');
  });

  it("refuses to create an invalid team (422 with the errors) and moves no state of a free team", async () => {
    const model = new ScriptedModel({ responses: ["plain"] });
    const server = await serverWith(model, () => []);
    const invalid = await server.fetch(
      post("/teams", {
        config: { ...NEWS, agents: [{ type: "llm", role: "w", prompt: "{nope}" }] },
      }),
    );
    expect(invalid.status).toBe(422);
    expect(JSON.stringify((await body(invalid)).errors)).toContain("nope");
    const store = await server.fetch(post("/teams", { config: { ...NEWS, runStore: "x.db" } }));
    expect(store.status).toBe(422);
    expect((await body(store)).detail).toContain("remove runStore");
    expect((await server.fetch(get("/teams"))).status).toBe(200);
    expect((await body(await server.fetch(get("/teams")))).teams).toEqual([]);

    const free = await server.fetch(post("/teams", { config: NEWS }));
    expect(await body(free)).toMatchObject({ state: null, enforceLifecycle: false });
    const state = await server.fetch(post("/teams/news/state", { state: "ready" }));
    expect(state.status).toBe(409);
    expect((await body(state)).detail).toContain("does not enforce a lifecycle");
    const run = await body(await server.fetch(post("/teams/news/runs?wait=true", { input: "x" })));
    expect(run.finalOutput).toBe("plain");
  });

  it("needs admin for changes and read for the rest, and shows a key only the teams it may use", async () => {
    const model = new ScriptedModel({ responses: [] });
    const { auth, asked } = testKeys({
      reader: { scopes: ["read"], teams: ["press"] },
      admin: { scopes: ["admin"] },
    });
    const server = await serverWith(
      model,
      (store) => [pressTeam(store, model), pressTeam(store, model, { teamId: "other" })],
      { auth },
    );
    const reader = { "x-key": "reader" };
    const list = await body(await server.fetch(get("/teams", reader)));
    expect(list.teams.map((team: { teamId: string }) => team.teamId)).toEqual(["press"]);
    expect((await server.fetch(get("/teams/other", reader))).status).toBe(403);
    expect((await server.fetch(get("/teams/press/proposals", reader))).status).toBe(200);
    const change = { changes: [{ op: "updateTeam", set: { description: "d" } }] };
    expect((await server.fetch(post("/teams/press/proposals", change, reader))).status).toBe(403);
    expect((await server.fetch(post("/teams", { config: NEWS }, reader))).status).toBe(403);
    expect((await server.fetch(post("/validate", { config: NEWS }, reader))).status).toBe(200);
    const admin = { "x-key": "admin" };
    expect((await server.fetch(post("/teams/press/proposals", change, admin))).status).toBe(201);
    const approved = await body(
      await server.fetch(post("/teams/press/proposals/p-1/approve", undefined, admin)),
    );
    expect(approved.approvedBy).toBe("admin");
    const scopes = Object.fromEntries(asked.map(({ path, scope }) => [path, scope]));
    expect(scopes).toMatchObject({
      "/teams": "admin",
      "/validate": "read",
      "/teams/press/proposals": "admin",
      "/teams/press/proposals/p-1/approve": "admin",
    });
  });
});
