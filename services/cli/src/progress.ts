// A progress bar for long commands, on stderr so that stdout stays clean for data. On a
// terminal it redraws one line in place; otherwise (CI logs, redirected output) it writes
// a plain line every few seconds. No dependencies.

export interface ProgressOptions {
  /** What is counted, e.g. "cases". */
  unit: string;
  total: number;
  stream?: NodeJS.WriteStream;
  /** Milliseconds between redraws on a terminal, and between lines otherwise. */
  redrawMs?: number;
  lineMs?: number;
  now?: () => number;
}

export interface ProgressState {
  done: number;
  total: number;
  unit: string;
  elapsedMs: number;
  /** Anything else worth showing, e.g. "2,070,763 events". */
  detail?: string;
}

const count = (n: number) => Math.round(n).toLocaleString("en");

/** 75 -> "1m15s", 3_700 -> "1h01m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** " 45% 281,700/626,000 cases · 95,210/s · ETA 4s · 930,112 events" */
export function formatProgress(state: ProgressState): string {
  const fraction = state.total > 0 ? Math.min(1, state.done / state.total) : 1;
  const seconds = state.elapsedMs / 1000;
  const rate = seconds > 0 ? state.done / seconds : 0;
  const eta = rate > 0 ? (state.total - state.done) / rate : Number.POSITIVE_INFINITY;
  return [
    `${String(Math.floor(fraction * 100)).padStart(3)}% ${count(state.done)}/${count(state.total)} ${state.unit}`,
    `${count(rate)}/s`,
    fraction >= 1 ? `took ${formatDuration(seconds)}` : `ETA ${formatDuration(eta)}`,
    ...(state.detail === undefined ? [] : [state.detail]),
  ].join(" · ");
}

/** A bar of `width` cells, filled in proportion. */
export function formatBar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
}

export class ProgressBar {
  private readonly options: ProgressOptions;
  private readonly stream: NodeJS.WriteStream;
  private readonly now: () => number;
  private readonly started: number;
  private readonly interval: number;
  private readonly tty: boolean;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private done = 0;
  private detail: string | undefined;
  private finished = false;

  constructor(options: ProgressOptions) {
    this.options = options;
    this.stream = options.stream ?? process.stderr;
    this.now = options.now ?? (() => performance.now());
    this.tty = this.stream.isTTY === true;
    this.interval = this.tty ? (options.redrawMs ?? 100) : (options.lineMs ?? 5_000);
    this.started = this.now();
  }

  /** Records progress; draws at most once per interval. */
  update(done: number, detail?: string): void {
    this.done = done;
    this.detail = detail;
    const now = this.now();
    if (now - this.lastDraw < this.interval) return;
    this.lastDraw = now;
    this.draw(now);
  }

  /** Draws the final state and ends the line. */
  finish(detail?: string): void {
    if (this.finished) return;
    this.finished = true;
    if (detail !== undefined) this.detail = detail;
    this.draw(this.now());
    if (this.tty) this.stream.write("\n");
  }

  private draw(now: number): void {
    const text = formatProgress({
      done: this.done,
      total: this.options.total,
      unit: this.options.unit,
      elapsedMs: now - this.started,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
    });
    if (!this.tty) {
      this.stream.write(`${text}\n`);
      return;
    }
    // A pseudo-terminal may report 0 columns.
    const columns = this.stream.columns || 80;
    // Two bar sizes, so the bar does not jitter as the numbers grow; none on a narrow terminal.
    const width = columns >= text.length + 33 ? 30 : columns >= text.length + 13 ? 10 : 0;
    const fraction = this.options.total > 0 ? this.done / this.options.total : 1;
    const line = width > 0 ? `${formatBar(fraction, width)} ${text}` : text.slice(0, columns - 1);
    this.stream.write(`\r${line}\x1b[K`);
  }
}
