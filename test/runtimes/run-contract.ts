/**
 * Runs the behaviour suite outside vitest, for runtimes vitest does not run on (Deno, Bun).
 * Prints one JSON line `{ runtime, adapters, passed, failed, failures }`; exits 1 on a failure.
 */
import process from "node:process";
import { appliesTo, cacheContract } from "../contract/cache-contract.ts";
import { contractTargets } from "../contract/targets.ts";

const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";
const { targets, cleanup } = await contractTargets();
let passed = 0;
const failures: string[] = [];
try {
  for (const target of targets) {
    for (const contractCase of cacheContract) {
      if (!appliesTo(contractCase, target)) continue;
      try {
        await contractCase.run(target);
        passed++;
      } catch (error) {
        failures.push(`${target.name} > ${contractCase.name}: ${(error as Error)?.stack ?? error}`);
      }
    }
  }
} finally {
  await cleanup();
}
console.log(
  JSON.stringify({ runtime, adapters: targets.map((t) => t.name), passed, failed: failures.length, failures }),
);
process.exitCode = failures.length ? 1 : 0;
