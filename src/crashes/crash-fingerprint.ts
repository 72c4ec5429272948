import { createHash } from 'node:crypto';

/** Frames from the top of the stack that identify a bug; deeper frames vary with the caller. */
export const FINGERPRINT_FRAMES = 5;

/**
 * Lines that are stack frames, in the formats crash reporters send:
 * JVM/Android and V8 (`at …`), Firefox/Safari JS (`fn@file:1:2`), Android tombstones and
 * sanitizers (`#00 pc …`, `#3 0x…`), Apple crash logs (`3   libfoo.dylib   0x…`), LLDB
 * (`frame #0: …`) and Python (`File "…", line N, in fn`).
 */
const FRAME_LINE = /^(?:at\s|#\d+\s|frame\s+#\d+|\d+\s+\S+\s+0x[0-9a-f]+|file\s+"|[^\s@]*@\S)/i;

/**
 * What varies between builds and devices but not between bugs, in the order it is removed:
 * frame numbers, build ids, hex addresses and offsets (`0x7f…`, `+0x1c`, `+ 164`), query strings,
 * directories (install paths differ per device), `:line:col` and `line N`, and long hex runs
 * such as bundle hashes in file names (`main.3f9a1c2e.js`).
 */
const VOLATILE: [RegExp, string][] = [
  [/^(?:frame\s+)?#\d+\s*:?\s*/i, ''],
  [/^\d+\s+(?=\S+\s+0x)/, ''],
  [/\(?\s*build\s*id:\s*[0-9a-f]+\s*\)?/gi, ''],
  [/\bpc\s+(?=0x|[0-9a-f]{8,}\b)/gi, ''],
  [/\s*\+\s*(?:0x[0-9a-f]+|\d+)\b/gi, ''],
  [/\b0x[0-9a-f]+\b/gi, ''],
  [/\?[^\s):]*/g, ''],
  [/(?:[a-z][a-z0-9+.-]*:\/\/[^/\s()]*)?(?:[a-z]:)?(?:[/\\][^/\\\s():]*)*[/\\]/gi, ''],
  [/(?::\d+)+(?=[)\s]|$)/g, ''],
  [/,?\s*line\s+\d+/gi, ''],
  [/[.-]?\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, ''],
  [/\s+/g, ' '],
];

/** One frame with everything build- or device-specific removed; case is kept for display. */
export function normalizeFrame(line: string): string {
  let frame = line.trim();
  for (const [pattern, replacement] of VOLATILE) frame = frame.replace(pattern, replacement);
  return frame.trim();
}

/** The top frames of a trace, innermost first (Python prints innermost last, so its order is reversed). */
export function topFrames(stackTrace: string | null, count = FINGERPRINT_FRAMES): string[] {
  if (!stackTrace) return [];
  const lines = stackTrace.split(/\r?\n/).map((line) => line.trim());
  const frames = lines.filter((line) => FRAME_LINE.test(line)).map(normalizeFrame).filter((frame) => frame !== '');
  if (/most recent call last/i.test(stackTrace)) frames.reverse();
  return frames.slice(0, count);
}

/** A message's first line without numbers and quoted values: the identity of a crash that has no trace. */
function normalizeMessage(message: string | null): string {
  const firstLine = (message ?? '').split(/\r?\n/, 1)[0];
  return firstLine.replace(/(["'`]).*?\1/g, '$1$1').replace(/\b0x[0-9a-f]+\b|\d+/gi, '#').replace(/\s+/g, ' ').trim();
}

export interface CrashIdentity {
  /** Lowercase hex SHA-256 of the crash type and its normalized top frames. */
  fingerprint: string;
  /** The crash type and where it happened (the top frame), or its message when there is no trace. */
  title: string;
}

const TITLE_MAX = 255;

/**
 * Same bug, same fingerprint: the same crash type and the same top frames once addresses, line
 * numbers, offsets, build ids and install paths are stripped (compared case-insensitively). A
 * crash without a recognisable trace falls back to its message's first line, numbers removed.
 */
export function crashIdentity(crashType: string, stackTrace: string | null, message: string | null): CrashIdentity {
  const frames = topFrames(stackTrace);
  const signature = frames.length > 0 ? frames : [`message: ${normalizeMessage(message)}`];
  const fingerprint = createHash('sha256')
    .update([crashType.trim(), ...signature].join('\n').toLowerCase(), 'utf8')
    .digest('hex');
  const where = frames.length > 0 ? ` in ${frames[0].replace(/^at\s+/i, '')}` : message ? `: ${message.split(/\r?\n/, 1)[0]}` : '';
  const title = `${crashType.trim()}${where}`;
  return { fingerprint, title: title.length > TITLE_MAX ? `${title.slice(0, TITLE_MAX - 1)}…` : title };
}
