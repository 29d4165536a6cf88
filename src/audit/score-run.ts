import type { Store } from '../store/store.ts';
import type { ScoreResult } from '../score/types.ts';
import { loadRubric } from '../score/rubric.ts';
import { loadManual } from '../score/manual.ts';
import { scoreAudit } from '../score/engine.ts';

export interface ScoreProfile {
  unitType: 'city' | 'provincial';
  hasPublicServices: boolean;
}

/**
 * Scores a stored run: its findings + the rubric + an optional manual-items file. The score is stored with the run
 * (each rescoring adds a row; the latest one is the run's score). Errors in the manual file are raised, not ignored:
 * a score computed without the reviewer's decisions would mislead.
 */
export function scoreStoredRun(store: Store, runId: number, o: { rubric: string; manualFile?: string; profile: ScoreProfile }): { score?: ScoreResult; note?: string } {
  const rubric = loadRubric(o.rubric);
  const manual = o.manualFile ? loadManual(o.manualFile) : undefined;
  const findings = store.findings(runId);
  const scopes = store.checkScopes(runId);
  const score = scoreAudit({ rubric, findings, manual, profile: o.profile, ...(scopes ? { scopes } : {}) });
  store.saveScore(runId, { rubric: o.rubric, manualFile: o.manualFile, total: score.total, veto: score.veto.failed, provisional: score.provisional, score });
  return { score };
}
