#!/usr/bin/env node
// gateway --config FILE [--validate] [--log-level LEVEL]
import { parseArgs } from 'node:util';
import { createGateway } from './index.js';
import { ConfigValidationError } from './config/errors.js';
import type { LogLevel } from './log/logger.js';

const USAGE = `usage: gateway --config FILE [--validate] [--log-level info|debug|warn|error|silent]

  --config FILE     the gateway config (YAML or JSON)
  --validate        check the config, print every error with its path, and exit (0 = valid)
  --log-level LVL   the gateway's own log on stderr (default info); access logs are configured per listener
`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        config: { type: 'string', short: 'c' },
        validate: { type: 'boolean', default: false },
        'log-level': { type: 'string', default: 'info' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.config === undefined) {
    process.stderr.write(`--config is required\n${USAGE}`);
    return 2;
  }
  let gateway;
  try {
    gateway = await createGateway({
      configPath: args.config,
      logLevel: (args.validate ? 'silent' : args['log-level']) as LogLevel,
    });
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`${args.config}: invalid config (${err.errors.length} error${err.errors.length === 1 ? '' : 's'}):\n`);
      for (const e of err.errors) process.stderr.write(`  ${e.path}: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`${args.config}: ${(err as Error).message}\n`);
    return 1;
  }
  if (args.validate) {
    await gateway.stop();
    process.stdout.write(`${args.config}: config is valid\n`);
    return 0;
  }
  try {
    await gateway.start();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    await gateway.stop();
    return 1;
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      gateway.log.info({ signal }, 'draining and stopping');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await gateway.stop();
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
