// What every section of the benchmark receives from the entry point.

export interface RunContext {
  /** Seconds and small sizes instead of the full run (CI smoke test). */
  quick: boolean;
  /** A temporary folder for data directories and inventory files, removed at the end. */
  tmp: string;
  /** moto's version when moto_server is available, else undefined. */
  motoVersion?: string;
  /** With --profile: the folder for the CPU profile of this section's service process. */
  profileDir(section: string): string | undefined;
  log(line: string): void;
}
