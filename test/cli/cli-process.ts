/**
 * The real `uniqc-cache` program as a subprocess, on each runtime, the way people run it.
 */
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../../harness/server-process.ts";

const BIN = join(ROOT, "node_modules", ".bin");
const MAIN = "apps/cli/main.ts";

export const CLI_RUNTIMES = {
  node: [process.execPath, "--import", "tsx", MAIN],
  deno: [join(BIN, "deno"), "run", "-A", MAIN],
  bun: [join(BIN, "bun"), MAIN],
} as const;

export type CliRuntime = keyof typeof CLI_RUNTIMES;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout as JSON (for `--json` runs). */
  json: any;
}

/** Runs the program to its end. Colour is off (NO_COLOR), as in any script. */
export function cli(
  args: string[],
  options: { runtime?: CliRuntime; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): CliResult {
  const [command, ...base] = CLI_RUNTIMES[options.runtime ?? "node"];
  const result = spawnSync(command, [...base, ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    timeout: 120_000,
  });
  let json: unknown;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    json = undefined;
  }
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, json };
}

/**
 * Runs the program without blocking this process, for tests whose other children (a sync
 * server) must be read from meanwhile: a child whose pipe nobody drains stops when it fills.
 */
export function cliAsync(args: string[]): Promise<CliResult> {
  const [command, ...base] = CLI_RUNTIMES.node;
  const child = spawn(command, [...base, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve) =>
    child.once("close", (code) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json });
    }),
  );
}

/** Starts the program and hands back the child, for runs a test interrupts. */
export function cliChild(args: string[]) {
  const [command, ...base] = CLI_RUNTIMES.node;
  return spawn(command, [...base, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" }, detached: true });
}
