/**
 * Every way the README starts the server stops on SIGTERM and on SIGINT sent to the command the
 * user ran, finishing cleanly and leaving no process of its tree behind. (The installed
 * `uniqc-cache serve` is checked with the packed package, in test/package.)
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../contract/fixtures.ts";
import { ROOT } from "../../harness/server-process.ts";
import { startThenSignal } from "./stop-by-signal.ts";

/** As a user's shell finds them: the runtimes `npm install` put in node_modules/.bin. */
const PATH = `${join(ROOT, "node_modules", ".bin")}:${process.env.PATH}`;

const START_COMMANDS: [string, string[]][] = [
  ["npm start --", ["npm", "start", "--"]],
  ["deno task start", ["deno", "task", "start"]],
  ["npm run start:bun --", ["npm", "run", "start:bun", "--"]],
  ["npm run cli -- serve", ["npm", "run", "cli", "--", "serve"]],
  ["deno task cli serve", ["deno", "task", "cli", "serve"]],
  ["bun apps/cli/main.ts serve", ["bun", "apps/cli/main.ts", "serve"]],
];

describe.each(START_COMMANDS)("%s", (_, [command, ...args]) => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "stops on %s with exit 0 and nothing left running",
    async (signal) => {
      const temp = tempDir("uniqc-signal-");
      try {
        const outcome = await startThenSignal(
          command!,
          [...args, "--db", temp.file("tasks.sqlite"), "--port", "0"],
          { cwd: ROOT, env: { ...process.env, PATH } },
          signal,
        );
        expect(outcome.health).toBe(200);
        expect(outcome.exit, outcome.output).toBe(0);
        expect(outcome.output).toContain(`${signal}: finishing requests in flight`);
        expect(outcome.left).toEqual([]);
      } finally {
        temp.remove();
      }
    },
    30_000,
  );
});
