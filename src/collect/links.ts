/**
 * Link extraction is pure page analysis and lives in `src/analyze/links.ts` (checks read it without importing a
 * collector); the collectors keep importing it from here.
 */
export * from '../analyze/links.ts';
