/** The llmteam CLI from the sources, as a child process: `node --import tsx cli-child.ts <args>`. */
import { main } from "../../src/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
