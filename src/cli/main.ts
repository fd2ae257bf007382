#!/usr/bin/env node
/**
 * The `uat` command-line program (commander). Parsing, progress and printing only; all maths is
 * in the library (imported through src/index.ts). Exit codes: 0 ok, 1 failed check, 2 bad input,
 * 3 undecided (docs/design.md "CLI").
 */
import { Command, CommanderError } from 'commander';
import { registerModelCommands } from './cmd-model.ts';
import { registerDemoCommand } from './cmd-demo.ts';
import { registerOdeCommand } from './cmd-ode.ts';
import { registerConstructCommand } from './cmd-construct.ts';
import { registerVerifyCommand } from './cmd-verify.ts';
import { registerClaimsCommand } from './cmd-claims.ts';
import { registerReportCommand } from './cmd-report.ts';
import { registerInteropCommands } from './cmd-interop.ts';
import { VERSION } from '../version.ts';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('uat')
    .description('single-layer transformer universal approximation: build the weights from the proof, run, verify')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
  registerModelCommands(program);
  registerDemoCommand(program);
  // further commands register here (one line each)
  registerClaimsCommand(program);
  registerReportCommand(program);
  registerVerifyCommand(program);
  registerConstructCommand(program);
  registerOdeCommand(program);
  registerInteropCommands(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `uat … | head` closes stdout early: stop quietly instead of crashing with EPIPE
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; every usage error (unknown option, missing value) is bad input
      const ok = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help';
      process.exitCode = ok ? 0 : 2;
      return;
    }
    throw e;
  }
}

// the program runs on import (bin/uat.js, `tsx src/cli/main.ts`); test-support/cli.ts imports it to call `main` itself
if (!(globalThis as { __uatEmbedded?: boolean }).__uatEmbedded) await main(process.argv);
