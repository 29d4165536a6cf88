/** Monitoring: availability probes, scheduler, roll-ups and ratios, warnings, nightly runs, CLI commands. */
export * from './time.ts';
export * from './schema.ts';
export * from './probe.ts';
export * from './clock.ts';
export * from './scheduler.ts';
export * from './store.ts';
export * from './ratios.ts';
export * from './config.ts';
export * from './warnings.ts';
export * from './nightly.ts';
export * from './monitor.ts';
export * from './stall.ts';
export {
  runProbeCommand,
  runAvailabilityCommand,
  runSitesAddCommand,
  runSitesListCommand,
  runSitesRemoveCommand,
  runRunNowCommand,
  runMonitorCommand,
  formatAvailabilityText,
  formatShanghai,
  MONITOR_COMMAND_HELP,
  DEFAULT_DB_PATH,
} from './commands.ts';
export type {
  CommandIO,
  DbOption,
  OutputFormat,
  ProbeCommandOptions,
  ProbeCommandJson,
  AvailabilityCommandOptions,
  AvailabilityJsonRow,
  SitesAddOptions,
  RunNowOptions,
  MonitorCommandOptions,
} from './commands.ts';
