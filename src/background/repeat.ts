export interface Repeating {
  /** Stops scheduling and waits for a run in progress to end. */
  stop(): Promise<void>;
}

/**
 * Runs `work` now and again until stopped: at once when it reports more work waiting, otherwise
 * after `intervalMs`. Runs never overlap (the next is scheduled when one ends), and the timer does
 * not keep the process alive. `work` handles its own errors.
 */
export function repeat(work: () => Promise<boolean>, intervalMs: number): Repeating {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const run = async () => {
    const more = await work();
    if (stopped) return;
    timer = setTimeout(() => (running = run()), more ? 0 : intervalMs);
    timer.unref();
  };
  running = run();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
