import { open, readFile, rm } from "node:fs/promises";

/**
 * PGlite has no locking of its own: two processes on one data directory silently overwrite each
 * other's writes (seen here: the second process's close discarded the first one's rows). This
 * lock file next to the directory makes the second open fail with a clear message instead.
 */
export interface DirectoryLock {
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function lockDataDir(dataDir: string): Promise<DirectoryLock> {
  const lockPath = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return {
        async release() {
          const owner = await readFile(lockPath, "utf8").catch(() => "");
          if (owner === String(process.pid)) await rm(lockPath, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number.parseInt(await readFile(lockPath, "utf8").catch(() => ""), 10);
      if (Number.isInteger(owner) && isAlive(owner)) {
        throw new Error(
          `The embedded PGlite database ${dataDir} is already open in process ${owner} ` +
            `(lock file ${lockPath}). PGlite allows one process per data directory: stop that ` +
            "process, or set DATABASE_URL to a PostgreSQL server to share one database.",
        );
      }
      await rm(lockPath, { force: true }); // left behind by a process that died
    }
  }
  throw new Error(`Could not take the lock ${lockPath}`);
}
