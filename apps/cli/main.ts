#!/usr/bin/env node
/** The `uniqc-cache` program: `npx uniqc-cache --help`, `deno task cli --help`, `bun apps/cli/main.ts --help`. */
import process from "node:process";
import { run } from "./program.ts";

// A reader that stopped early (`| head`) is not an error of ours.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});
// Not process.exit: `serve` keeps running after its command has returned.
process.exitCode = await run(process.argv.slice(2));
