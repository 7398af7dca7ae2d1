import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { ContentError } from "../content/issues.js";
import type { WorkerReply, WorkerRequest } from "./worker.js";

type Setup = Extract<WorkerRequest, { type: "setup-analysis" | "setup-render" }>;
type Task = Extract<WorkerRequest, { id: number }>;
type TaskInput = Task extends infer T ? (T extends { id: number } ? Omit<T, "id"> : never) : never;

/** How many build workers: one per core (GAZETTE_WORKERS overrides, for benchmarks). */
export function workerCount(): number {
  const wanted = Number(process.env.GAZETTE_WORKERS);
  if (Number.isInteger(wanted) && wanted > 0) return wanted;
  return Math.max(1, Math.min(availableParallelism(), 8));
}

/**
 * Build workers (worker_threads), started as work needs them, up to `size`,
 * and kept for the build: a task goes to an idle worker, or starts one, or
 * else waits on whichever has the least outstanding work. A small edit then
 * starts one worker, not one per core.
 */
export class WorkerPool {
  private readonly workers: { worker: Worker; busy: number }[] = [];
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  /** The setup messages sent so far, one of each type: a worker started later gets them first. */
  private readonly setups = new Map<Setup["type"], Setup>();
  private nextId = 1;
  private failed: Error | null = null;

  constructor(readonly size = workerCount()) {}

  private spawn(): { worker: Worker; busy: number } {
    const worker = new Worker(new URL("./worker.js", import.meta.url));
    const slot = { worker, busy: 0 };
    worker.on("message", (reply: WorkerReply) => {
      slot.busy--;
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (!waiting) return;
      if ("issues" in reply) waiting.reject(new ContentError(reply.issues));
      else if ("error" in reply) waiting.reject(new Error(reply.error));
      else waiting.resolve(reply.result);
    });
    worker.on("error", (error) => this.fail(error));
    worker.on("exit", (code) => code !== 0 && this.fail(new Error(`build worker exited with code ${code}`)));
    for (const setup of this.setups.values()) worker.postMessage(setup);
    this.workers.push(slot);
    return slot;
  }

  private fail(error: Error): void {
    this.failed ??= error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }

  /**
   * Sends a setup message to every worker, and to every worker started later (before the tasks that need it).
   * It starts a first worker if there is none, so the setup's work (loading modules, compiling) begins now.
   */
  setup(message: Setup): void {
    this.setups.set(message.type, message);
    if (this.workers.length === 0) this.spawn();
    else for (const { worker } of this.workers) worker.postMessage(message);
  }

  /** `transfer`: buffers of the task that move to the worker instead of being copied (unusable here after). */
  run<R>(task: TaskInput, transfer: ArrayBuffer[] = []): Promise<R> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    let slot = this.workers.length > 0 ? this.workers.reduce((best, w) => (w.busy < best.busy ? w : best)) : null;
    if (!slot || (slot.busy > 0 && this.workers.length < this.size)) slot = this.spawn();
    slot.busy++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      slot.worker.postMessage({ ...task, id }, transfer);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
    this.workers.length = 0;
  }
}
