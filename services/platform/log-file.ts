/**
 * A log file that rotates by size: `<name>.log` is written, and when the next
 * line would take it past `maxBytes` it becomes `<name>.log.1` (the older ones
 * move up to `.2`, ...; beyond `keep` they are deleted) and a new file starts.
 * Writes are synchronous, so the last lines before a crash or `process.exit`
 * are on disk; one line per write, so a line is never split between files.
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RotatingFileOptions {
  /** Size at which the file is rotated. */
  maxBytes: number;
  /** How many rotated files are kept beside the current one. */
  keep: number;
}

export class RotatingFile {
  private fd: number;
  private size: number;

  constructor(
    readonly path: string,
    private readonly options: RotatingFileOptions,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
    this.size = fstatSync(this.fd).size;
  }

  /** pino's DestinationStream: one serialized line per call. */
  write(line: string): void {
    const bytes = Buffer.byteLength(line);
    if (this.size > 0 && this.size + bytes > this.options.maxBytes) this.rotate();
    writeSync(this.fd, line);
    this.size += bytes;
  }

  close(): void {
    closeSync(this.fd);
  }

  private rotate(): void {
    closeSync(this.fd);
    const { keep } = this.options;
    if (keep <= 0) rmSync(this.path, { force: true });
    else {
      rmSync(`${this.path}.${keep}`, { force: true });
      for (let index = keep - 1; index >= 1; index--) {
        if (existsSync(`${this.path}.${index}`)) renameSync(`${this.path}.${index}`, `${this.path}.${index + 1}`);
      }
      renameSync(this.path, `${this.path}.1`);
    }
    this.fd = openSync(this.path, 'a');
    this.size = 0;
  }
}
