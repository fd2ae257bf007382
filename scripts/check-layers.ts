/** `npm run check:layers`: fails (exit 1) when an import crosses a boundary of docs/design.md. */
import { layerViolations } from './layers.ts';
const bad = layerViolations(new URL('../src', import.meta.url).pathname);
if (bad.length) {
  console.error('import boundary violations:\n' + bad.map((b) => '  ' + b).join('\n'));
  process.exit(1);
}
console.log('import boundaries: ok');
