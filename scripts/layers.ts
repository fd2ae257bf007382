/**
 * The import boundaries of docs/design.md ("Boundaries"), as data and as a checker over the source
 * tree. Used by `npm run check:layers` and by src/layers.test.ts.
 *  - tensor imports nothing of the project; model imports tensor; interval nothing;
 *  - target-map imports interval (its sound bounds are interval evaluations);
 *  - construct may import tensor, model, target, certificate;
 *  - verify imports tensor, model, target, interval — never construct or certificate, directly
 *    or through another module;
 *  - plot (vega figures) imports nothing of the project; ode and report draw through it;
 *  - interop (PyTorch/ONNX in and out) imports tensor and model;
 *  - cli imports index only. `errors.ts`, `version.ts`, `float.ts` (u, γ_k), `hash.ts` (sha256)
 *    and `json.ts` (the strict JSON reader) are leaves anyone may import.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

export const ALLOWED: Record<string, string[]> = {
  tensor: [],
  interval: [],
  model: ['tensor'],
  'target-map': ['interval'],
  certificate: ['model', 'target-map'],
  construct: ['tensor', 'model', 'target-map', 'certificate'],
  verify: ['tensor', 'model', 'target-map', 'interval'],
  plot: [],
  ode: ['tensor', 'model', 'plot'],
  claims: ['tensor', 'model', 'target-map', 'interval', 'construct', 'certificate', 'verify', 'ode'],
  report: ['tensor', 'model', 'target-map', 'construct', 'certificate', 'verify', 'ode', 'plot'],
  interop: ['tensor', 'model'],
  cli: ['index'],
  index: ['*'],
};
const LEAVES = new Set(['errors', 'version', 'float', 'hash', 'json']);

export interface Edge { from: string; to: string; file: string; spec: string }

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** Module of a file under src/: its first folder, or the file's stem for top-level files. */
export function moduleOf(srcDir: string, file: string): string {
  const rel = relative(srcDir, file).split(/[\\/]/);
  return rel.length > 1 ? rel[0]! : rel[0]!.replace(/\.ts$/, '');
}

export function importEdges(srcDir: string): Edge[] {
  const edges: Edge[] = [];
  for (const f of walk(srcDir)) {
    const text = readFileSync(f, 'utf8');
    const re = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
    for (let m; (m = re.exec(text)); ) {
      const spec = m[1] ?? m[2]!;
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(f), spec);
      if (!target.startsWith(resolve(srcDir))) continue;
      edges.push({ from: moduleOf(srcDir, f), to: moduleOf(srcDir, target), file: relative(srcDir, f), spec });
    }
  }
  return edges;
}

export function layerViolations(srcDir: string): string[] {
  const bad: string[] = [];
  const edges = importEdges(srcDir);
  for (const e of edges) {
    if (e.from === e.to || LEAVES.has(e.to)) continue;
    const ok = ALLOWED[e.from];
    if (!ok) {
      bad.push(`${e.file}: module '${e.from}' has no import rule (add it to scripts/layers.ts)`);
      continue;
    }
    if (!ok.includes('*') && !ok.includes(e.to)) bad.push(`${e.file}: '${e.from}' may not import '${e.to}' (${e.spec})`);
  }
  // transitive: verify must not reach construct/certificate through anything
  const adj = new Map<string, Set<string>>();
  for (const e of edges) if (e.from !== e.to) (adj.get(e.from) ?? adj.set(e.from, new Set()).get(e.from)!).add(e.to);
  const seen = new Set<string>(), stack = ['verify'];
  while (stack.length) {
    const x = stack.pop()!;
    for (const y of adj.get(x) ?? []) if (!seen.has(y)) { seen.add(y); stack.push(y); }
  }
  for (const forbidden of ['construct', 'certificate']) if (seen.has(forbidden)) bad.push(`verify reaches '${forbidden}' transitively`);
  return bad;
}

/** Bare package imports (static and dynamic) of a source text: package names, node: builtins excluded. */
export function packageImports(text: string): string[] {
  const out: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let m; (m = re.exec(text)); ) {
    const spec = m[1] ?? m[2] ?? m[3]!;
    if (spec.startsWith('.') || spec.startsWith('node:') || spec.startsWith('/')) continue;
    const parts = spec.split('/');
    out.push(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
  }
  return out;
}

/**
 * The runtime dependencies of package.json are exactly what the runtime code (src/ without
 * tests, bin/) imports: a runtime import of a devDependency (fast-check in a fixture under src/)
 * or of an undeclared package is an error, and so is a dependency nothing imports.
 */
export function dependencyViolations(root: string): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const deps = new Set(Object.keys(pkg.dependencies ?? {}));
  const dev = new Set(Object.keys(pkg.devDependencies ?? {}));
  const files = [...walk(join(root, 'src')), ...readdirSync(join(root, 'bin')).map((f) => join(root, 'bin', f))];
  const used = new Set<string>();
  const bad: string[] = [];
  for (const f of files) {
    for (const p of packageImports(readFileSync(f, 'utf8'))) {
      used.add(p);
      if (!deps.has(p)) bad.push(`${relative(root, f)}: imports '${p}', ${dev.has(p) ? 'a devDependency (move the importing code to a test location, or the package to dependencies)' : 'not in package.json dependencies'}`);
    }
  }
  for (const d of deps) if (!used.has(d)) bad.push(`package.json: dependency '${d}' is imported by no runtime code (src/, bin/): remove it or move it to devDependencies`);
  return bad;
}
