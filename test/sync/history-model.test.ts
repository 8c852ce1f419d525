/**
 * The shared history against its reference model (history-model.ts), on Node. Deno and Bun run
 * the same schedules through test/runtimes/run-history-model.ts. Long form: DRILLS.md.
 */
import { expect, it } from "vitest";
import { checkHistoryModel } from "./history-model.ts";

const runs = Number(process.env.UNIQC_MODEL_RUNS ?? 10);
const maxSteps = Number(process.env.UNIQC_MODEL_STEPS ?? 40);

it(`every replica shows what the merge rule says, on ${runs} random schedules`, {
  timeout: 60_000 + runs * 20_000,
}, async () => {
  const seed = process.env.UNIQC_MODEL_SEED === undefined ? undefined : Number(process.env.UNIQC_MODEL_SEED);
  const totals = await checkHistoryModel({ runs, maxSteps, seed });
  expect(totals.schedules).toBe(runs);
  expect(totals.versions).toBeGreaterThan(runs * 5);
});
