import type { RolloutService } from './rollout.service';

export interface Upkeep {
  stop(): Promise<void>;
}

/**
 * The server's own release work, every `intervalMs`: step phased rollouts that are due, and halt
 * rollouts whose crash-free rate fell below their threshold. All
 * state lives in the database (due times, states), so a restart simply carries on, and several
 * server processes may run this side by side (see RolloutService.advancePhases). Runs never
 * overlap: the next is scheduled when one ends. Failures are logged, never fatal.
 */
export function startReleaseUpkeep(rollouts: RolloutService, log: (message: string) => void, intervalMs: number): Upkeep {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = async () => {
    try {
      for (const version of await rollouts.advancePhases()) {
        log(`rollouts: version ${version.id} stepped to ${version.rolloutPercentage}% (${version.rolloutState})`);
      }
      for (const version of await rollouts.haltUnhealthy()) {
        log(`rollouts: version ${version.id} halted: ${version.rolloutHaltedReason}`);
      }
    } catch (error) {
      log(`rollouts: upkeep failed, will retry: ${(error as Error).message}`);
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = run().then(schedule);
    }, intervalMs);
    timer.unref();
  };
  running = run().then(schedule);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
