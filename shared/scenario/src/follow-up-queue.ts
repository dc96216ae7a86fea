// Follow-up events planned when a case is generated but due on a later day. At the peak
// about half a million are pending at once, so each waits as seven numbers in a typed
// array per due day (no object for the garbage collector to trace), and becomes a
// CloudEvent only when it is emitted.

export const FollowUpKind = {
  reclassified: 0,
  testResult: 1,
  withdrawn: 2,
} as const;
export type FollowUpKind = (typeof FollowUpKind)[keyof typeof FollowUpKind];

/**
 * The fields of one follow-up, at these offsets in its record. The meaning of a, b and c
 * depends on the kind: reclassified: severity index, SpO2 (-1: none), respiratory rate;
 * test result: N-gene Ct, ORF-gene Ct, test number (1-based); withdrawn: reason index.
 */
export const Field = { time: 0, kind: 1, reportDay: 2, caseNumber: 3, a: 4, b: 5, c: 6 } as const;
export const FIELDS = 7;

/** The follow-ups due on one day: `count` records of FIELDS numbers each. */
export interface DueFollowUps {
  records: Float64Array;
  count: number;
}

export class FollowUpQueue {
  private readonly byDay: DueFollowUps[];

  constructor(days: number) {
    this.byDay = Array.from({ length: days }, () => ({ records: new Float64Array(0), count: 0 }));
  }

  /** Queues a follow-up due on `day` (time in epoch ms); days outside the run are dropped. */
  push(day: number, time: number, kind: FollowUpKind, reportDay: number, caseNumber: number, a = 0, b = 0, c = 0) {
    const due = this.byDay[day];
    if (due === undefined) return;
    let at = due.count * FIELDS;
    if (at + FIELDS > due.records.length) {
      const grown = new Float64Array(Math.max(1024, due.records.length * 2));
      grown.set(due.records);
      due.records = grown;
    }
    const r = due.records;
    r[at++] = time;
    r[at++] = kind;
    r[at++] = reportDay;
    r[at++] = caseNumber;
    r[at++] = a;
    r[at++] = b;
    r[at] = c;
    due.count++;
  }

  /** Removes and returns the follow-ups due on `day`, in the order they were queued. */
  take(day: number): DueFollowUps {
    const due = this.byDay[day];
    if (due === undefined) return { records: new Float64Array(0), count: 0 };
    this.byDay[day] = { records: new Float64Array(0), count: 0 };
    return due;
  }
}
