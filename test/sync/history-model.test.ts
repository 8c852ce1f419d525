/**
 * The shared history against its reference model (history-model.ts), on Node: 50 fixed schedules,
 * the same in every run (each a case the rule was checked on, and which flipping the replica-id
 * tie-break or dropping the clock floor fails), then random ones. Deno and Bun run random
 * schedules through test/runtimes/run-history-model.ts. Long form: DRILLS.md.
 */
import { expect, it } from "vitest";
import { checkHistoryModel } from "./history-model.ts";

/** The seed of the fixed schedules: change it only with a run of the mutations in DRILLS.md. */
const FIXED_SEED = 20_261_207;
const fixed = Number(process.env.UNIQC_MODEL_FIXED ?? 50);
const runs = Number(process.env.UNIQC_MODEL_RUNS ?? 10);
const maxSteps = Number(process.env.UNIQC_MODEL_STEPS ?? 40);

it.skipIf(fixed === 0)(
  `every replica shows what the merge rule says, on ${fixed} fixed schedules`,
  {
    timeout: 60_000 + fixed * 20_000,
  },
  async () => {
    const totals = await checkHistoryModel({ runs: fixed, maxSteps, seed: FIXED_SEED });
    expect(totals.schedules).toBe(fixed);
    expect(totals.versions).toBeGreaterThan(fixed * 5);
  },
);

it(`every replica shows what the merge rule says, on ${runs} random schedules`, {
  timeout: 60_000 + runs * 20_000,
}, async () => {
  const seed = process.env.UNIQC_MODEL_SEED === undefined ? undefined : Number(process.env.UNIQC_MODEL_SEED);
  const totals = await checkHistoryModel({ runs, maxSteps, seed });
  expect(totals.schedules).toBe(runs);
  expect(totals.versions).toBeGreaterThan(runs * 5);
});
