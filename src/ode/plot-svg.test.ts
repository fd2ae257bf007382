/** Unit tests of the hand-written log–log SVG. */
import { describe, it, expect } from 'vitest';
import { logLogSvg } from './plot-svg.ts';

describe('logLogSvg', () => {
  const panel = {
    title: 'a <b> & c', xLabel: 'γ', yLabel: 'error',
    series: [
      { name: 'one', points: [0.5, 0.25, 0.125].map((x) => ({ x, y: x * x, used: true })) },
      { name: 'two', points: [0.5, 0.25, 0.125].map((x, i) => ({ x, y: x ** 3, used: i < 2 })) },
    ],
    threshold: [{ x: 0.5, y: 1e-6 }, { x: 0.125, y: 1e-6 }],
    thresholdLabel: '100× floor',
  };
  const svg = logLogSvg([panel, { ...panel, title: 'second' }], { title: 'T', legend: { one: 'first series' } });

  it('is one well-formed svg document with escaped text', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('a &lt;b&gt; &amp; c');
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    // every opened <g> is closed
    expect((svg.match(/<g[ >]/g) ?? []).length).toBe((svg.match(/<\/g>/g) ?? []).length);
  });

  it('draws every point (hollow when left out of the fit), the legend and decade labels', () => {
    expect((svg.match(/<circle /g) ?? []).length).toBe(2 * 6 + 2); // 2 panels × 6 points + 2 legend markers
    expect((svg.match(/fill="white" stroke=/g) ?? []).length).toBe(2); // one hollow point per panel
    expect(svg).toContain('first series');
    expect(svg).toContain('>two<');
    expect(svg).toContain('10⁻³');
    expect(svg).toContain('stroke-dasharray');
  });

  it('skips non-positive and non-finite values instead of emitting NaN coordinates', () => {
    const s = logLogSvg([{ ...panel, series: [{ name: 'z', points: [{ x: 0.5, y: 0, used: true }, { x: 0.25, y: NaN, used: true }, { x: 0.1, y: 1e-3, used: true }] }] }]);
    expect(s).not.toMatch(/NaN|Infinity/);
  });
});
