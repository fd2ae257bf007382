/**
 * Tests of expression validation and point compilation (`expr.ts`, `ir.ts`): every rejected
 * class with the column of the offending token; compiled functions against mathjs `evaluate`
 * on random whitelisted trees at random points.
 */
import fc from 'fast-check';
import { all, create } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { UatInputError } from '../errors.ts';
import { TargetExprError, compileExpr, compileIrAll, compileIrPoint, jsNumber, parseExpr } from './expr.ts';
import { TREE_HI, TREE_LO, TREE_VARS, safeTree, unitPoint } from '../../test-support/target-fixtures.ts';
import { decimalIsExact, exactValue, irToMathjs } from './ir.ts';

const ctx = { n: 2, dIn: 2, field: 'f[1][0]' };
/** mathjs with exact comparisons in min/max (see the bound below). */
const math = create(all!, { relTol: 1e-300, absTol: 0 });

function exprError(src: string): TargetExprError {
  try {
    parseExpr(src, ctx);
  } catch (e) {
    if (e instanceof TargetExprError) return e;
    throw e;
  }
  throw new Error(`accepted: ${src}`);
}

describe('parseExpr rejects, naming the field and the column', () => {
  // [class, expression, 1-based column of the offending token, pattern of the reason]
  const cases: [string, string, number, RegExp][] = [
    ['unknown symbol', 'sin(y) + x1_1', 5, /unknown symbol/],
    ['unknown symbol, nested', 'sin(cos(x1_1) + y2)', 17, /found "y2"/],
    ['unit', '5 cm', 3, /unit/],
    ['unit after a product', 'x1_1 * 2 kg', 10, /unit/],
    ['variable token out of range', 'x1_1 + x3_1', 8, /token 3 > n = 2/],
    ['variable feature out of range', 'x1_3', 1, /feature 3 > dIn = 2/],
    ['variable with leading zero', 'x01_1', 1, /leading zeros/],
    ['wrong case constant', '2 * PI', 5, /did you mean pi/],
    ['assignment', 'x1_1 = 2', 6, /assignment/],
    ['function definition', 'g(x) = x^2', 6, /function definitions/],
    ['import', 'import(x1_1)', 1, /found "import"/],
    ['evaluate', 'x1_1 + evaluate(x1_2)', 8, /found "evaluate"/],
    ['parse', 'parse(x1_1)', 1, /unknown or disallowed function/],
    ['unknown function', 'sinh(x1_1)', 1, /found "sinh"/],
    ['calling a variable', 'x1_1(2)', 1, /x1_1 is not a function/],
    ['matrix', 'x1_1 + [1, 2]', 8, /matrices/],
    ['object', '{a: 1}', 1, /objects/],
    ['string', 'x1_1 + "a"', 8, /strings/],
    ['transpose', "x1_1'", 5, /transposes/],
    ['range', '1:3', 2, /ranges/],
    ['conditional', 'x1_1 ? 1 : 2', 6, /conditionals/],
    ['comparison', 'x1_1 < 2', 6, /comparisons/],
    ['equality', 'x1_1 == 2', 6, /assignment|comparisons/],
    ['factorial', 'x1_1!', 5, /factorials/],
    ['property access', 'x1_1.re', 5, /property access/],
    ['element-wise operator', 'x1_1 .* x1_2', 6, /element-wise/],
    ['index', 'x1_1[1]', 5, /indexing/],
    ['mod keyword', 'x1_1 mod 2', 6, /operator "mod"/],
    ['percent', 'x1_1 % 2', 6, /percent/],
    ['logical and', 'x1_1 and x1_2', 6, /operator "and"/],
    ['logical not', 'not x1_1', 1, /operator "not"/],
    ['unit conversion', 'x1_1 to cm', 6, /operator "to"/],
    ['bitwise', 'x1_1 & 1', 6, /bitwise/],
    ['implicit product of variables', 'x1_1 x1_2', 6, /implicit multiplication/],
    ['implicit product with a function', '2 sin(x1_1)', 3, /implicit multiplication/],
    ['implicit product with parentheses', '2(x1_1 + 1)', 2, /implicit multiplication/],
    ['implicit product right of /', 'x1_2/2x1_1', 7, /ambiguous/],
    ['implicit product after ^', '3^2x1_1', 4, /implicit multiplication/],
    ['min arity', 'min(x1_1)', 1, /at least 2 arguments, found "1 argument"/],
    ['max arity', 'x1_1 + max()', 8, /at least 2 arguments/],
    ['pow arity', 'pow(x1_1, 2, 3)', 1, /pow\(…\) with 2 arguments, found "3 arguments"/],
    ['log arity', 'log(x1_1, 2)', 1, /log\(…\) with 1 argument/],
    ['sin arity', 'sin(x1_1, x1_2)', 1, /sin\(…\) with 1 argument/],
    ['overflowing literal', 'x1_1 + 1e999', 8, /overflows/],
    ['Infinity', 'x1_1 + Infinity', 8, /NaN and Infinity/],
    ['NaN', 'NaN', 1, /NaN and Infinity/],
    ['boolean', 'x1_1 + true', 8, /constant true/],
    ['hex literal', '0x10 + x1_1', 1, /hexadecimal/],
    ['several statements', 'x1_1; x1_2', 5, /only one expression/],
    ['newline', 'x1_1\nx1_2', 5, /one line/],
    ['comment', 'x1_1 # note', 6, /comments/],
    ['non-ASCII', 'x1_1 + α', 8, /ASCII/],
    ['empty', '', 1, /non-empty/],
    ['syntax: unclosed', 'sin(x1_1', 9, /syntax error/],
    ['syntax: two numbers', '2 3', 3, /syntax error/],
    ['syntax: dangling operator', 'x1_1 +', 7, /syntax error/],
  ];
  for (const [what, src, column, reason] of cases) {
    it(`${what}: ${JSON.stringify(src)} at column ${column}`, () => {
      const e = exprError(src);
      expect(e).toBeInstanceOf(UatInputError);
      expect(e.field).toBe('f[1][0]');
      expect(e.column).toBe(column);
      expect(e.message).toContain(`at column ${column} of ${JSON.stringify(src)}`);
      expect(e.message.startsWith('f[1][0]: expected ')).toBe(true);
      expect(e.message).toMatch(reason);
    });
  }

  it('refuses non-strings and overlong input', () => {
    expect(() => parseExpr(3 as unknown as string, ctx)).toThrow(/f\[1\]\[0\]: expected an expression string, found 3/);
    expect(() => parseExpr('x1_1+'.repeat(30000) + '1', ctx)).toThrow(/at most 100000 characters/);
    expect(() => parseExpr('('.repeat(300) + 'x1_1' + ')'.repeat(300), ctx)).toThrow(/nesting depth/);
  });
});

