/**
 * `npm run check:layers`: fails (exit 1) when an import crosses a boundary of docs/design.md, runtime
 * code imports a package that is not a runtime dependency (or a dependency goes unused), or a
 * file or function is over the size budget (scripts/size-budget.ts; exceptions only shrink).
 */
import { resolve } from 'node:path';
import { layerViolations, dependencyViolations } from './layers.ts';
import { sizeViolations, loadExceptions, MAX_FILE_LINES, MAX_FUNCTION_LINES } from './size-budget.ts';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const bad = [...layerViolations(resolve(ROOT, 'src')), ...dependencyViolations(ROOT)];
const size = sizeViolations(ROOT, loadExceptions(ROOT));
if (bad.length) console.error('import boundary and dependency violations:\n' + bad.map((b) => '  ' + b).join('\n'));
if (size.length) console.error(`size budget (files ≤ ${MAX_FILE_LINES} lines, functions ≤ ${MAX_FUNCTION_LINES}; scripts/size-exceptions.json):\n` + size.map((b) => '  ' + b).join('\n'));
if (bad.length || size.length) process.exit(1);
console.log('import boundaries: ok; size budget: ok');
