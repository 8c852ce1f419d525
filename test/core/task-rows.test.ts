import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../core/shared/errors.ts";
import { encodeJson, errorTextOf, rowToTask, type Task } from "../../core/store/task-rows.ts";

const row = {
  task_id: "t1",
  backend: "dummy",
  status: "failed",
  shots: 100,
  submit_time: "2026-05-03T08:05:27.123456+00:00",
  update_time: "2026-05-03T08:05:27.123456+00:00",
  result_json: null,
  metadata_json: "{}",
};

describe("task rows", () => {
  it("keep a column another writer stored as text that is not JSON, as that text", () => {
    const task = rowToTask({ ...row, result_json: "{not json", metadata_json: '{"circuit_ir":"QINIT 1"}' });
    expect(task.result).toBe("{not json");
    expect(task.metadata).toEqual({ circuit_ir: "QINIT 1" });
  });

  it("refuse to encode what JSON cannot hold, naming the field", () => {
    expect(() => encodeJson(10n, "result")).toThrow(InvalidInputError);
    expect(encodeJson({ counts: { "00": 3 } }, "result")).toBe('{"counts":{"00":3}}');
  });
});

describe("errorTextOf", () => {
  const task = (extra: Partial<Task>): Task => ({ ...rowToTask(row), ...extra });

  it("reads the error_message column first", () => {
    expect(errorTextOf(task({ error_message: "quota", result: { error: "other" } }))).toBe("quota");
  });

  it("else an error the result or the metadata records, in that order", () => {
    expect(errorTextOf(task({ result: { message: "calibration" }, metadata: { error: "later" } }))).toBe("calibration");
    expect(errorTextOf(task({ result: null, metadata: { error_message: "rejected" } }))).toBe("rejected");
  });

  it("is undefined where no writer recorded one, and ignores empty or non-text values", () => {
    expect(errorTextOf(task({ result: { error: "" }, metadata: { message: 42 } }))).toBeUndefined();
    expect(errorTextOf(task({ result: [1, 2] }))).toBeUndefined();
  });
});
