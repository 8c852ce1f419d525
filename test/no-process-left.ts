/**
 * Vitest's global setup: after the whole run, no process a test started may still be running.
 * It notes the processes that exist before the run; at the end, any newer one that is a server,
 * a sync server, a runtime or a Python writer of ours fails the run, and is stopped so that
 * nothing outlives it.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { processTable } from "./proc.ts";

/** The checkout: every process the tests start runs here, and another checkout's are not ours. */
const ROOT = join(import.meta.dirname, "..");

/** Programs the tests start; vitest's own workers are node processes running vitest, not these. */
const OURS = /tursodb|\/deno\b|\/bun\b|python3? .*test\/fixtures|apps\/(server|cli)\/|test\/drills\/|chromium|chrome/;

function processes(): Map<number, string> {
  const inCheckout = processTable().filter(
    ({ command, cwd }) => command && (cwd === ROOT || cwd.startsWith(`${ROOT}/`)),
  );
  return new Map(inCheckout.map(({ pid, command }) => [pid, command]));
}

export default function setup() {
  rmSync(join(ROOT, "reports", `processes-left-node${process.versions.node.split(".")[0]}.json`), { force: true });
  const before = new Set(processes().keys());
  return async function teardown() {
    let left: [number, string][] = [];
    // A process told to stop may take a moment to go.
    for (let attempt = 0; attempt < 30; attempt++) {
      left = [...processes()].filter(([pid, command]) => !before.has(pid) && pid !== process.pid && OURS.test(command));
      if (left.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const [pid] of left) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Gone already.
      }
    }
    const message = `Processes left running after the tests (now stopped):\n${left.map(([pid, command]) => `  ${pid} ${command}`).join("\n")}`;
    // Vitest reports an error thrown here but still exits 0; the report is what CI counts.
    mkdirSync(join(ROOT, "reports"), { recursive: true });
    writeFileSync(
      join(ROOT, "reports", `processes-left-node${process.versions.node.split(".")[0]}.json`),
      JSON.stringify({ left: left.map(([pid, command]) => ({ pid, command })) }),
    );
    process.exitCode = 1;
    throw new Error(message);
  };
}
