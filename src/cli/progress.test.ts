/**
 * Progress that tells the truth (util.ts `progress`, `statusLine`), driven with a fake stream and a
 * fake clock: off a terminal the first update is printed at once, then one line every interval
 * (never more often), and `stop()` always prints a final line with the last count and its total; a
 * count is never printed above its total; on a terminal the bar ends in the same final line.
 */
import { describe, it, expect } from 'vitest';
import { progress, statusLine } from './util.ts';

function fake(tty: boolean) {
  let text = '';
  let t = 0;
  return {
    stream: { isTTY: tty, columns: 100, write: (s: string) => ((text += s), true), cursorTo() {}, clearLine() {}, moveCursor() {}, on() {}, removeListener() {} },
    now: () => t,
    advance: (ms: number) => (t += ms),
    get text() {
      return text;
    },
    lines: () => text.split('\n').filter((l) => l !== ''),
  };
}

/** every `a/b` count in a text, as [a, b] */
const counts = (s: string) => [...s.matchAll(/(\d+)\/(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])] as const);

describe('progress off a terminal', () => {
  it('first update at once, periodic lines every 2 s, a final line with the total', () => {
    const f = fake(false);
    const bar = progress('building neurons', 9598, { stream: f.stream, now: f.now });
    // 10 s of work in 1 ms steps of 1 neuron each (at most 9598)
    for (let d = 0; d < 9598; d++) {
      bar.update(d);
      f.advance(10_000 / 9598);
    }
    bar.update(9598);
    bar.stop();
    const lines = f.lines();
    expect(lines[0]).toBe('building neurons: 0/9598');
    // 10 s at one line per 2 s: the first, four or five periodic ones, the final one
    const periodic = lines.slice(1, -1);
    expect(periodic.length).toBeGreaterThanOrEqual(4);
    expect(periodic.length).toBeLessThanOrEqual(5);
    const at = periodic.map((l) => Number(/: (\d+)\//.exec(l)![1]));
    for (let k = 1; k < at.length; k++) expect(at[k]! - at[k - 1]!).toBeGreaterThanOrEqual(Math.floor((2000 * 9598) / 10_000) - 1);
    expect(lines[lines.length - 1]).toBe('building neurons: 9598/9598 — done in 10.0 s');
    for (const [a, b] of counts(f.text)) expect(a).toBeLessThanOrEqual(b);
  });

  it('a short phase still gets its final line (the bug: only "14/9598" was printed)', () => {
    const f = fake(false);
    const bar = progress('building neurons', 9598, { stream: f.stream, now: f.now });
    bar.update(14);
    f.advance(300);
    bar.update(9598);
    bar.stop();
    bar.stop(); // idempotent
    expect(f.lines()).toEqual(['building neurons: 14/9598', 'building neurons: 9598/9598 — done in 0.3 s']);
  });

  it('an interrupted phase says so; a count above the total raises the total; a new total is taken', () => {
    const f = fake(false);
    const bar = progress('sampling g', 81, { stream: f.stream, now: f.now, intervalMs: 0 });
    bar.update(40);
    bar.update(324); // more work than announced: never printed as 324/81
    bar.update(100, 'phase two', 400);
    bar.stop();
    expect(f.lines()).toEqual(['sampling g: 40/81', 'sampling g: 324/324', 'sampling g: 100/400 phase two', 'sampling g: 100/400 phase two — stopped in 0.0 s']);
  });

  it('quiet prints nothing', () => {
    const f = fake(false);
    const bar = progress('x', 3, { stream: f.stream, quiet: true });
    bar.update(1);
    bar.stop();
    expect(f.text).toBe('');
    // the old signature still works: progress(label, total, quiet)
    const q = progress('x', 3, true);
    q.update(1);
    q.stop();
  });
});

describe('progress on a terminal', () => {
  it('the bar never shows a count above its total and ends in a final line', () => {
    const f = fake(true);
    const bar = progress('claims', 10, { stream: f.stream, now: f.now });
    for (let d = 0; d <= 10; d++) {
      bar.update(d, `checking claim ${d}`);
      f.advance(700);
    }
    bar.stop();
    for (const [a, b] of counts(f.text)) expect(a).toBeLessThanOrEqual(b);
    expect(f.text).toContain('claims: 10/10 checking claim 10 — done in 7.7 s\n');
  });
});

describe('statusLine', () => {
  it('off a terminal: the first status, one every 2 s, and always the last one as final', () => {
    const f = fake(false);
    const s = statusLine('verify', { stream: f.stream, now: f.now });
    s.update('UB 4.76 boxes 1');
    for (let k = 2; k <= 30; k++) {
      f.advance(250);
      s.update(`UB ${(4.76 / k).toFixed(3)} boxes ${k}`);
    }
    s.update('UB 0.160 boxes 331');
    s.stop();
    const lines = f.lines();
    expect(lines[0]).toBe('verify: UB 4.76 boxes 1');
    expect(lines.length).toBeGreaterThanOrEqual(4); // 7.25 s: first, three periodic, final
    expect(lines.length).toBeLessThanOrEqual(6);
    expect(lines[lines.length - 1]).toBe('verify: UB 0.160 boxes 331 (final)');
  });

  it('on a terminal: rewritten in place, the final state kept on its own line', () => {
    const f = fake(true);
    const s = statusLine('verify', { stream: f.stream, now: f.now });
    s.update('UB 1');
    s.update('UB 0.5');
    s.stop();
    expect(f.text).toBe('\r\x1b[2Kverify: UB 1\r\x1b[2Kverify: UB 0.5\r\x1b[2Kverify: UB 0.5 (final)\n');
  });
});
