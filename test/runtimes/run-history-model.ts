/**
 * The shared history's model test outside vitest, for Deno and Bun (see sync/history-model.ts).
 * Prints one JSON line `{ runtime, schedules, versions, rounds, failure }`; exits 1 on a failure.
 */
import process from "node:process";
import { checkHistoryModel } from "../sync/history-model.ts";

const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";
const runs = Number(process.env.UNIQC_MODEL_RUNS ?? 6);
const maxSteps = Number(process.env.UNIQC_MODEL_STEPS ?? 40);
try {
  const totals = await checkHistoryModel({ runs, maxSteps });
  console.log(JSON.stringify({ runtime, ...totals, failure: null }));
} catch (error) {
  console.log(JSON.stringify({ runtime, failure: String((error as Error)?.message ?? error) }));
  process.exitCode = 1;
}
