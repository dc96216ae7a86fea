import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AnyCloudEvent, cloudEvent, toJsonLine } from "@fangcang/contracts";
import { describe, expect, it } from "vitest";
import { EventLogError, readJsonLinesLog, roleOfTopic } from "./event-log.ts";

const event = (n: number): AnyCloudEvent =>
  cloudEvent(
    "case.reported",
    { id: `ev-${n}`, source: "test/lab", time: "2022-04-10T00:30:00Z" },
    {
      caseId: `SH-${n}`,
      reportedAt: "2022-04-10T08:30:00+08:00",
      district: "Pudong",
      ageYears: 67,
      sex: "female",
      severity: "mild",
      detectedIn: "quarantine",
    },
  );

const file = (content: string) => {
  const path = join(mkdtempSync(join(tmpdir(), "fangcang-log-")), "log.jsonl");
  writeFileSync(path, content);
  return path;
};

async function all(path: string, options = {}): Promise<AnyCloudEvent[]> {
  const events: AnyCloudEvent[] = [];
  for await (const e of readJsonLinesLog(path, options)) events.push(e);
  return events;
}

describe("readJsonLinesLog", () => {
  it("reads structured CloudEvents back equal, skipping blank lines", async () => {
    const events = [event(1), event(2), event(3)];
    const path = file(`${toJsonLine(events[0] as AnyCloudEvent)}\n\n${events.slice(1).map(toJsonLine).join("\r\n")}\n`);
    expect(await all(path)).toEqual(events);
  });

  it("names the file and line of a line that is not a contract event", async () => {
    const path = file(`${toJsonLine(event(1))}\n{"specversion":"1.0"}\n`);
    await expect(all(path)).rejects.toThrow(EventLogError);
    await expect(all(path)).rejects.toThrow(`${path}:2: not a contract event`);
    const bad = file(`${toJsonLine(event(1))}\n${toJsonLine(event(2))}\nnot json\n`);
    await expect(all(bad)).rejects.toThrow(`${bad}:3`);
  });

  it("hands bad lines to onInvalid instead, when given", async () => {
    const path = file(`oops\n${toJsonLine(event(1))}\n`);
    const problems: number[] = [];
    const events = await all(path, { onInvalid: (p: { line: number }) => problems.push(p.line) });
    expect(events).toHaveLength(1);
    expect(problems).toEqual([1]);
  });

  it("checks events against the topic when told which", async () => {
    const path = file(`${toJsonLine(event(1))}\n`);
    await expect(all(path, { topic: "facilities" })).rejects.toThrow(/belongs on the cases topic/);
  });

  it("says clearly when the file cannot be read", async () => {
    await expect(all("/nonexistent/log.jsonl")).rejects.toThrow(/cannot read \/nonexistent\/log.jsonl/);
  });
});

describe("roleOfTopic", () => {
  it("recognises default and prefixed contract topic names", () => {
    expect(roleOfTopic("fangcang.cases")).toBe("cases");
    expect(roleOfTopic("run-1.fangcang.dead-letter")).toBe("deadLetter");
    expect(roleOfTopic("other")).toBeUndefined();
  });
});
