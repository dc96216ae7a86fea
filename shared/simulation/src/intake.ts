// Simulated hospital intake systems: each ordered transfer is admitted a fixed time after its
// order, each accepted admission discharged after a stay drawn by severity. One set of rules
// for every simulation that answers the allocator (what-if planning in memory, the
// benchmark's wave against the real allocator), so their intake behaves alike. No I/O: the
// same orders in the same order get the same answers, ids and times.
import { type CloudEvent, cloudEvent, type Severity } from "@fangcang/contracts";
import { mixSeed, mulberry32, type Rng, stayDays } from "@fangcang/scenario";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface IntakeBehaviour {
  /** Hours between a transfer order and the admission. */
  admitAfterHours: number;
  /** Seeds the lengths of stay. */
  seed: number;
}

export interface IntakeIdentity {
  /** CloudEvents source of every answer. */
  source: string;
  /** Start of every answer's id ("whatif" gives "whatif-admit-1", "whatif-discharge-2", ...). */
  idPrefix: string;
}

export class SimulatedIntake {
  private readonly behaviour: IntakeBehaviour;
  private readonly identity: IntakeIdentity;
  private readonly rng: Rng;
  /** Numbers admissions and discharges in one sequence. */
  private answers = 0;

  constructor(behaviour: IntakeBehaviour, identity: IntakeIdentity) {
    this.behaviour = behaviour;
    this.identity = identity;
    this.rng = mulberry32(mixSeed(behaviour.seed, 0x1a7a4e));
  }

  /** The admission answering an order, timed `admitAfterHours` after it. */
  admit(order: CloudEvent<"transfer.ordered">): CloudEvent<"transfer.admitted"> {
    const at = new Date(Date.parse(order.time) + this.behaviour.admitAfterHours * HOUR).toISOString();
    return cloudEvent(
      "transfer.admitted",
      { id: `${this.identity.idPrefix}-admit-${++this.answers}`, source: this.identity.source, time: at },
      { caseId: order.data.caseId, transferId: order.data.transferId, facilityId: order.data.facilityId, at },
    );
  }

  /** The discharge of a patient whose admission was accepted, after a stay for their severity at report. */
  discharge(admitted: CloudEvent<"transfer.admitted">, severity: Severity): CloudEvent<"patient.discharged"> {
    const at = new Date(Date.parse(admitted.time) + stayDays(this.rng, severity) * DAY).toISOString();
    return cloudEvent(
      "patient.discharged",
      { id: `${this.identity.idPrefix}-discharge-${++this.answers}`, source: this.identity.source, time: at },
      { caseId: admitted.data.caseId, facilityId: admitted.data.facilityId, at, outcome: "recovered" },
    );
  }
}
