/**
 * `uat claims [--json] [--markdown]`: runs every claim check of the two seed papers (and of
 * docs/math.md §3) and prints each verdict with its evidence. A claim whose verdict is "fails" is a
 * finding, not an error: the command exits 0 whenever every check ran. Printing only; the checks
 * are src/claims.
 */
import type { Command } from 'commander';
import { allClaims, claimsMarkdown, CLAIM_CHECKS, type ClaimResult } from '../index.ts';
import { runAction, printJson, progress } from './util.ts';

function fmt(v: number | string): string {
  if (typeof v === 'string') return v;
  if (Number.isInteger(v)) return String(v);
  return Number.isFinite(v) ? Number(v.toPrecision(6)).toString() : String(v);
}

export function printClaims(results: readonly ClaimResult[]): void {
  const w = Math.max(...results.map((r) => r.id.length));
  for (const r of results) console.log(`${r.id.padEnd(w)}  ${r.verdict}`);
  for (const r of results) {
    console.log(`\n${r.id} — ${r.verdict}\n  ${r.statement}\n  source: ${r.source}`);
    const kw = Math.max(...Object.keys(r.evidence).map((k) => k.length));
    for (const [k, v] of Object.entries(r.evidence)) console.log(`    ${k.padEnd(kw)}  ${fmt(v)}`);
    console.log(`  ${r.details}`);
  }
}

export function registerClaimsCommand(program: Command): void {
  program
    .command('claims')
    .description('check every claim of the single-layer UAT paper, docs/math.md §3 and the Macaron paper: verdict and evidence')
    .option('--json', 'print the results as JSON (id, statement, source, verdict, evidence, details)')
    .option('--markdown', 'print the ledger as markdown (the text of docs/claims.md)')
    .option('--quiet', 'no progress on stderr')
    .action((o: { json?: boolean; markdown?: boolean; quiet?: boolean }) =>
      runAction(() => {
        const bar = progress('claims', CLAIM_CHECKS.length, o.quiet);
        const results = allClaims((done, total, name) => bar.update(done, done < total ? `checking ${name}` : '', total));
        bar.stop();
        if (o.json) printJson(results);
        else if (o.markdown) process.stdout.write(claimsMarkdown(results));
        else printClaims(results);
        return 0;
      }),
    );
}
