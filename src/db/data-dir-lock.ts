import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * The embedded store's exclusive lock. PGlite is one process's database: a second process that
 * opens the same data directory keeps its own buffers and catalogue caches, and the two overwrite
 * each other's files (a rebuild from a second process once left every read failing with
 * `could not open file "base/5/…"`). So whoever opens a data directory first holds
 * `<dataDir>/iamgraph.lock` until it closes, and every other opener is refused at once, told who
 * holds it — and, for a server, where to send its request instead.
 *
 * The file is created with O_EXCL (atomic on local file systems). A holder that died without
 * removing it (kill -9, power loss) is recognised by its pid no longer running — or running as
 * another process, which the recorded process start time tells apart on Linux — and its lock is
 * taken over by an atomic rename, so two processes racing for a stale lock cannot both win.
 */
export interface DataDirHolder {
  readonly pid: number;
  /** The process's start time (Linux: clock ticks since boot, from /proc/<pid>/stat); telling a reused pid apart. */
  readonly processStart: string | null;
  readonly hostname: string;
  readonly acquiredAt: string;
  /** Set once a server listens: operator commands send their requests there. */
  readonly url?: string;
  /** What holds it: `serve`, `projections rebuild`, … */
  readonly purpose?: string;
}

export class DataDirLocked extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: DataDirHolder,
  ) {
    super(
      (holder.pid === 0 ? `the iamgraph store at ${dataDir} is being opened by another process` : `the iamgraph store at ${dataDir} is in use by process ${holder.pid}`) +
        (holder.url ? ` (an iamgraph server at ${holder.url})` : holder.purpose ? ` (${holder.purpose})` : "") +
        `: an embedded store can be opened by one process at a time` +
        (holder.url ? `; send operator commands to that server, or stop it first` : "; wait for it to finish"),
    );
    this.name = "DataDirLocked";
  }
}

export class DataDirLock {
  #holder: DataDirHolder;
  #released = false;
  readonly #onExit = () => this.release();

  private constructor(
    readonly file: string,
    holder: DataDirHolder,
  ) {
    this.#holder = holder;
    // A normal exit (process.exit, end of the event loop) removes the file; kill -9 leaves it,
    // and the next opener recognises it as stale.
    process.once("exit", this.#onExit);
  }

  static lockFile(dataDir: string): string {
    return path.join(dataDir, "iamgraph.lock");
  }

  /** Takes the lock on `dataDir` (which must exist) or throws DataDirLocked naming the holder. */
  static acquire(dataDir: string, purpose?: string): DataDirLock {
    const file = DataDirLock.lockFile(dataDir);
    const mine: DataDirHolder = {
      pid: process.pid,
      processStart: processStartOf(process.pid),
      hostname: os.hostname(),
      acquiredAt: new Date().toISOString(),
      ...(purpose ? { purpose } : {}),
    };
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        const fd = fs.openSync(file, "wx", 0o600);
        fs.writeSync(fd, JSON.stringify(mine));
        fs.closeSync(fd);
        return new DataDirLock(file, mine);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      const holder = DataDirLock.holderOf(dataDir);
      if (holder && isAlive(holder)) throw new DataDirLocked(dataDir, holder);
      if (!holder && youngerThan(file, 5_000)) {
        // Created an instant ago and not written yet: its creator is alive and writing it.
        if (attempt >= 10) throw new DataDirLocked(dataDir, { pid: 0, processStart: null, hostname: os.hostname(), acquiredAt: "" });
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
        continue;
      }
      takeOverStale(file, holder);
    }
    const holder = DataDirLock.holderOf(dataDir);
    throw new DataDirLocked(dataDir, holder ?? { pid: 0, processStart: null, hostname: "?", acquiredAt: "?" });
  }

  /** Who holds the lock on `dataDir` now, if a live process does. */
  static liveHolder(dataDir: string): DataDirHolder | undefined {
    const holder = DataDirLock.holderOf(dataDir);
    return holder && isAlive(holder) ? holder : undefined;
  }

  /** The recorded holder, alive or not; undefined when there is no (readable) lock file. */
  static holderOf(dataDir: string): DataDirHolder | undefined {
    try {
      const parsed = JSON.parse(fs.readFileSync(DataDirLock.lockFile(dataDir), "utf8")) as DataDirHolder;
      return typeof parsed.pid === "number" ? parsed : undefined;
    } catch {
      return undefined; // absent, or half-written by a holder that died while writing it
    }
  }

  get holder(): DataDirHolder {
    return this.#holder;
  }

  /** Records where the holding server listens; written atomically (temp file + rename). */
  advertise(url: string): void {
    if (this.#released) return;
    this.#holder = { ...this.#holder, url, purpose: "serve" };
    const temp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(this.#holder), { mode: 0o600 });
    fs.renameSync(temp, this.file);
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    process.removeListener("exit", this.#onExit);
    try {
      // Only our own file: never remove a lock someone took over after us.
      const current = JSON.parse(fs.readFileSync(this.file, "utf8")) as DataDirHolder;
      if (current.pid === this.#holder.pid && current.acquiredAt === this.#holder.acquiredAt) fs.unlinkSync(this.file);
    } catch {
      // already gone
    }
  }
}

/** Moves a dead holder's file aside; only one of several racing openers can rename it. */
function takeOverStale(file: string, seen: DataDirHolder | undefined): void {
  const aside = `${file}.stale.${process.pid}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return; // someone else moved it first: retry the exclusive create
  }
  // Between reading the stale record and renaming, another opener may have taken the lock: if
  // what we moved is not the record we judged dead, it is theirs — put it back.
  const moved = readHolder(aside);
  if (seen && moved && (moved.pid !== seen.pid || moved.acquiredAt !== seen.acquiredAt) && isAlive(moved)) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // a third opener got in meanwhile; its file stands
    }
  }
  fs.rmSync(aside, { force: true });
}

function youngerThan(file: string, ms: number): boolean {
  try {
    return Date.now() - fs.statSync(file).mtimeMs < ms;
  } catch {
    return false;
  }
}

function readHolder(file: string): DataDirHolder | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as DataDirHolder;
  } catch {
    return undefined;
  }
}

function isAlive(holder: DataDirHolder): boolean {
  if (holder.hostname !== os.hostname()) return true; // another machine's process: we cannot tell, so it holds
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  // The pid runs; unless it is another process that reused the pid.
  const start = processStartOf(holder.pid);
  return holder.processStart === null || start === null || start === holder.processStart;
}

/** Linux: field 22 of /proc/<pid>/stat, the start time in clock ticks since boot. Elsewhere null. */
function processStartOf(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may contain spaces: split after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? null;
  } catch {
    return null;
  }
}
