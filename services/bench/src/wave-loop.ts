// The wave step on the real broker, with the intake systems in the loop: the wave's own
// events (reports, test results, reclassifications, withdrawals, facility events) released
// on a compressed event-time clock, and simulated intake systems (the what-if run's rules)
// answering every transfer the allocator actually orders, their answers released on the
// same clock. What the allocator has answered is read back from its transfers, ledger and
// dead-letter topics; the clock waits for it (see wave-pacing.ts).
import { DEFAULT_ALLOCATOR_SOURCE } from "@fangcang/audit";
import { BatchConsumer, createKafka, type EventProducer, type InboundMessage } from "@fangcang/bus";
import { type AnyCloudEvent, type CloudEvent, fromKafkaMessage, type Severity, type Topics } from "@fangcang/contracts";
import { SimulatedIntake } from "@fangcang/simulation";
import { type ClinicalPolicy, triage } from "@fangcang/triage";
import { awaitsAnswer, busiestRate, OpenInputs, WaveClock, WaveFeed } from "./wave-pacing.ts";
import { produceEvents } from "./workload.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The what-if run's intake, as the wave step used to record it in memory: admitted 2 h after the order. */
const INTAKE = { admitAfterHours: 2, seed: 1 };
const TICK_MS = 20;
const HOLD_EXPIRED = "hold expired before admission";
const OFFER_PREFIX = "offer-";

export interface WaveLoopSettings {
  brokers: string[];
  topics: Topics;
  /** Consumer group of the loop's reader of the allocator's outputs. */
  groupId: string;
  producer: EventProducer;
  scenario: Iterable<AnyCloudEvent>;
  policy: ClinicalPolicy;
  /** Event-seconds per wall-second. */
  speed: number;
  /** How far (event time) the clock may run ahead of the oldest input the allocator has not answered. */
  leadHours: number;
  /** Throws if the allocator has died. */
  assertAlive: () => void;
  /** Resolves once the allocator has committed its inputs and the reader the allocator's outputs. */
  drained: () => Promise<void>;
  onTick?: (status: WaveStatus) => void;
  /** The run fails when the clock is held this long without moving. */
  stallMs?: number;
}

export interface WaveStatus {
  /** Days of event time played. */
  day: number;
  /** Inputs released, and of them case reports. */
  released: number;
  reports: number;
  /** Inputs released that the allocator has not answered yet. */
  open: number;
}

export interface WaveLoopResult {
  seconds: number;
  /** Inputs released: the wave's own, and the intake's answers. */
  released: { wave: number; reports: number; admissions: number; discharges: number };
  /** The allocator's outputs by type. */
  outputs: Record<string, number>;
  /** Dead letters by the type of the refused input. */
  deadLetters: Record<string, number>;
  holdsExpired: number;
  /** Answers scheduled after the clock had passed their time, and the latest of them, in event hours. */
  lateAnswers: number;
  maxLateHours: number;
  /** Share of the wall time the allocator, not the speed, set the pace. */
  heldShare: number;
  /** Highest input rate over 10 s of wall time. */
  busiest10s: number;
  /** Per case.reported, ms from its release to its first decision's append time. */
  decisionLagsMs: number[];
}

