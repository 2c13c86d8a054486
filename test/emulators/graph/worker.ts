/**
 * The Graph emulator on its own thread, for measurements: in production Graph's CPU is not ours, so
 * a benchmark should not charge the emulator's JSON work to the client's event loop. Same emulator,
 * same HTTP; only the control calls (seed, latency, request log) go through worker messages.
 *
 * Needs a TypeScript-capable runtime for the worker (started with `--import tsx`), so use it from
 * `npx tsx` scripts such as bench/graph.ts, not from vitest.
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import type { GraphEmulatorOptions, RequestLogEntry, SeedAppOptions, SeededApp } from "./index";
import type { IdentityLimits, ThrottleStats } from "./throttling";

export interface GraphEmulatorWorker {
  readonly url: string;
  readonly token: string;
  seedApp(options: SeedAppOptions): Promise<SeededApp>;
  setLatency(ms: number): Promise<void>;
  clearRequests(): Promise<void>;
  /** The request log without bodies. */
  requests(): Promise<Omit<RequestLogEntry, "body">[]>;
  /** Switches throttling (started with the `throttling` option) on or off, from full buckets, optionally with other limits. */
  setThrottling(enabled: boolean, limits?: IdentityLimits): Promise<void>;
  throttleStats(): Promise<ThrottleStats>;
  close(): Promise<void>;
}

type Msg = { id: number; op: string; arg?: unknown };

export async function startGraphEmulatorWorker(options: GraphEmulatorOptions = {}): Promise<GraphEmulatorWorker> {
  const worker = new Worker(__filename, { workerData: options, execArgv: ["--import", "tsx"] });
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  worker.on("message", (m: { id: number; ok: boolean; value?: unknown; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(m.error));
  });
  worker.on("error", (e) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  });
  const call = <T>(op: string, arg?: unknown): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, op, arg } satisfies Msg);
    });
  const info = await call<{ url: string; token: string }>("info");
  return {
    url: info.url,
    token: info.token,
    seedApp: (o) => call<SeededApp>("seedApp", o),
    setLatency: (ms) => call<void>("setLatency", ms),
    clearRequests: () => call<void>("clearRequests"),
    requests: () => call("requests"),
    setThrottling: (enabled, limits) => call<void>("setThrottling", { enabled, limits }),
    throttleStats: () => call<ThrottleStats>("throttleStats"),
    close: async () => {
      await call<void>("close");
      await worker.terminate();
    },
  };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  void (async () => {
    const { startGraphEmulator } = await import("./index");
    const emu = await startGraphEmulator(workerData as GraphEmulatorOptions);
    port.on("message", async (m: Msg) => {
      try {
        let value: unknown;
        switch (m.op) {
          case "info":
            value = { url: emu.url, token: emu.token };
            break;
          case "seedApp":
            value = emu.seedApp(m.arg as SeedAppOptions);
            break;
          case "setLatency":
            emu.faults.latencyMs = m.arg as number;
            break;
          case "clearRequests":
            emu.clearRequests();
            break;
          case "requests":
            value = emu.requests.map(({ body: _b, ...rest }) => rest);
            break;
          case "setThrottling":
            if (!emu.throttling) throw new Error("the emulator was started without the throttling option");
            {
              const { enabled, limits } = m.arg as { enabled: boolean; limits?: IdentityLimits };
              emu.throttling.reset(limits);
              emu.throttling.enabled = enabled;
            }
            break;
          case "throttleStats":
            if (!emu.throttling) throw new Error("the emulator was started without the throttling option");
            value = emu.throttling.stats();
            break;
          case "close":
            await emu.close();
            break;
          default:
            throw new Error(`unknown op ${m.op}`);
        }
        port.postMessage({ id: m.id, ok: true, value });
      } catch (e) {
        port.postMessage({ id: m.id, ok: false, error: (e as Error).message });
      }
    });
  })();
}
