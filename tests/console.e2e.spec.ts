// The web console in a real browser (Debian's Chromium, driven by playwright-core) against
// the console service and a real allocator on real Kafka and Redis: cases placed by the
// allocator show up in the page, an operator's action in the page reaches the allocator and
// its effect comes back, the page logs no errors. Screenshots go to tests/artifacts/.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningAllocator } from "@fangcang/allocator";
import { createKafka, EventProducer } from "@fangcang/bus";
import { loadConsoleConfig, type RunningConsole, startConsole } from "@fangcang/console";
import { type AnyCloudEvent, cloudEvent } from "@fangcang/contracts";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestAllocator } from "./harness/allocator.ts";
import { createTestTopics, testBrokers, testNamespace } from "./harness/namespace.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// Without the background-networking flags Chromium keeps trying to reach Google's services,
// which on a closed network makes it slow and flaky.
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const ARTIFACTS = new URL("./artifacts/", import.meta.url).pathname;
const tokens = { admin: "e2e-admin-token-0123456789", viewer: "e2e-viewer-token-0123456789" };

const ns = testNamespace("console-e2e");
let allocator: RunningAllocator;
let running: RunningConsole;
let producer: EventProducer;
let context: BrowserContext;
let userDataDir: string;
const pageErrors: string[] = [];

let n = 0;
const now = () => new Date().toISOString();
const meta = () => ({ id: `e2e-${++n}`, source: "test/lab", time: now() });
const reported = (caseId: string): AnyCloudEvent =>
  cloudEvent("case.reported", meta(), {
    caseId,
    reportedAt: now(),
    district: "Xuhui",
    ageYears: 34,
    sex: "female",
    severity: "mild",
    detectedIn: "community",
  });

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: apt-get install chromium (npm test's bootstrap does), or set CHROMIUM_PATH`,
    );
  }
  await createTestTopics(ns, 3);
  allocator = await startTestAllocator(ns);
  running = await startConsole(
    loadConsoleConfig({
      KAFKA_BROKERS: testBrokers().join(","),
      FANGCANG_TOPIC_PREFIX: ns.topicPrefix,
      FANGCANG_CONSOLE_PORT: "0",
      FANGCANG_CONSOLE_TOKENS: `zhao:admin:${tokens.admin},wang:viewer:${tokens.viewer}`,
    }),
  );
  producer = new EventProducer(createKafka({ brokers: testBrokers(), clientId: "test-console-e2e" }));
  await producer.connect();
  mkdirSync(ARTIFACTS, { recursive: true });
  userDataDir = mkdtempSync(join(tmpdir(), "fangcang-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_FLAGS,
    headless: true,
    viewport: { width: 1440, height: 900 },
  });
});

afterAll(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  await producer?.disconnect();
  await running?.stop();
  await allocator?.stop();
});

function watchForErrors(page: Page, label: string): void {
  page.on("console", (message) => {
    if (message.type() === "error") pageErrors.push(`${label} console: ${message.text()}`);
  });
  page.on("pageerror", (error) => pageErrors.push(`${label} page: ${error.message}`));
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(running.url);
  await page.getByTestId("token").fill(token);
  await page.getByTestId("sign-in").getByRole("button").click();
  await page.getByTestId("who").waitFor();
}

const text = (page: Page, testId: string) => page.getByTestId(testId);

