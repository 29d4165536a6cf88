import fs from 'node:fs';

/**
 * Log output that never holds up shutdown.
 *
 * pino's own destination flushes synchronously when the process exits, and on a pipe whose reader has gone (EPIPE)
 * that flush retries forever: `govsite monitor` logged "stopping monitor" and never exited. This destination writes
 * asynchronously (a stalled reader does not block the event loop), keeps at most `maxQueued` characters waiting
 * (further lines are dropped and counted), stops writing for good after the first error other than EAGAIN (a broken
 * pipe stays broken), and registers nothing that runs at exit.
 */
export interface LogStream {
  write(s: string): void;
  /** Lines dropped because the queue was full or the output broken. */
  readonly dropped: number;
  readonly broken: boolean;
}

export function nonBlockingLog(fd = 2, opts: { maxQueued?: number } = {}): LogStream {
  const maxQueued = opts.maxQueued ?? 4 * 1024 * 1024;
  let queue: string[] = [];
  let queued = 0;
  let writing = false;
  let broken = false;
  let dropped = 0;

  const fail = () => {
    broken = true;
    writing = false;
    dropped += queue.length;
    queue = [];
    queued = 0;
  };
  const pump = () => {
    if (broken || writing || queue.length === 0) return;
    const chunk = Buffer.from(queue.join(''), 'utf8');
    queue = [];
    queued = 0;
    writing = true;
    const from = (off: number) => {
      fs.write(fd, chunk, off, chunk.length - off, null, (err, n) => {
        if (err) {
          // A non-blocking pipe that is full: try again shortly, without keeping the process alive for it.
          if ((err as NodeJS.ErrnoException).code === 'EAGAIN') setTimeout(() => from(off), 50).unref();
          else fail();
          return;
        }
        if (off + n < chunk.length) return from(off + n);
        writing = false;
        pump();
      });
    };
    from(0);
  };
  return {
    write(s: string) {
      if (broken || queued + s.length > maxQueued) {
        dropped++;
        return;
      }
      queue.push(s);
      queued += s.length;
      pump();
    },
    get dropped() {
      return dropped;
    },
    get broken() {
      return broken;
    },
  };
}

let guarded = false;

/**
 * Errors of process.stdout / process.stderr (EPIPE when the reader has gone) are ignored instead of ending the
 * process with an uncaught exception half-way through a shutdown. Writes that pass a callback still get the error.
 */
export function guardStdio(): void {
  if (guarded) return;
  guarded = true;
  for (const s of [process.stdout, process.stderr]) s.on('error', () => undefined);
}
