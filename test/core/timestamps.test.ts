import { describe, expect, it } from "vitest";
import { formatTimestamp, normalizeTimestamp, nowTimestamp } from "../../core/shared/timestamps.ts";

describe("timestamps", () => {
  it("are written as the Python store writes them", () => {
    expect(formatTimestamp(new Date("2026-05-03T08:05:27.123Z"), 456)).toBe("2026-05-03T08:05:27.123456+00:00");
    expect(nowTimestamp(() => new Date("2026-05-03T08:05:27.123Z"))).toMatch(/^2026-05-03T08:05:27\.123\d{3}\+00:00$/);
  });

  it.each([
    ["2026-05-03T08:05:27.123456+00:00", "2026-05-03T08:05:27.123456+00:00"],
    ["2026-05-03T08:05:27+00:00", "2026-05-03T08:05:27.000000+00:00"],
    ["2026-05-03T08:05:27Z", "2026-05-03T08:05:27.000000+00:00"],
    ["2026-05-03 08:05:27.5", "2026-05-03T08:05:27.500000+00:00"],
    ["2026-05-03T16:05:27.1234567+08:00", "2026-05-03T08:05:27.123456+00:00"],
    ["2026-05-03T03:05-0500", "2026-05-03T08:05:00.000000+00:00"],
  ])("normalises %s", (input, stored) => {
    expect(normalizeTimestamp(input)).toBe(stored);
  });

  it.each([
    "",
    "yesterday",
    "2026-02-30T00:00:00Z",
    "2026-13-03T08:05:27Z",
    "2026-05-03",
    "2026-05-03T25:00:00Z",
    "1714723527",
  ])("refuses %j", (input) => {
    expect(normalizeTimestamp(input)).toBeUndefined();
  });

  it("sorts rows of both writers together as strings", () => {
    const ours = normalizeTimestamp("2026-05-03T08:05:27.000001Z")!;
    const python = "2026-05-03T08:05:27+00:00";
    expect([ours, python].sort()).toEqual([python, ours]);
  });
});
