import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";

describe("the README quick start (npm start)", () => {
  it("runs examples/quickstart.yaml offline on the built-in demo model and says so", async () => {
    let stdout = "";
    let stderr = "";
    const code = await main(
      ["run", "examples/quickstart.yaml", "--query", "How do I brew good coffee?"],
      {
        stdout: (text) => (stdout += text),
        stderr: (text) => (stderr += text),
        env: {},
      },
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("tiny built-in demo model (local/demo)");
    for (const agent of ["planner", "writer", "reviewer"])
      expect(stdout).toContain(`● ${agent} [local/demo]`);
    const final = stdout.split("Final output:\n")[1]?.split("\n\nUsage")[0] ?? "";
    expect(final.trim().length).toBeGreaterThan(20);
    const total = /total\s+(\d+) in.*\+ (\d+) out tokens\s+\$0/.exec(stdout);
    expect(total).not.toBeNull();
    expect(Number(total![1])).toBeGreaterThan(0);
    expect(Number(total![2])).toBeGreaterThan(0);
  }, 120_000);
});
