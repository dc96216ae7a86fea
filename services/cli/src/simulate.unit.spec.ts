import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fromJsonLine } from "@fangcang/contracts";
import { describe, expect, it } from "vitest";
import { formatBar, formatDuration, formatProgress, ProgressBar } from "./progress.ts";
import { parseSimulateArgs, planTable, simulate, UsageError } from "./simulate.ts";

const parse = (line: string) => parseSimulateArgs(line.split(" ").filter((arg) => arg !== ""));
const rejects = (line: string, message: RegExp) => {
  expect(() => parse(line)).toThrow(UsageError);
  expect(() => parse(line)).toThrow(message);
};

describe("fangcang simulate: arguments", () => {
  it("defaults to seed 1, full scale, the whole scenario", () => {
    expect(parse("--scenario shanghai-2022 --out /tmp/x.jsonl")).toEqual({
      scenario: "shanghai-2022",
      options: { seed: 1, scale: 1 },
      output: { kind: "file", path: "/tmp/x.jsonl" },
    });
  });

  it("takes every option", () => {
    expect(parse("--scenario shanghai-2022 --seed 42 --scale 0.01 --from 2022-04-01 --to 2022-04-30 --out=-")).toEqual({
      scenario: "shanghai-2022",
      options: { seed: 42, scale: 0.01, from: "2022-04-01", to: "2022-04-30" },
      output: { kind: "file", path: "-" },
    });
    expect(parse("--scenario shanghai-2022 --produce --rate 2000 --topic-prefix t1.")).toEqual({
      scenario: "shanghai-2022",
      options: { seed: 1, scale: 1 },
      output: { kind: "kafka", rate: 2000, topicPrefix: "t1." },
    });
    expect(parse("--scenario shanghai-2022 --produce").output).toEqual({ kind: "kafka" });
    expect(parse("--scenario shanghai-2022 --plan").output).toEqual({ kind: "plan" });
  });

  it("names the scenarios it knows when given none or an unknown one", () => {
    rejects("--out x.jsonl", /--scenario is required: one of shanghai-2022/);
    rejects("--scenario wuhan-2020 --out x.jsonl", /unknown scenario "wuhan-2020": choose one of shanghai-2022/);
  });

  it("rejects numbers it cannot use", () => {
    rejects("--scenario shanghai-2022 --out x --seed abc", /--seed must be an integer from 0 to 4294967295, got "abc"/);
    rejects("--scenario shanghai-2022 --out x --seed -3", /--seed/);
    rejects("--scenario shanghai-2022 --out x --seed 4294967296", /--seed/);
    rejects("--scenario shanghai-2022 --out x --scale 0", /--scale must be a fraction in \(0, 1\]/);
    rejects("--scenario shanghai-2022 --out x --scale 1.5", /--scale/);
    rejects("--scenario shanghai-2022 --out x --scale ten", /--scale/);
    rejects("--scenario shanghai-2022 --produce --rate 0", /--rate must be a positive number of events per second/);
    rejects("--scenario shanghai-2022 --produce --rate fast", /--rate/);
  });

  it("rejects dates that are malformed, outside the scenario or out of order", () => {
    rejects("--scenario shanghai-2022 --out x --from 2022-4-1", /--from must be a date written YYYY-MM-DD/);
    rejects("--scenario shanghai-2022 --out x --to 2022-02-30", /--to must be a date/);
    rejects(
      "--scenario shanghai-2022 --out x --to 2022-06-15",
      /outside the scenario, which runs 2022-03-01 to 2022-05-31/,
    );
    rejects("--scenario shanghai-2022 --out x --from 2022-05-01 --to 2022-04-01", /after/);
  });

  it("needs exactly one destination, and Kafka options only with --produce", () => {
    rejects("--scenario shanghai-2022", /--out FILE.jsonl or --produce/);
    rejects("--scenario shanghai-2022 --out x --produce", /one of --out FILE, --produce or --plan, not several/);
    rejects("--scenario shanghai-2022 --plan --produce", /not several/);
    rejects("--scenario shanghai-2022 --out x --rate 10", /only apply with --produce/);
    rejects("--scenario shanghai-2022 --out x --topic-prefix p", /only apply with --produce/);
    rejects("--scenario shanghai-2022 --produce --topic-prefix a/b", /--topic-prefix may use only/);
  });

  it("rejects unknown flags and stray arguments", () => {
    rejects("--scenario shanghai-2022 --out x --sede 4", /sede/);
    rejects("--scenario shanghai-2022 --out x extra", /extra/);
  });
});

