// A schedule of events, for simulations that answer events with later ones (intake systems
// admitting, discharging): popped in time order, ties in the order they were pushed.
import type { AnyCloudEvent } from "@fangcang/contracts";

/** Events waiting for their time: a binary min-heap by time, then by insertion. */
export class EventSchedule {
  private readonly items: { at: number; n: number; event: AnyCloudEvent }[] = [];
  private count = 0;
  get size(): number {
    return this.items.length;
  }
  /** The earliest time waiting; +Infinity when none is. */
  peekTime(): number {
    return this.items[0]?.at ?? Number.POSITIVE_INFINITY;
  }
  push(at: number, event: AnyCloudEvent): void {
    const items = this.items;
    items.push({ at, n: this.count++, event });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      [items[i], items[parent]] = [items[parent] as (typeof items)[0], items[i] as (typeof items)[0]];
      i = parent;
    }
  }
  pop(): AnyCloudEvent | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined) return undefined;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(l, m)) m = l;
        if (r < items.length && this.less(r, m)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m] as (typeof items)[0], items[i] as (typeof items)[0]];
        i = m;
      }
    }
    return top.event;
  }
  private less(a: number, b: number): boolean {
    const x = this.items[a] as { at: number; n: number };
    const y = this.items[b] as { at: number; n: number };
    return x.at < y.at || (x.at === y.at && x.n < y.n);
  }
}
