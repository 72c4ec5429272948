import type { Logger } from 'pino';

/**
 * What `npm start` has started, so that every way out stops it again: SIGTERM/SIGINT while
 * serving or still starting, a start-up step that fails (port in use, a migration), an error
 * nothing caught. Each started part registers how to stop it; stopping runs those newest first,
 * once, under the shutdown deadline, then exits.
 */
export class Lifecycle {
  private readonly parts: { name: string; stop: () => Promise<void> | void }[] = [];
  private serving = false;
  private stopRequested: string | undefined;
  private exiting = false;
  private deadline: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly shutdownTimeoutMs: number,
  ) {}

  /** Routes the signals and uncaught errors of this process to `exit`. */
  install(): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => this.signal(signal));
    process.on('uncaughtException', (error) => this.fail(error));
    process.on('unhandledRejection', (error) => this.fail(error));
  }

  /**
   * Runs one start-up step and remembers how to undo it. A signal that came while an earlier step
   * ran is honoured here, before anything more starts.
   */
  async start<T>(name: string, open: () => Promise<T>, stop?: (started: T) => Promise<void> | void): Promise<T> {
    this.throwIfStopRequested();
    const started = await open();
    if (stop) this.parts.push({ name, stop: () => stop(started) });
    this.throwIfStopRequested();
    return started;
  }

  /** Start-up is over: from now on a signal drains and stops at once. */
  ready(): void {
    this.throwIfStopRequested();
    this.serving = true;
  }

  /** Start-up failed or was stopped: stop what was started and exit (0 only for a requested stop). */
  startFailed(error: unknown): Promise<void> {
    if (error instanceof StopRequested) return this.exit(0);
    return this.fail(error);
  }

  private signal(signal: string): void {
    if (this.stopRequested) return;
    this.stopRequested = signal;
    if (this.serving) {
      this.logger.info(`${signal} received: draining requests`);
      void this.exit(0);
    } else {
      this.logger.info(`${signal} received while starting: stopping what has started`);
      this.armDeadline();
    }
  }

  private fail(error: unknown): Promise<void> {
    this.logger.fatal({ err: error }, this.serving ? 'unexpected error: stopping' : 'startup failed');
    return this.exit(1);
  }

  private async exit(code: number): Promise<void> {
    if (this.exiting) return;
    this.exiting = true;
    this.armDeadline();
    for (const { name, stop } of this.parts.reverse()) {
      try {
        await stop();
      } catch (error) {
        // One part that will not stop must not keep the others running.
        this.logger.error({ err: error }, `stopping ${name} failed`);
        code = 1;
      }
    }
    this.logger.info('stopped');
    process.exit(code);
  }

  private armDeadline(): void {
    this.deadline ??= setTimeout(() => {
      this.logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, this.shutdownTimeoutMs).unref();
  }

  private throwIfStopRequested(): void {
    if (this.stopRequested) throw new StopRequested(this.stopRequested);
  }
}

/** Thrown out of start-up when a signal asked to stop before the server was ready. */
class StopRequested extends Error {
  constructor(readonly signal: string) {
    super(`${signal} received while starting`);
  }
}
