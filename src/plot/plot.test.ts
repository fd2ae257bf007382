/**
 * The figures' one rendering path (vega-lite → vega View → SVG, in Node): every chart builder gives
 * one well-formed SVG document, byte-identical on a second render (deterministic: the committed
 * figures can be compared byte for byte), with escaped text, no NaN/Infinity from values a log
 * axis cannot show, filled markers for fitted points and hollow ones otherwise; a spec error is
 * an error, not a silently broken figure.
 */
import { describe, it, expect } from 'vitest';
import { logLogSvg, lineSvg, heatmapSvg, stackedBarSvg, renderSvg, wrap } from './index.ts';

const wellFormed = (svg: string) => {
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(svg.endsWith('</svg>\n')).toBe(true);
  expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  expect((svg.match(/<g[ >]/g) ?? []).length).toBe((svg.match(/<\/g>/g) ?? []).length);
};

describe('plots through vega', () => {
  const panel = {
    title: 'a <b> & c', xLabel: 'γ', yLabel: 'error',
    series: [
      { name: 'one', points: [0.5, 0.25, 0.125].map((x) => ({ x, y: x * x, used: true })) },
      { name: 'two', points: [0.5, 0.25, 0.125].map((x, i) => ({ x, y: x ** 3, used: i < 2 })) },
      { name: 'bad', points: [{ x: 0.5, y: 0, used: true }, { x: 0.25, y: NaN, used: true }, { x: 0.1, y: 1e-3, used: true }] },
    ],
    threshold: [{ x: 0.5, y: 1e-6 }, { x: 0.125, y: 1e-6 }],
    thresholdLabel: '100× floor',
  };

  it('log–log panels: escaped, deterministic, filled and hollow markers, bad values skipped', async () => {
    const a = await logLogSvg([panel, { ...panel, title: 'second' }], { title: 'T', legend: { one: 'first series' }, caption: 'c'.repeat(300) });
    const b = await logLogSvg([panel, { ...panel, title: 'second' }], { title: 'T', legend: { one: 'first series' }, caption: 'c'.repeat(300) });
    expect(a).toBe(b);
    wellFormed(a);
    expect(a).toContain('a &lt;b&gt; &amp; c');
    expect(a).toContain('first series');
    expect(a).toContain('100× floor');
    expect(a).toContain('stroke-dasharray="5,4"');
    // 2 panels × (3 + 3 + 1 plotted points); hollow ones are white-filled: one per panel
    expect(a.match(/aria-roledescription="point"/g)?.length).toBe(14);
    expect((a.match(/fill="white" stroke="#d62728"/g) ?? []).length).toBe(2);
  });

  it('line, heat map and stacked bars render and are deterministic', async () => {
    const line = () => lineSvg([{ title: 'p', xLabel: 'x', yLabel: 'y', xLog: true, xReversed: true, yRange: [0, 1], series: [{ name: 's', points: [{ x: 1, y: 0.5 }, { x: 0.1, y: 0.2 }] }, { name: 'd', dashed: true, markers: false, points: [{ x: 1, y: 0.1 }, { x: 0.1, y: 0.1 }] }] }], { title: 'L' });
    const heat = () => heatmapSvg([{ title: 'h', values: Float64Array.from([0, 1, 2, 3]), nx: 2, ny: 2, xLabel: 'x', yLabel: 'y', x: [0, 1], y: [0, 1] }], 3, { title: 'H', barLabel: 'v' });
    const bars = () => stackedBarSvg([{ label: 'g1', stack: [{ name: 'a', value: 1 }, { name: 'b', value: 2 }], marks: [{ name: 'obs', value: 1.5 }] }], { title: 'B', yLabel: 'y', reference: { name: 'ε', value: 2.5 } });
    for (const make of [line, heat, bars]) {
      const s = await make();
      wellFormed(s);
      expect(await make()).toBe(s);
    }
    // ids do not depend on what was drawn before in the process (vega's counters are global)
    expect((await line()).match(/id="clip\d+"/g)?.[0]).toBe('id="clip1"');
    // 4 cells, drawn without per-cell aria labels (a 60×60 map would carry 3600)
    const h = await heat();
    expect(h.match(/<path d="M[^"]*Z" fill="rgb\(/g)?.length).toBe(4);
    expect(h).not.toMatch(/aria-roledescription="rect mark"/);
  });

  it('a spec vega-lite warns about is refused (not rendered half-right)', async () => {
    await expect(renderSvg({ data: { values: [{ x: 1 }] }, mark: 'point', encoding: { x: { field: 'x', type: 'quantitative', scale: { type: 'log', zero: true } } } } as never)).rejects.toThrow(/vega-lite: .*zero/);
  });

  it('captions wrap at word boundaries', () => {
    expect(wrap('aa bb cc', 5)).toEqual(['aa bb', 'cc']);
    expect(wrap(undefined)).toEqual([]);
  });
});