describe("fangcang simulate: output", () => {
  it("writes one valid CloudEvent per line and summarises the run", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "fangcang-simulate-")), "sim.jsonl");
    const printed: string[] = [];
    const stderr = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
    const result = await simulate(parse(`--scenario shanghai-2022 --scale 0.001 --to 2022-04-15 --out ${path}`), {
      stderr,
      stdout: new PassThrough(),
      print: (line) => printed.push(line),
    });
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(result.tally.events);
    for (const line of lines) expect(fromJsonLine(line).ok).toBe(true);
    expect(result.bytes).toBe(readFileSync(path).length);
    expect(printed.join("\n")).toMatch(/case\.reported\s+\d/);
    expect(printed.join("\n")).toContain("capacity at the end");
  });

  it("says which file it cannot write", async () => {
    const io = { stderr: process.stderr, stdout: new PassThrough(), print: () => undefined };
    await expect(
      simulate(parse("--scenario shanghai-2022 --scale 0.001 --out /nonexistent/dir/x.jsonl"), io),
    ).rejects.toThrow(/cannot write \/nonexistent\/dir\/x.jsonl/);
  });
});

describe("fangcang simulate --plan", () => {
  it("prints the run day by day with the beds open", () => {
    const lines = planTable(parse("--scenario shanghai-2022 --plan --from 2022-04-09 --to 2022-04-13")).split("\n");
    expect(lines[0]).toMatch(
      /^date\s+cases\s+symptomatic\s+cumulative\s+designated beds\s+sub-designated beds\s+fangcang beds$/,
    );
    expect(lines).toHaveLength(2 + 44);
    expect(lines.at(-1)).toMatch(/^2022-04-13\s+27,605\s+8\.9%\s+/);
    expect(lines.find((l) => l.startsWith("2022-04-08"))).toMatch(/^2022-04-08\s+0\s/);
  });
});

describe("the progress bar", () => {
  it("formats count/total, rate, ETA and durations", () => {
    expect(formatProgress({ done: 250, total: 1000, unit: "cases", elapsedMs: 5_000, detail: "900 events" })).toBe(
      " 25% 250/1,000 cases · 50/s · ETA 15s · 900 events",
    );
    expect(formatProgress({ done: 1000, total: 1000, unit: "cases", elapsedMs: 75_000 })).toBe(
      "100% 1,000/1,000 cases · 13/s · took 1m15s",
    );
    expect(formatDuration(3_700)).toBe("1h01m");
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe("?");
    expect(formatBar(0.5, 10)).toBe("[#####-----]");
  });

  it("redraws in place on a terminal and writes periodic plain lines elsewhere", () => {
    let now = 0;
    const capture = (isTTY: boolean) => {
      const writes: string[] = [];
      const stream = { isTTY, columns: 100, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
      const bar = new ProgressBar({ unit: "cases", total: 100, stream, now: () => now, lineMs: 1_000, redrawMs: 100 });
      for (now = 0; now <= 2_000; now += 50) bar.update(now / 20);
      bar.finish();
      return writes;
    };
    const tty = capture(true);
    expect(tty.slice(0, -1).every((w) => w.startsWith("\r[") && w.endsWith("\x1b[K"))).toBe(true);
    expect(tty.at(-1)).toBe("\n");
    const plain = capture(false);
    expect(plain.every((w) => !w.includes("\r") && w.endsWith("\n"))).toBe(true);
    expect(plain.length).toBeLessThanOrEqual(4);
  });
});