describe("the web console", () => {
  it("shows placements as they happen and carries an operator's action to the allocator", async () => {
    const page = await context.newPage();
    watchForErrors(page, "admin");
    await signIn(page, tokens.admin);
    await expect.poll(() => text(page, "ready").textContent(), { timeout: 30_000 }).toBe("live");
    await expect.poll(() => text(page, "waiting").textContent()).toBe("0");

    // An admin registers a facility through the form: facility.registered reaches the allocator.
    const form = page.getByTestId("register");
    await form.locator('input[name="facilityId"]').fill("FC-E2E");
    await form.locator('input[name="name"]').fill("Xuhui Fangcang");
    await form.locator('select[name="district"]').selectOption("Xuhui");
    await form.locator('input[name="shelter"]').fill("2");
    await form.getByRole("button").click();
    await expect.poll(() => text(page, "beds-total").textContent(), { timeout: 30_000 }).toBe("2");
    await expect.poll(() => text(page, "beds-free").textContent()).toBe("2");

    // Three cases: the allocator holds the two beds and waitlists the third.
    await producer.send([{ topic: ns.topics.cases, events: ["e2e-a", "e2e-b", "e2e-c"].map(reported) }]);
    await expect.poll(() => text(page, "beds-held").textContent(), { timeout: 30_000 }).toBe("2");
    await expect.poll(() => text(page, "waiting").textContent(), { timeout: 30_000 }).toBe("1");
    await expect.poll(() => text(page, "in-flight").textContent()).toBe("2");
    await expect.poll(() => text(page, "queue").locator("tr").count()).toBe(1);
    await expect.poll(() => text(page, "district-today-Xuhui").textContent()).toBe("3");
    await page.screenshot({ path: join(ARTIFACTS, "console-placed.png"), fullPage: true });

    // The intake system admits one: held becomes occupied.
    const orderOf = async (caseId: string) => {
      const response = await page.request.get(`${running.url}/api/cases/${caseId}`, {
        headers: { authorization: `Bearer ${tokens.admin}` },
      });
      return (await response.json()) as { status: string; transferId: string | null; facilityId: string | null };
    };
    const held = [];
    for (const caseId of ["e2e-a", "e2e-b", "e2e-c"]) {
      const c = await orderOf(caseId);
      if (c.status === "ordered") held.push({ caseId, ...c });
    }
    const first = held[0] as { caseId: string; transferId: string; facilityId: string };
    await producer.send([
      {
        topic: ns.topics.cases,
        events: [
          cloudEvent(
            "transfer.admitted",
            { id: `e2e-${++n}`, source: "test/intake", time: now() },
            { caseId: first.caseId, transferId: first.transferId, facilityId: first.facilityId, at: now() },
          ),
        ],
      },
    ]);
    await expect.poll(() => text(page, "beds-occupied").textContent(), { timeout: 30_000 }).toBe("1");

    // The operator opens three more beds in the page: the waiting case gets one.
    await text(page, "beds-class-FC-E2E").selectOption("shelter");
    await text(page, "beds-total-FC-E2E").fill("5");
    await text(page, "set-beds-FC-E2E").click();
    await expect.poll(() => text(page, "message").textContent()).toContain("Accepted");
    await expect.poll(() => text(page, "beds-total").textContent(), { timeout: 30_000 }).toBe("5");
    await expect.poll(() => text(page, "waiting").textContent(), { timeout: 30_000 }).toBe("0");
    await expect.poll(() => text(page, "beds-held").textContent()).toBe("2");
    await expect.poll(() => text(page, "beds-free").textContent()).toBe("2");

    // ... and pauses the facility.
    await text(page, "status-paused-FC-E2E").click();
    await expect.poll(() => text(page, "status-FC-E2E").textContent(), { timeout: 30_000 }).toBe("paused");

    // The case history shows the decision and its reasons.
    await text(page, "case-id").fill(first.caseId);
    await page.locator("#case-lookup button").click();
    await expect.poll(() => text(page, "case").textContent()).toContain("transfer.ordered");
    await expect.poll(() => text(page, "case").textContent()).toContain("transfer.admitted");

    // The occupancy chart has lines; the page switches to Chinese.
    expect(await text(page, "chart").locator("path[data-series=occupied]").count()).toBe(1);
    await text(page, "lang").click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("方舱运行控制台");
    await expect.poll(() => text(page, "status-FC-E2E").textContent()).toBe("暂停");
    await page.screenshot({ path: join(ARTIFACTS, "console-zh.png"), fullPage: true });
    await text(page, "lang").click();

    // A viewer sees the same numbers and no controls.
    const viewer = await context.newPage();
    watchForErrors(viewer, "viewer");
    await signIn(viewer, tokens.viewer);
    await expect.poll(() => text(viewer, "beds-total").textContent(), { timeout: 30_000 }).toBe("5");
    await expect.poll(() => text(viewer, "facility-FC-E2E").count()).toBe(1);
    expect(await text(viewer, "set-beds-FC-E2E").count()).toBe(0);
    expect(await text(viewer, "register").isVisible()).toBe(false);
    await viewer.screenshot({ path: join(ARTIFACTS, "console-viewer.png"), fullPage: true });

    // On a laptop screen the page fits its width (no sideways scrolling).
    for (const size of [
      { width: 1366, height: 768 },
      { width: 1280, height: 720 },
    ]) {
      await page.setViewportSize(size);
      // A string: the page's globals are not in this project's (Node) type library.
      const overflow = (await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")) as number;
      expect(overflow, `${size.width}x${size.height}`).toBeLessThanOrEqual(0);
    }
    await page.screenshot({ path: join(ARTIFACTS, "console-1280x720.png") });

    expect(pageErrors).toEqual([]);
  }, 180_000);
});
