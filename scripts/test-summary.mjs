#!/usr/bin/env node
// The plain line CI reads, `tests: N passed, M failed`, added up from the vitest JSON report of
// every pass (one per Node release), and an exit status that agrees with it.
//
//   node scripts/test-summary.mjs [reports dir] [--expect node20,node24] [--status <test command's exit status>]
//
// Vitest counts only tests: a file whose `beforeAll` fails reports its tests as skipped, and one
// whose `afterAll` fails or that does not load reports no failed test at all. So a failed file
// with no failed test counts as one failure, as does a pass that wrote no report or failed
// outside any file; so do each unhandled error (test/unhandled-errors-reporter.ts) and a run that
// left processes running (test/no-process-left.ts).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  options: { expect: { type: "string" }, status: { type: "string" } },
  allowPositionals: true,
});
const dir = positionals[0] ?? join(import.meta.dirname, "..", "reports");
const files = existsSync(dir) ? readdirSync(dir) : [];

let passed = 0;
const failures = [];
const reports = files.filter((file) => /^vitest-.*\.json$/.test(file));
if (reports.length === 0) failures.push(`${dir}: no vitest report (the test command did not run)`);
for (const pass of values.expect?.split(",") ?? []) {
  if (!reports.includes(`vitest-${pass}.json`))
    failures.push(`${pass}: the pass wrote no report (it did not run, or stopped before the end)`);
}
for (const name of reports) {
  const pass = basename(name, ".json").slice("vitest-".length);
  const report = JSON.parse(readFileSync(join(dir, name), "utf8"));
  passed += report.numPassedTests;
  const before = failures.length;
  for (const file of report.testResults) {
    const failedTests = file.assertionResults.filter((test) => test.status === "failed");
    for (const test of failedTests)
      failures.push(`${pass}: ${relative(process.cwd(), file.name)} > ${test.fullName ?? test.title}`);
    if (file.status === "failed" && failedTests.length === 0) {
      const why = String(file.message ?? "").split("\n")[0] || "failed outside its tests";
      failures.push(`${pass}: ${relative(process.cwd(), file.name)}: ${why}`);
    }
  }
  if (report.success === false && failures.length === before)
    failures.push(`${pass}: the run failed outside any test file `);
}
for (const name of files.filter((file) => /^unhandled-.*\.json$/.test(file))) {
  const { errors } = JSON.parse(readFileSync(join(dir, name), "utf8"));
  for (const error of errors)
    failures.push(`${basename(name, ".json").slice("unhandled-".length)}: unhandled ${error}`);
}
for (const name of files.filter((file) => /^processes-left-.*\.json$/.test(file))) {
  const { left } = JSON.parse(readFileSync(join(dir, name), "utf8"));
  failures.push(`${basename(name, ".json")}: ${left.map(({ command }) => command).join("; ")}`);
}

if (failures.length === 0 && Number(values.status ?? 0) !== 0)
  failures.push(`the test command exited ${values.status} with no failure in its reports`);

if (failures.length > 0) console.log(`failed:\n${failures.map((line) => `  ${line}`).join("\n")}`);
console.log(`tests: ${passed} passed, ${failures.length} failed`);
process.exitCode = failures.length > 0 ? 1 : 0;
