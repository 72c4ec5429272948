import { type Repeating, repeat } from '../background/repeat';
import type { RolloutService } from './rollout.service';

/**
 * The server's own release work, every `intervalMs`: step phased rollouts that are due, and halt
 * rollouts whose crash-free rate fell below their threshold. All state lives in the database (due
 * times, states), so a restart simply carries on, and several server processes may run this side
 * by side (see RolloutService.advancePhases and haltUnhealthy). Failures are logged, never fatal.
 */
export function startReleaseUpkeep(rollouts: RolloutService, log: (message: string) => void, intervalMs: number): Repeating {
  return repeat(async () => {
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
    return false;
  }, intervalMs);
}
