#!/usr/bin/env node
// gateway --config FILE [--validate] [--watch] [--workers N|auto] [--drain-time-s S] [--log-level LEVEL]
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { createGateway } from './index.js';
import { ConfigValidationError } from './config/errors.js';
import { createLogger, type LogLevel } from './log/logger.js';
import { watchConfigFile } from './reload/config-watch.js';
import { Primary } from './workers/primary.js';
import { runWorker } from './workers/worker.js';

const USAGE = `usage: gateway --config FILE [--validate] [--watch] [--workers N|auto] [--drain-time-s S] [--log-level LEVEL]

  --config FILE       the gateway config (YAML or JSON)
  --validate          check the config, print every error with its path, and exit (0 = valid)
  --watch             reload when the config file changes (as on SIGHUP)
  --workers N|auto    processes serving the listeners (node:cluster; default 1; auto = one per core);
                      with more than 1, the admin runs in the primary and answers for all
  --drain-time-s S    how long connections drain on reload and shutdown when the config sets no
                      drain_timeout (default 5)
  --log-level LVL     the gateway's own log on stderr: info|debug|warn|error|silent (default info);
                      access logs are configured per listener

  signals: SIGHUP reloads the config file; SIGTERM and SIGINT drain and exit 0.
`;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  validate: { type: 'boolean', default: false },
  watch: { type: 'boolean', default: false },
  workers: { type: 'string', default: '1' },
  'drain-time-s': { type: 'string', default: '5' },
  'log-level': { type: 'string', default: 'info' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** What the command runs: one gateway in this process, or the primary of N workers. */
interface Running {
  readonly log: { info(o: object, msg: string): void };
  reload(): Promise<unknown>;
  stop(): Promise<void>;
  readonly stopped: Promise<void>;
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: OPTIONS, strict: true }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const logLevel = (args.validate ? 'silent' : args['log-level']) as LogLevel;
  const drainTimeoutMs = Number(args['drain-time-s']) * 1000;
  if (cluster.isWorker) {
    runWorker(createLogger(logLevel).child({ worker: cluster.worker!.id }), drainTimeoutMs);
    return new Promise<number>(() => undefined); // the worker exits when the primary says so
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.config === undefined) {
    process.stderr.write(`--config is required\n${USAGE}`);
    return 2;
  }
  const workers = args.workers === 'auto' ? availableParallelism() : Number(args.workers);
  if (!Number.isInteger(workers) || workers < 1) {
    process.stderr.write(`--workers: expected a positive integer or "auto", got "${args.workers}"\n${USAGE}`);
    return 2;
  }
  if (!Number.isFinite(drainTimeoutMs) || drainTimeoutMs < 0) {
    process.stderr.write(`--drain-time-s: expected a number of seconds >= 0, got "${args['drain-time-s']}"\n${USAGE}`);
    return 2;
  }
  const configPath = args.config;
  let running: Running;
  try {
    if (workers > 1 && !args.validate) {
      running = await Primary.start({ configPath, workers, log: createLogger(logLevel), drainTimeoutMs });
    } else {
      const gateway = await createGateway({ configPath, logLevel, drainTimeoutMs });
      if (args.validate) {
        await gateway.stop();
        process.stdout.write(`${configPath}: config is valid\n`);
        return 0;
      }
      try {
        await gateway.start();
      } catch (err) {
        await gateway.stop();
        throw err;
      }
      running = gateway;
    }
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`${configPath}: invalid config (${err.errors.length} error${err.errors.length === 1 ? '' : 's'}):\n`);
      for (const e of err.errors) process.stderr.write(`  ${e.path}: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`${configPath}: ${(err as Error).message}\n`);
    return 1;
  }
  // A refused reload is logged with its errors by whoever refused it; the running config keeps serving.
  const reload = (trigger: string): void => {
    running.log.info({ trigger }, 'reloading');
    running.reload().catch(() => undefined);
  };
  process.on('SIGHUP', () => reload('SIGHUP'));
  const unwatch = args.watch ? watchConfigFile(configPath, () => reload('config file changed')) : null;
  const stop = (signal: string): void => {
    running.log.info({ signal }, 'draining and stopping');
    void running.stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await running.stopped; // by a signal or by POST /drain_listeners
  unwatch?.();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
