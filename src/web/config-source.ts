/**
 * The sites file as the dashboard sees it: loaded at start, reloaded when the file changes (checked at most every
 * two seconds). A file that becomes invalid while the dashboard runs keeps the last good configuration and the
 * error is shown on every page.
 */
import fs from 'node:fs';
import { loadSitesConfig, SitesConfigSchema, type SiteConfig, type SitesConfig } from '../monitor/config.ts';

export interface ConfigSnapshot {
  config: SitesConfig;
  /** Increases whenever a new configuration was loaded. */
  version: number;
  /** The reload error, when the file on disk is currently invalid or unreadable. */
  error?: string;
  file?: string;
  byId: Map<string, SiteConfig>;
}

export class ConfigSource {
  private snap: ConfigSnapshot;
  private mtime = -1;
  private size = -1;
  private checkedAt = 0;

  /** `file` undefined: no sites file (DB-only dashboard). `allowMissing`: a missing file means no sites yet. */
  constructor(
    private readonly file: string | undefined,
    private readonly opts: { allowMissing?: boolean; clock?: () => number } = {},
  ) {
    const empty = SitesConfigSchema.parse({});
    this.snap = { config: empty, version: 0, byId: new Map(), ...(file ? { file } : {}) };
    if (file) this.load(true);
  }

  get(): ConfigSnapshot {
    if (!this.file) return this.snap;
    const now = (this.opts.clock ?? Date.now)();
    if (now - this.checkedAt >= 2000) {
      this.checkedAt = now;
      this.load(false);
    }
    return this.snap;
  }

  /** Forces a re-read on the next get(). */
  invalidate(): void {
    this.checkedAt = 0;
    this.mtime = -1;
  }

  private load(initial: boolean): void {
    const file = this.file!;
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(file);
    } catch {
      st = undefined;
    }
    const mtime = st ? st.mtimeMs : 0;
    const size = st ? st.size : -1;
    if (!initial && mtime === this.mtime && size === this.size) return;
    try {
      const config = loadSitesConfig(file, { allowMissing: this.opts.allowMissing });
      this.mtime = mtime;
      this.size = size;
      this.snap = { config, version: this.snap.version + 1, file, byId: new Map(config.sites.map((s) => [s.id, s])) };
    } catch (e) {
      if (initial) throw e;
      this.mtime = mtime;
      this.size = size;
      this.snap = { ...this.snap, error: (e as Error).message.split('\n').slice(0, 4).join(' ') };
    }
  }
}