describe('parseExpr accepts the whitelist', () => {
  const ok: [string, number[]][] = [
    ['sin(x1_1 - x2_1) * x1_1', [0, 2]],
    ['2x1_1 + 2 x1_2 + 3pi - -2x2_1^2', [0, 1, 2]],
    ['.5 * 1e-3 + 1.e2 + e + pi', []],
    ['+x2_2 - (-(x2_1))', [2, 3]],
    ['pow(x1_1, 2) + x1_1^-2 + 2^x1_2', [0, 1]],
    ['min(x1_1, x1_2, 1) + max(x2_1, 0) + abs(tanh(x2_2)) + log(exp(x1_1)) + sqrt(abs(tan(x1_1)))', [0, 1, 2, 3]],
    ['\tx1_1 +  x1_2 ', [0, 1]],
  ];
  for (const [src, vars] of ok) {
    it(JSON.stringify(src), () => {
      const p = parseExpr(src, ctx);
      expect(p.vars).toEqual(vars);
    });
  }

  it('reads x<i>_<c> at (i−1)·dIn + (c−1) and implicit products as products', () => {
    const f = compileExpr('x1_1 + 10*x1_2 + 100*x2_1 + 1000*x2_2 - 2x2_2', ctx);
    expect(f(new Float64Array([1, 2, 3, 4]))).toBe(1 + 20 + 300 + 4000 - 8);
  });

  it('decides exactness of literals', () => {
    expect(decimalIsExact('0.5', 0.5)).toBe(true);
    expect(decimalIsExact('0.25e1', 2.5)).toBe(true);
    expect(decimalIsExact('1e22', 1e22)).toBe(true);
    expect(decimalIsExact('1e23', 1e23)).toBe(false);
    expect(decimalIsExact('0.1', 0.1)).toBe(false);
    expect(decimalIsExact('.1e1', 1)).toBe(true);
    expect(decimalIsExact('0.1000000000000000055511151231257827021181583404541015625', 0.1)).toBe(true);
    expect(decimalIsExact('5e-324', 5e-324)).toBe(false);
    expect(decimalIsExact('0', 0)).toBe(true);
    expect(exactValue(parseExpr('(3 - 1) * 0.5 / 4', ctx).ir)).toBe(0.25);
    expect(exactValue(parseExpr('0.1 * 10', ctx).ir)).toBeUndefined();
  });

  it('prints numbers as round-trip JavaScript literals', () => {
    for (const v of [0, -0, 1.5, -2, 1e-300, 5e-324, 1.7976931348623157e308, 0.1]) {
      const back = new Function(`return ${jsNumber(v)};`)() as number;
      expect(Object.is(back, v)).toBe(true);
    }
  });
});

