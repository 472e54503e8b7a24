import { createHash } from 'node:crypto';

/** The frames nearest the throw say where a failure comes from; deeper ones are the bus's own plumbing. */
export const TOP_FRAMES = 3;

export interface FailureFacts {
  group: string;
  type: string;
  /** The error's name (`ProviderUnavailableError`). */
  errorType: string;
  errorMessage: string;
  errorStack: string | null;
}

export interface Fingerprint {
  /** 16 hex digits of a SHA-256 over group, type, error type and the normalised top frames. */
  fingerprint: string;
  /** What the fingerprint was made of besides group, type and error type (shown beside a group). */
  frames: string[];
}

const FRAME_LINE = /^\s*at\s+(.*)$/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** A word with a digit in it is an id, a count, a port or an amount: it varies per message, not per cause. */
const WORD_WITH_DIGIT = /[\w.-]*\d[\w.-]*/g;
/** Project folders a path is cut down to, so two checkouts (or machines) of the same code agree. */
const PROJECT_DIR = /\/(src|tests|scripts|examples)\//;

/**
 * A location without line and column, and with an absolute path cut down to the project-relative file:
 * `/srv/app/src/bus/x.ts:12:7` → `src/bus/x.ts`, `file:///…/node_modules/pkg/a.js:1:2` → `node_modules/pkg/a.js`.
 */
export function normaliseLocation(location: string): string {
  const path = location
    .replace(/\\/g, '/')
    .replace(/^file:\/\//, '')
    .replace(/(:\d+)+$/, '');
  const packages = path.lastIndexOf('/node_modules/');
  if (packages >= 0) return path.slice(packages + 1);
  const project = path.match(PROJECT_DIR);
  if (project?.index !== undefined) return path.slice(project.index + 1);
  // Outside any known folder: the file name still identifies it; `node:internal/…` and `<anonymous>` stay.
  return path.startsWith('/') ? path.slice(path.lastIndexOf('/') + 1) : path;
}

/** `at async Foo.bar (/abs/src/x.ts:3:9)` → `Foo.bar src/x.ts`; `at /abs/src/x.ts:3:9` → `src/x.ts`. */
export function normaliseFrame(frame: string): string {
  const body = frame.replace(/^(async|new)\s+/, '');
  const call = body.match(/^(.*?)\s+\((.*)\)$/);
  if (!call) return normaliseLocation(body);
  const [, fn = '', location = ''] = call;
  return `${fn} ${normaliseLocation(location)}`;
}

/**
 * Node's own frames (`runNextTicks (node:internal/process/task_queues)`) appear between two async frames or
 * not, depending on how the promise was scheduled: the same throw site would fall into two groups.
 */
const isRuntimeFrame = (frame: string) => /(^|\s)node:/.test(frame);

/** The top frames of a V8 stack, normalised, without Node's own (the header lines, which hold the message, are skipped). */
export function topFrames(stack: string | null, count = TOP_FRAMES): string[] {
  if (!stack) return [];
  const frames: string[] = [];
  for (const line of stack.split('\n')) {
    const m = line.match(FRAME_LINE);
    if (!m) continue;
    const frame = normaliseFrame((m[1] ?? '').trim());
    if (!isRuntimeFrame(frame)) frames.push(frame);
    if (frames.length === count) break;
  }
  return frames;
}

/** A message with its ids, uuids and numbers blanked: only used when an error carries no stack frames. */
export const normaliseMessage = (message: string): string => message.replace(UUID, '<id>').replace(WORD_WITH_DIGIT, '<id>').trim();

/** The error's name as its stack header gives it (`TypeError: …` → `TypeError`), for records stored without one. */
export function errorTypeFromStack(stack: string | null): string {
  const header = stack?.split('\n', 1)[0] ?? '';
  const m = header.match(/^([A-Za-z_$][\w$]*)(?::|\s*$)/);
  return m?.[1] ?? 'Error';
}

/**
 * Groups dead letters by cause: consumer group + message type + error type + the top stack frames with
 * line numbers and absolute paths removed. The message is left out (ids and amounts make every message
 * unique), except when there are no frames at all: then its normalised text stands in for them.
 */
export function fingerprintOf(f: FailureFacts): Fingerprint {
  const frames = topFrames(f.errorStack);
  const where = frames.length > 0 ? frames : [`message: ${normaliseMessage(f.errorMessage)}`];
  const key = JSON.stringify([f.group, f.type, f.errorType, where]);
  return { fingerprint: createHash('sha256').update(key).digest('hex').slice(0, 16), frames: where };
}
