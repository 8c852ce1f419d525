#!/usr/bin/env node
// Adds up the vitest JSON reports of every pass (one per Node release) into the plain line CI reads.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = join(import.meta.dirname, "..", "reports");
let passed = 0;
let failed = 0;
for (const name of readdirSync(dir).filter((file) => /^vitest-.*\.json$/.test(file))) {
  const report = JSON.parse(readFileSync(join(dir, name), "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0);
}
// A run that left processes running counts as one more failure (test/no-process-left.ts).
failed += readdirSync(dir).filter((file) => /^processes-left-.*\.json$/.test(file)).length;
console.log(`tests: ${passed} passed, ${failed} failed`);
