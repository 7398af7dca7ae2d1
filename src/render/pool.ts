import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
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
 * Build workers (worker_threads), started on first use and kept for the
 * build: tasks go to whichever worker has the least outstanding work.
 */
export class WorkerPool {
  private readonly workers: { worker: Worker; busy: number }[] = [];
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private nextId = 1;
  private failed: Error | null = null;

  constructor(readonly size = workerCount()) {}

  private start(): void {
    if (this.workers.length > 0) return;
    for (let i = 0; i < this.size; i++) {
      const worker = new Worker(new URL("./worker.js", import.meta.url));
      const slot = { worker, busy: 0 };
      worker.on("message", (reply: WorkerReply) => {
        slot.busy--;
        const waiting = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        if (!waiting) return;
        if ("error" in reply) waiting.reject(new Error(reply.error));
        else waiting.resolve(reply.result);
      });
      worker.on("error", (error) => this.fail(error));
      worker.on("exit", (code) => code !== 0 && this.fail(new Error(`build worker exited with code ${code}`)));
      this.workers.push(slot);
    }
  }

  private fail(error: Error): void {
    this.failed ??= error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }

  /** Sends a setup message to every worker (before the tasks that need it). */
  setup(message: Setup): void {
    this.start();
    for (const { worker } of this.workers) worker.postMessage(message);
  }

  run<R>(task: TaskInput): Promise<R> {
    this.start();
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    const slot = this.workers.reduce((best, w) => (w.busy < best.busy ? w : best));
    slot.busy++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      slot.worker.postMessage({ ...task, id });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
    this.workers.length = 0;
  }
}
