// Whether the brokers answer, asked every few seconds with one cheap metadata request on
// short timeouts and no retries. The consumer and producer ride out an outage by retrying
// for up to minutes, and say nothing meanwhile; readiness needs to know within seconds.
import { type Admin, logLevel } from "kafkajs";
import { type BusConnection, createKafka } from "./kafka-client.ts";

export interface BrokerState {
  reachable: boolean;
  /** When `reachable` last changed (or the probe started). */
  since: string;
  /** Why the last check failed, while unreachable. */
  error: string | null;
}

export class BrokerProbe {
  private readonly connection: BusConnection;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private admin: Admin | undefined;
  private current: BrokerState = { reachable: false, since: new Date().toISOString(), error: "not checked yet" };
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private wake: (() => void) | undefined;

  constructor(connection: BusConnection, options: { intervalMs?: number; timeoutMs?: number } = {}) {
    this.connection = connection;
    this.intervalMs = options.intervalMs ?? 2_000;
    this.timeoutMs = options.timeoutMs ?? 1_500;
  }

  get state(): BrokerState {
    return this.current;
  }

  /** Checks once, then keeps checking in the background until `stop`. */
  async start(): Promise<void> {
    this.running = true;
    await this.check();
    this.loop = (async () => {
      while (this.running) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, this.intervalMs).unref();
        });
        if (this.running) await this.check();
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.admin?.disconnect().catch(() => {});
    this.admin = undefined;
  }

  private async check(): Promise<void> {
    try {
      this.admin ??= createKafka(this.connection, {
        connectionTimeout: this.timeoutMs,
        requestTimeout: this.timeoutMs,
        retry: { retries: 0 },
        // The state is the report; kafkajs would log every failed check.
        logLevel: logLevel.NOTHING,
      }).admin();
      await this.admin.connect();
      const cluster = await this.admin.describeCluster();
      if (cluster.brokers.length === 0) throw new Error("the cluster reports no live broker");
      this.set(true, null);
    } catch (error) {
      this.set(false, error instanceof Error ? error.message : String(error));
      // A fresh client next time: a broken connection is not always noticed by the old one.
      const broken = this.admin;
      this.admin = undefined;
      await broken?.disconnect().catch(() => {});
    }
  }

  private set(reachable: boolean, error: string | null): void {
    const since = reachable === this.current.reachable ? this.current.since : new Date().toISOString();
    this.current = { reachable, since, error };
  }
}
