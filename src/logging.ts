import type { DestinationStream } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from './config';

/**
 * Where log records go: JSON lines on stdout (what log collectors read), or coloured
 * one-line-per-record text through pino-pretty when a developer watches the terminal
 * (development, stdout a TTY). Undefined means pino's default, JSON on stdout. Prettified
 * synchronously in-process, so the last lines before an exit are never lost.
 */
export function logStream(config: Pick<Config, 'nodeEnv'>): DestinationStream | undefined {
  if (config.nodeEnv !== 'development' || !process.stdout.isTTY) return undefined;
  return pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
}