describe('compiled functions equal mathjs evaluate', () => {
  // Bound: the generated code performs the tree's IEEE operations in the tree's order with the
  // same library calls mathjs uses for numbers (Math.sin, Math.pow, …), so results agree
  // exactly — provided mathjs' min/max compare exactly: by default they treat arguments within
  // relTol = 1e-12 as equal and may return the smaller one (seen: max(-2, -2 + 1.5e-13)), so the
  // reference instance uses relTol = 1e-300 (mathjs refuses 0). We allow 4 ulps (relative
  // 4·2^-52) per node of the tree, relative to max(1, |value|); the observed difference is
  // reported and is 0 in practice.
  it('on random trees at random points', () => {
    let worst = 0;
    let exact = 0;
    let total = 0;
    fc.assert(
      fc.property(safeTree, fc.array(unitPoint(4), { minLength: 8, maxLength: 8 }), (src, pts) => {
        const p = parseExpr(src, ctx);
        const f = compileIrPoint(p.ir);
        const g = math.compile(src);
        for (const u of pts) {
          const x = Float64Array.from(u, (t) => TREE_LO + t * (TREE_HI - TREE_LO));
          const scope = Object.fromEntries(TREE_VARS.map((v, k) => [v, x[k]!]));
          const want = g.evaluate(scope) as number;
          const got = f(x);
          expect(typeof want).toBe('number');
          const bound = 4 * p.size * 2 ** -52 * Math.max(1, Math.abs(want));
          const diff = Math.abs(got - want);
          total++;
          if (Object.is(got, want)) exact++;
          else worst = Math.max(worst, diff / bound);
          expect(diff).toBeLessThanOrEqual(bound);
        }
      }),
      { seed: 42, numRuns: 400 },
    );
    console.log(`compiled vs mathjs: ${exact}/${total} bit-identical; worst difference ${worst} of the bound`);
  });

  it('evalAll (one function, shared subexpressions) equals the per-entry functions', () => {
    fc.assert(
      fc.property(fc.array(safeTree, { minLength: 3, maxLength: 3 }), unitPoint(4), (srcs, u) => {
        const irs = srcs.map((s) => parseExpr(s, ctx).ir);
        const all = compileIrAll([...irs, irs[0]!]);
        const x = Float64Array.from(u, (t) => TREE_LO + t * (TREE_HI - TREE_LO));
        const out = new Float64Array(4);
        all(x, out);
        irs.forEach((ir, k) => expect(Object.is(out[k], compileIrPoint(ir)(x))).toBe(true));
        expect(Object.is(out[3], out[0])).toBe(true);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('IR printing round-trips through mathjs', () => {
    fc.assert(
      fc.property(safeTree, unitPoint(4), (src, u) => {
        const p = parseExpr(src, ctx);
        const q = parseExpr(irToMathjs(p.ir), ctx);
        const x = Float64Array.from(u, (t) => TREE_LO + t * (TREE_HI - TREE_LO));
        expect(Object.is(compileIrPoint(q.ir)(x), compileIrPoint(p.ir)(x))).toBe(true);
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
