import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: keep parallel files modest so loopback servers and Chromium get CPU.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
