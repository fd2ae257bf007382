/**
 * Node 20 is enough, as the README says: every package of the lockfile (what `npm ci` installs)
 * accepts, in its `engines.node`, both the oldest Node our own `engines` admits (20.19.0, which
 * vite 8 and rolldown already need) and the Node running the tests — so `npm ci` prints no
 * EBADENGINE warning on Node 20 — and the lockfile is the one package.json asks for. The check is
 * shown not vacuous on a package that wants Node 22.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import semver from 'semver';

const root = new URL('..', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  engines: { node: string }; dependencies: Record<string, string>; devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: unknown; dev?: boolean; optional?: boolean }>;
};

/** Lockfile packages whose engines.node rejects one of `nodes` ("path version range"). */
function engineMismatches(packages: typeof lock.packages, nodes: string[]): string[] {
  const bad: string[] = [];
  for (const [path, p] of Object.entries(packages)) {
    if (path === '') continue;
    const e = p.engines as { node?: unknown } | undefined;
    const range = e && typeof e === 'object' && !Array.isArray(e) ? e.node : undefined;
    if (typeof range !== 'string') continue;
    for (const v of nodes) if (!semver.satisfies(v, range)) bad.push(`${path} ${p.version}: engines.node "${range}" rejects Node ${v}`);
  }
  return bad;
}

describe('Node 20 engines', () => {
  const oldest = semver.minVersion(pkg.engines.node)!.version;

  it('our engines promise Node 20; every installed package accepts it and the running Node', () => {
    expect(semver.major(oldest)).toBe(20);
    const nodes = [oldest, ...(semver.major(process.version) === 20 ? [process.version] : [])];
    expect(engineMismatches(lock.packages, nodes)).toEqual([]);
    const withEngines = Object.values(lock.packages).filter((p) => typeof (p.engines as { node?: unknown } | undefined)?.node === 'string').length;
    expect(withEngines).toBeGreaterThan(50);
  });

  it('the lockfile holds exactly the pinned versions package.json asks for', () => {
    expect(lock.packages['']!.engines).toEqual(pkg.engines);
    for (const [name, want] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
      expect(semver.valid(want), `${name}: pin an exact version`).toBe(want);
      expect(lock.packages[`node_modules/${name}`]?.version, name).toBe(want);
    }
  });

  it('is not vacuous: a package that needs Node 22 (e.g. vega-lite 6.5, mermaid 12) is reported', () => {
    const bad = engineMismatches({ 'node_modules/vega-lite': { version: '6.5.0', engines: { node: '>=22' } } }, [oldest]);
    expect(bad).toEqual([`node_modules/vega-lite 6.5.0: engines.node ">=22" rejects Node ${oldest}`]);
  });
});