export async function runWaveLoop(settings: WaveLoopSettings): Promise<WaveLoopResult> {
  const { topics, producer, policy } = settings;
  const stallMs = settings.stallMs ?? 120_000;
  const intake = new SimulatedIntake(INTAKE, { source: "bench/intake", idPrefix: "intake" });
  const feed = new WaveFeed(settings.scenario);
  // The allocator's offers of freed beds (`offer-<transfer>` on the cases topic) are awaited
  // too: their orders are admitted like any other.
  const open = new OpenInputs((id) => id.startsWith(OFFER_PREFIX));
  const severities = new Map<string, Severity>();
  const reportsReleasedAt = new Map<string, number>();
  /** Admissions sent and not yet answered: accepted ones are discharged later, refused ones not. */
  const admissions = new Map<string, CloudEvent<"transfer.admitted">>();
  /**
   * Discharges scheduled and not yet released, by the admission they follow, and back. An
   * admission the ledger took but the allocator refused after all (its receipt, then its dead
   * letter) has its discharge taken back.
   */
  const dischargeOf = new Map<string, string>();
  const admissionOf = new Map<string, string>();
  const answeredOrders = new Set<string>();
  let clock: WaveClock;
  /** What made the reader fail, for the loop to stop with it instead of waiting for answers. */
  let readerError: Error | undefined;
  const result: WaveLoopResult = {
    seconds: 0,
    released: { wave: 0, reports: 0, admissions: 0, discharges: 0 },
    outputs: {},
    deadLetters: {},
    holdsExpired: 0,
    lateAnswers: 0,
    maxLateHours: 0,
    heldShare: 0,
    busiest10s: 0,
    decisionLagsMs: [],
  };
  const readOutput = (m: InboundMessage) => {
    const type = header(m, "ce_type") ?? "unknown";
    result.outputs[type] = (result.outputs[type] ?? 0) + 1;
    const value = JSON.parse(m.value?.toString() ?? "{}") as { causationId?: string; reason?: string };
    if (type === "transfer.cancelled" && value.reason === HOLD_EXPIRED) result.holdsExpired++;
    if (type !== "transfer.ordered" && type !== "case.waitlisted") return;
    const cause = value.causationId as string;
    const releasedAt = reportsReleasedAt.get(cause);
    if (releasedAt !== undefined) {
      reportsReleasedAt.delete(cause);
      result.decisionLagsMs.push(Number(m.timestamp) - releasedAt);
    }
    open.answered(cause);
    if (type !== "transfer.ordered") return;
    const decoded = fromKafkaMessage(m, { topic: "transfers" });
    if (!decoded.ok)
      throw new Error(`the allocator's transfer.ordered does not decode: ${JSON.stringify(decoded.errors)}`);
    const order = decoded.event as CloudEvent<"transfer.ordered">;
    // Outputs come at least once: each transfer is answered once.
    if (answeredOrders.has(order.data.transferId)) return;
    answeredOrders.add(order.data.transferId);
    feed.schedule(intake.admit(order), clock.now);
  };

  const readReceipts = (m: InboundMessage) => {
    const { receipts } = JSON.parse(m.value?.toString() ?? "{}") as { receipts: { causationId: string }[] };
    for (const { causationId } of receipts) {
      open.answered(causationId);
      const admitted = admissions.get(causationId);
      if (admitted === undefined) continue;
      // A receipt: the admission took its ledger operation, the patient is in; discharge after
      // the stay, unless a dead letter follows (the ledger refused it: withdrawn there).
      admissions.delete(causationId);
      const discharge = intake.discharge(admitted, severities.get(admitted.data.caseId) ?? "mild");
      dischargeOf.set(causationId, discharge.id);
      admissionOf.set(discharge.id, causationId);
      feed.schedule(discharge, clock.now);
    }
  };

  const readFollowUp = (m: InboundMessage) => {
    if (header(m, "ce_type") !== "case.bed-offered" || header(m, "ce_source") !== DEFAULT_ALLOCATOR_SOURCE) return;
    open.released(header(m, "ce_id") as string, Date.parse(header(m, "ce_time") as string), Date.now());
  };

  const readDeadLetter = (m: InboundMessage) => {
    const { headers } = JSON.parse(m.value?.toString() ?? "{}") as { headers: Record<string, string> };
    const type = headers.ce_type ?? "unknown";
    result.deadLetters[type] = (result.deadLetters[type] ?? 0) + 1;
    const id = headers.ce_id ?? "";
    open.answered(id);
    reportsReleasedAt.delete(id);
    admissions.delete(id);
    const discharge = dischargeOf.get(id);
    if (discharge !== undefined) {
      dischargeOf.delete(id);
      admissionOf.delete(discharge);
      feed.withdraw(discharge);
    }
  };

  const reader = new BatchConsumer(createKafka({ brokers: settings.brokers, clientId: "fangcang-bench-intake" }), {
    groupId: settings.groupId,
    topics: [topics.transfers, topics.ledger, topics.deadLetter, topics.cases],
    partitionsConsumedConcurrently: 4,
  });
  const release = async (events: AnyCloudEvent[], wallMs: number) => {
    for (const event of events) {
      const at = Date.parse(event.time);
      if (awaitsAnswer(event)) open.released(event.id, at, wallMs);
      if (event.type === "case.reported") {
        severities.set(event.data.caseId, triage(policy, event.data).severity);
        reportsReleasedAt.set(event.id, wallMs);
        result.released.wave++;
        result.released.reports++;
      } else if (event.type === "transfer.admitted") {
        admissions.set(event.id, event);
        result.released.admissions++;
      } else if (event.type === "patient.discharged") {
        const admission = admissionOf.get(event.id);
        if (admission !== undefined) {
          admissionOf.delete(event.id);
          dischargeOf.delete(admission);
        }
        result.released.discharges++;
      } else {
        result.released.wave++;
      }
    }
    await produceEvents(producer, topics, events);
  };

  let started = 0;
  const perSecond: number[] = [];
  let lastMove = { wallMs: 0, clockMs: 0 };
  /** Releases what falls due until everything is out and answered. */
  const play = async () => {
    while (!feed.finished || open.size > 0) {
      settings.assertAlive();
      if (readerError !== undefined) throw readerError;
      const now = Date.now();
      const { events: due, reachedMs } = feed.due(clock.advance(now, open.oldestEventMs()), clock.leadMs);
      clock.holdAt(reachedMs);
      const at = clock.now;
      if (due.length > 0) {
        const second = Math.floor((now - started) / 1000);
        perSecond[second] = (perSecond[second] ?? 0) + due.length;
        await release(due, now);
      }
      if (at > lastMove.clockMs || due.length > 0) lastMove = { wallMs: now, clockMs: at };
      else if (now - lastMove.wallMs > stallMs) {
        throw new Error(
          `the wave's clock has not moved for ${stallMs / 1000} s: ${open.size} inputs released are still unanswered by the allocator (no decision, receipt or dead letter), e.g. ${open.sample(3).join(", ")}`,
        );
      }
      const released = result.released.wave + result.released.admissions + result.released.discharges;
      settings.onTick?.({
        day: (at - feed.startMs) / DAY,
        released,
        reports: result.released.reports,
        open: open.size,
      });
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
  };

  try {
    await reader.start(async (messages) => {
      try {
        for (const m of messages) {
          if (m.topic === topics.transfers) readOutput(m);
          else if (m.topic === topics.ledger) readReceipts(m);
          else if (m.topic === topics.cases) readFollowUp(m);
          else readDeadLetter(m);
        }
      } catch (error) {
        readerError ??= error as Error;
        throw error;
      }
      return messages.length;
    });
    started = Date.now();
    // Started only now: the time the reader took to start is no event time played.
    clock = new WaveClock({
      startEventMs: feed.startMs,
      speed: settings.speed,
      leadMs: settings.leadHours * HOUR,
      wallMs: started,
    });
    lastMove = { wallMs: started, clockMs: clock.now };
    // Answers to the last orders may come only once the allocator has worked through its own
    // follow-ups: play and drain until a drain leaves nothing to send.
    do {
      await play();
      await settings.drained();
    } while (!feed.finished || open.size > 0);
    result.seconds = (Date.now() - started) / 1000;
  } finally {
    await reader.stop();
  }
  const perSecondDense = Array.from(perSecond, (n) => n ?? 0);
  result.lateAnswers = feed.late;
  result.maxLateHours = feed.maxLatenessMs / HOUR;
  result.heldShare = clock.heldMs / Math.max(1, result.seconds * 1000);
  result.busiest10s = busiestRate(perSecondDense, 10);
  return result;
}

const header = (m: InboundMessage, name: string) => m.headers[name]?.toString();
