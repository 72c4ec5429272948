import { type Options, SingleBar } from 'cli-progress';

/** Progress of one long step (tables dumped, rows copied), shown on stderr so stdout stays the result. */
export interface Progress {
  /** Moves forward by `by` units; `detail` names what is being done now (a table, a step). */
  advance(by: number, detail?: string): void;
  /** Sets the position (for work whose total changes, e.g. a restore's entries). */
  update(value: number, detail?: string): void;
  stop(): void;
}

export interface ProgressOptions {
  total: number;
  /** What is counted: "tables", "rows", "entries". */
  unit: string;
  /** Where the plain-text lines go when stderr is not a terminal; defaults to stderr. */
  stream?: NodeJS.WriteStream;
  /** Not a terminal: also print a line when less than this many ms passed since the last one (0: every step). */
  plainEveryMs?: number;
}

/**
 * A bar with rate and ETA on a terminal; on a pipe or in CI, plain `[value/total] detail` lines
 * (all of them, or one every `plainEveryMs` for fine-grained work) that a log keeps readable.
 */
export function startProgress({ total, unit, stream = process.stderr, plainEveryMs = 0 }: ProgressOptions): Progress {
  const started = Date.now();
  let value = 0;
  const rate = () => {
    const seconds = (Date.now() - started) / 1000;
    return seconds > 0 ? formatCount(value / seconds) : '0';
  };

  if (stream.isTTY) {
    const options: Options = {
      stream,
      format: `{bar} {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted} | {detail}`,
      barsize: 30,
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
      formatValue: (v, _options, type) => (type === 'value' || type === 'total' ? formatCount(v) : String(v)),
    };
    const bar = new SingleBar(options);
    bar.start(total, 0, { rate: '0', detail: '' });
    return {
      advance(by, detail) {
        value += by;
        bar.update(value, { rate: rate(), ...(detail === undefined ? {} : { detail }) });
      },
      update(next, detail) {
        value = next;
        bar.update(value, { rate: rate(), ...(detail === undefined ? {} : { detail }) });
      },
      stop: () => bar.stop(),
    };
  }

  let lastLine = 0;
  let finished = false;
  const print = (detail: string | undefined, done: boolean) => {
    const now = Date.now();
    if (finished || (!done && plainEveryMs > 0 && now - lastLine < plainEveryMs)) return;
    finished = done && plainEveryMs > 0;
    lastLine = now;
    const suffix = plainEveryMs > 0 ? ` (${rate()} ${unit}/s)` : '';
    stream.write(`[${formatCount(value)}/${formatCount(total)}]${detail ? ` ${detail}` : ''}${suffix}\n`);
  };
  return {
    advance(by, detail) {
      value += by;
      print(detail, value >= total);
    },
    update(next, detail) {
      value = next;
      print(detail, value >= total);
    },
    stop() {},
  };
}

/** 1234567 → "1,234,567": counts read at a glance. */
function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
