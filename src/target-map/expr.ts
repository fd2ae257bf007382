/**
 * Target expressions: parsing with mathjs, validation of the tree against a whitelist (with the
 * column of the offending token), conversion to the IR (`ir.ts`), and compilation of the IR into
 * plain JavaScript functions by code generation (`new Function`), not by mathjs `compile`.
 *
 * Allowed syntax (also in `src/target-map/README.md`):
 * - finite decimal number literals (`2`, `0.5`, `.5`, `1e-3`); no hex/binary/octal literals;
 * - variables `x<i>_<c>`, 1-based token `i` (1 ≤ i ≤ n) and feature `c` (1 ≤ c ≤ dIn), written
 *   without leading zeros;
 * - constants `pi` (π) and `e` (Euler's number);
 * - binary `+ - * / ^`, unary `-` and `+`, parentheses;
 * - functions `sin cos tan exp log sqrt abs tanh` (one argument; `log` is the natural log),
 *   `pow(a, b)`, `min(a, b, …)` and `max(a, b, …)` (at least two arguments);
 * - implicit multiplication ONLY as `<number><variable or constant>`, optionally with a power on
 *   the right: `2x1_1`, `2 x1_1`, `3pi`, `-2x1_1`, `2x1_1^2`. Not as an operand of `^` and not as
 *   the right operand of `/` (mathjs reads `y/2x` as `y/(2x)` but `1/2x` as `(1/2)x`): write `*`.
 * Everything else is refused: unknown symbols (mathjs would read `5 cm` as a unit), assignment,
 * function definitions, strings, matrices, objects, ranges, conditionals, comparisons, logical
 * and bitwise operators, `mod`, `%`, factorial, transpose, property access and indexing,
 * several statements, comments.
 *
 * Positions. mathjs nodes carry no reliable source positions, so this file tokenizes the source
 * itself (mirroring mathjs' lexical rules for the characters it allows) and walks the mathjs tree
 * in source order (in-order: left operand, operator, right operand; function name, "(", args,
 * ")") with a cursor in the token list; every node then knows its first token, and every error
 * names the 1-based column of the offending token. Characters that cannot occur in an allowed
 * expression are refused by the tokenizer with their column. If the walk ever disagrees with the
 * token list (it should not), the column falls back to a search of the source text.
 */
import { parse as mathParse, Unit } from 'mathjs';
import { UatInputError, described } from '../errors.ts';
import { type FnName, type Ir, collectVars, decimalIsExact, irSize } from './ir.ts';

/** Functions allowed in target expressions, with their minimum and maximum arity. */
export const ALLOWED_FUNCTIONS: Readonly<Record<string, readonly [number, number]>> = Object.freeze({
  sin: [1, 1],
  cos: [1, 1],
  tan: [1, 1],
  exp: [1, 1],
  log: [1, 1],
  sqrt: [1, 1],
  abs: [1, 1],
  tanh: [1, 1],
  pow: [2, 2],
  min: [2, Infinity],
  max: [2, Infinity],
});

/** Named constants allowed in target expressions: `pi` = π, `e` = Euler's number. */
export const ALLOWED_CONSTANTS: readonly string[] = Object.freeze(['pi', 'e']);

/**
 * Limits (src/target-map/README.md, "Limits"): the longest accepted expression text; the deepest
 * nesting (parentheses, function calls, powers, unary signs and operands of a different operator
 * each open a level, while a flat chain `a + b − c + …` or `a * b / c * …` is one level however
 * long); and the depth of the expression tree itself, where each term of a chain counts (the tree
 * is binary and left-deep, as mathjs builds it, so that the compiled code performs mathjs'
 * operations in mathjs' order), which bounds the recursion of every later stage.
 */
export const MAX_EXPR_LENGTH = 100_000;
export const MAX_EXPR_DEPTH = 200;
export const MAX_TREE_DEPTH = 1000;

/** Context of one expression: the target's sizes and the field path used in errors. */
export interface ExprContext {
  readonly n: number;
  readonly dIn: number;
  /** Field path for errors, e.g. `f[1][0]`. */
  readonly field: string;
}

/** Characters of an expression echoed in an error: all of a short one, else a window around the column. */
export const ECHO_CHARS = 120;

/** The expression as quoted in errors: at most ECHO_CHARS characters around `column` (1-based), marked … where cut. */
export function exprExcerpt(source: string, column: number): string {
  if (source.length <= ECHO_CHARS) return JSON.stringify(source);
  const start = Math.max(0, Math.min(column - 1 - ECHO_CHARS / 2, source.length - ECHO_CHARS));
  const end = start + ECHO_CHARS;
  return `${start > 0 ? '…' : ''}${JSON.stringify(source.slice(start, end))}${end < source.length ? '…' : ''} (${source.length} characters)`;
}

/** A UatInputError about an expression, with the 1-based column of the offending token. */
export class TargetExprError extends UatInputError {
  readonly column: number;
  readonly source: string;
  constructor(field: string, expected: string, found: unknown, column: number, source: string, reason?: string) {
    super(field, expected, found, `${reason ? reason + '; ' : ''}at column ${column} of ${exprExcerpt(source, column)}`);
    this.column = column;
    this.source = source;
  }
}

/** A validated expression. */
export interface ParsedExpr {
  readonly source: string;
  readonly ir: Ir;
  /** Sorted flat indices of the variables it uses. */
  readonly vars: readonly number[];
  /** Number of IR nodes. */
  readonly size: number;
}

// ---------------------------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------------------------

interface Tok {
  readonly t: 'num' | 'id' | 'op';
  readonly s: string;
  /** 0-based offset. */
  readonly pos: number;
}

const FORBIDDEN: Record<string, string> = {
  '=': 'assignment and function definitions are not allowed',
  '<': 'comparisons are not allowed',
  '>': 'comparisons are not allowed',
  '[': 'matrices, arrays and indexing are not allowed',
  ']': 'matrices, arrays and indexing are not allowed',
  '{': 'objects are not allowed',
  '}': 'objects are not allowed',
  '"': 'strings are not allowed',
  "'": 'strings and transposes are not allowed',
  ':': 'ranges are not allowed',
  '?': 'conditionals are not allowed',
  '!': 'factorials and comparisons are not allowed',
  '%': 'percent and modulo are not allowed',
  ';': 'only one expression is allowed',
  '\n': 'only one expression (one line) is allowed',
  '\r': 'only one expression (one line) is allowed',
  '#': 'comments are not allowed',
  '&': 'logical and bitwise operators are not allowed',
  '|': 'logical and bitwise operators are not allowed',
  '~': 'logical and bitwise operators are not allowed',
  '.': 'property access and element-wise operators are not allowed',
};

const EXPECTED_TOKEN = 'a number, a variable x<i>_<c>, pi, e, an operator + - * / ^, a parenthesis or an allowed function';

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isIdStart = (c: string | undefined): boolean =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$');
const isIdPart = (c: string | undefined): boolean => isIdStart(c) || isDigit(c);

function tokenize(src: string, field: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === '.' && isDigit(src[i + 1]))) {
      if (c === '0' && /[xXbBoO]/.test(src[i + 1] ?? '') && /[0-9a-fA-F]/.test(src[i + 2] ?? '')) {
        throw new TargetExprError(field, 'a decimal number literal', src.slice(i, i + 3), i + 1, src,
          'hexadecimal, binary and octal literals are not allowed');
      }
      while (isDigit(src[i])) i++;
      if (src[i] === '.') {
        i++;
        while (isDigit(src[i])) i++;
      }
      if ((src[i] === 'e' || src[i] === 'E') && (isDigit(src[i + 1]) || src[i + 1] === '+' || src[i + 1] === '-')) {
        i++;
        if (src[i] === '+' || src[i] === '-') i++;
        while (isDigit(src[i])) i++;
      }
      toks.push({ t: 'num', s: src.slice(start, i), pos: start });
      continue;
    }
    if (isIdStart(c)) {
      while (isIdPart(src[i])) i++;
      toks.push({ t: 'id', s: src.slice(start, i), pos: start });
      continue;
    }
    if ('+-*/^(),'.includes(c)) {
      // '.*', './', '.^' start with '.', refused below; '==', '!=' etc. start with refused chars.
      toks.push({ t: 'op', s: c, pos: i });
      i++;
      continue;
    }
    const reason = FORBIDDEN[c] ?? (c.charCodeAt(0) > 126 ? 'only ASCII characters are allowed' : 'unexpected character');
    throw new TargetExprError(field, EXPECTED_TOKEN, c, i + 1, src, reason);
  }
  return toks;
}

// ---------------------------------------------------------------------------------------------
// Validation walk: mathjs tree + token cursor → IR
// ---------------------------------------------------------------------------------------------

/** The parts of mathjs nodes we read (mathjs' own types are too generic to be useful here). */
interface RawNode {
  readonly type: string;
  readonly value?: unknown;
  readonly name?: string;
  readonly fn?: unknown;
  readonly op?: string;
  readonly implicit?: boolean;
  readonly args?: readonly RawNode[];
  readonly content?: RawNode;
}

const VAR_RE = /^x([1-9][0-9]*)_([1-9][0-9]*)$/;
const OPERATOR_FN: Record<string, 'add' | 'sub' | 'mul' | 'div' | 'pow'> = {
  add: 'add',
  subtract: 'sub',
  multiply: 'mul',
  divide: 'div',
  pow: 'pow',
};
const OPERATOR_TEXT: Record<string, string> = { add: '+', subtract: '-', multiply: '*', divide: '/', pow: '^' };

const NODE_KIND: Record<string, string> = {
  AssignmentNode: 'assignment',
  FunctionAssignmentNode: 'a function definition',
  ArrayNode: 'a matrix or array',
  ObjectNode: 'an object',
  RangeNode: 'a range',
  ConditionalNode: 'a conditional',
  RelationalNode: 'a comparison',
  AccessorNode: 'property or index access',
  IndexNode: 'indexing',
  BlockNode: 'several statements',
};

type Parent = 'none' | 'divRight' | 'powOperand' | 'other';

class Walker {
  private i = 0;
  private lost = false;
  private depth = 0;
  private treeDepth = 0;
  constructor(
    private readonly src: string,
    private readonly toks: readonly Tok[],
    private readonly ctx: ExprContext,
  ) {}

  /** 1-based column of the token at the cursor (or of `hint` in the source when lost). */
  private col(hint?: string): number {
    if (!this.lost) {
      const t = this.toks[this.i];
      return t ? t.pos + 1 : this.src.length + 1;
    }
    if (hint) {
      const re = new RegExp(`(^|[^A-Za-z0-9_$])${hint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
      const m = re.exec(this.src);
      if (m) return m.index + m[1]!.length + 1;
    }
    return 1;
  }

  private fail(expected: string, found: unknown, reason?: string, hint?: string): never {
    throw new TargetExprError(this.ctx.field, expected, found, this.col(hint), this.src, reason);
  }

  /** Consume the token at the cursor if it matches; otherwise mark the walk as lost. */
  private take(t: Tok['t'], s?: string): Tok | undefined {
    if (this.lost) return undefined;
    const tok = this.toks[this.i];
    if (tok && tok.t === t && (s === undefined || tok.s === s)) {
      this.i++;
      return tok;
    }
    this.lost = true;
    return undefined;
  }

  private curText(): string | undefined {
    return this.lost ? undefined : this.toks[this.i]?.s;
  }

  finish(): void {
    if (!this.lost && this.i !== this.toks.length) this.lost = true;
  }

  /** `chain`: `node` continues a flat chain of its parent's operator class (no new nesting level). */
  walk(node: RawNode, parent: Parent, chain = false): Ir {
    const level = chain ? 0 : 1;
    this.depth += level;
    this.treeDepth++;
    try {
      if (this.depth > MAX_EXPR_DEPTH) this.fail(`nesting depth at most ${MAX_EXPR_DEPTH}`, described('a deeper expression'));
      if (this.treeDepth > MAX_TREE_DEPTH)
        this.fail(`an expression tree of depth at most ${MAX_TREE_DEPTH} (e.g. a sum of at most ${MAX_TREE_DEPTH} terms)`, described('a deeper tree'));
      return this.walkInner(node, parent);
    } finally {
      this.depth -= level;
      this.treeDepth--;
    }
  }

  private walkInner(node: RawNode, parent: Parent): Ir {
    const { n, dIn } = this.ctx;
    switch (node.type) {
      case 'ParenthesisNode': {
        this.take('op', '(');
        const ir = this.walk(node.content!, 'none');
        this.take('op', ')');
        return ir;
      }
      case 'ConstantNode': {
        const v = node.value;
        const text = this.curText();
        if (typeof v !== 'number') {
          this.fail('a finite number literal', text ?? v, `the constant ${String(v)} is not allowed`, String(v));
        }
        if (!Number.isFinite(v)) {
          const word = text !== undefined && /^[A-Za-z]/.test(text);
          this.fail('a finite number literal', text ?? v,
            word ? 'NaN and Infinity are not allowed' : 'the literal overflows a double', text);
        }
        const tok = this.take('num');
        if (!tok) return { k: 'num', v, exact: Number.isInteger(v) && Math.abs(v) <= 2 ** 53 };
        return { k: 'num', v, exact: decimalIsExact(tok.s, v) };
      }
      case 'SymbolNode': {
        const name = node.name ?? '';
        const m = VAR_RE.exec(name);
        if (m) {
          const i = Number(m[1]);
          const c = Number(m[2]);
          if (i > n || c > dIn) {
            this.fail(
              `a variable x<i>_<c> with 1 ≤ i ≤ ${n} and 1 ≤ c ≤ ${dIn}`,
              name,
              i > n ? `token ${i} > n = ${n}` : `feature ${c} > dIn = ${dIn}`,
              name,
            );
          }
          this.take('id', name);
          return { k: 'var', idx: (i - 1) * dIn + (c - 1), name };
        }
        if (name === 'pi' || name === 'e') {
          this.take('id', name);
          return { k: name };
        }
        this.fail(
          `a variable x<i>_<c> (1 ≤ i ≤ ${n}, 1 ≤ c ≤ ${dIn}), pi or e`,
          name,
          symbolHint(name),
          name,
        );
      }
      case 'FunctionNode': {
        const fnNode = node.fn as RawNode | undefined;
        if (!fnNode || fnNode.type !== 'SymbolNode') {
          this.fail('a call of an allowed function by name', this.curText(), 'only named functions can be called');
        }
        const name = fnNode.name ?? '';
        const arity = Object.prototype.hasOwnProperty.call(ALLOWED_FUNCTIONS, name) ? ALLOWED_FUNCTIONS[name] : undefined;
        if (!arity) {
          const reason = VAR_RE.test(name) || name === 'pi' || name === 'e'
            ? `${name} is not a function (write * to multiply)`
            : 'unknown or disallowed function';
          this.fail(`one of the functions ${Object.keys(ALLOWED_FUNCTIONS).join(', ')}`, name, reason, name);
        }
        const args = node.args ?? [];
        if (args.length < arity[0] || args.length > arity[1]) {
          const want = arity[0] === arity[1] ? `${arity[0]}` : `at least ${arity[0]}`;
          this.fail(`${name}(…) with ${want} argument${arity[0] === 1 && arity[1] === 1 ? '' : 's'}`,
            `${args.length} argument${args.length === 1 ? '' : 's'}`, undefined, name);
        }
        this.take('id', name);
        this.take('op', '(');
        const irs: Ir[] = [];
        args.forEach((a, k) => {
          if (k > 0) this.take('op', ',');
          irs.push(this.walk(a, 'none'));
        });
        this.take('op', ')');
        if (name === 'pow') return { k: 'pow', a: irs[0]!, b: irs[1]! };
        return { k: 'fn', f: name as FnName, args: irs };
      }
      case 'OperatorNode': {
        const args = node.args ?? [];
        const fnName = typeof node.fn === 'string' ? node.fn : '';
        if (args.length === 1) {
          if (fnName === 'unaryMinus' || fnName === 'unaryPlus') {
            this.take('op', fnName === 'unaryMinus' ? '-' : '+');
            const a = this.walk(args[0]!, 'other');
            return fnName === 'unaryMinus' ? { k: 'neg', a } : a;
          }
          this.fail('unary - or +', this.curText() ?? node.op, `the operator ${JSON.stringify(node.op)} is not allowed`, node.op);
        }
        if (args.length !== 2) this.fail('a unary or binary operator', node.op, undefined, node.op);
        const kind = OPERATOR_FN[fnName];
        const leftCtx: Parent = kind === 'pow' ? 'powOperand' : 'other';
        const rightCtx: Parent = kind === 'pow' ? 'powOperand' : kind === 'div' ? 'divRight' : 'other';
        const left = args[0]!;
        const cls = (k: string | undefined) => (k === 'add' || k === 'sub' ? 'sum' : k === 'mul' || k === 'div' ? 'product' : undefined);
        const chain = cls(kind) !== undefined && left.type === 'OperatorNode' && !left.implicit && (left.args?.length ?? 0) === 2 &&
          cls(OPERATOR_FN[typeof left.fn === 'string' ? left.fn : '']) === cls(kind);
        const a = this.walk(left, leftCtx, chain);
        if (!kind) {
          this.fail('an operator + - * / ^', this.curText() ?? node.op, `the operator ${JSON.stringify(node.op)} is not allowed`, node.op);
        }
        if (node.implicit) {
          const okLeft = isNumberLiteral(args[0]!);
          const okRight = isSymbolOrPowerOfSymbol(args[1]!);
          if (kind !== 'mul' || !okLeft || !okRight) {
            this.fail("an explicit '*'", this.curText() ?? 'an implicit multiplication',
              'implicit multiplication is only allowed as <number><variable or constant>, e.g. 2x1_1');
          }
          if (parent === 'divRight' || parent === 'powOperand') {
            this.fail("an explicit '*'", this.curText() ?? 'an implicit multiplication',
              parent === 'divRight'
                ? 'an implicit product right of / is ambiguous (mathjs reads y/2x as y/(2x)); write the * explicitly'
                : 'an implicit product next to ^ is ambiguous; write the * explicitly');
          }
        } else {
          this.take('op', OPERATOR_TEXT[fnName]);
        }
        const b = this.walk(args[1]!, rightCtx);
        return { k: kind, a, b };
      }
      default: {
        const what = NODE_KIND[node.type] ?? `a ${node.type}`;
        this.fail(EXPECTED_TOKEN, this.curText() ?? node.type, `${what} is not allowed`);
      }
    }
  }
}

function isNumberLiteral(node: RawNode): boolean {
  if (node.type === 'ConstantNode') return true;
  return node.type === 'OperatorNode' && node.fn === 'unaryMinus' && node.args?.[0]?.type === 'ConstantNode';
}

function isSymbolOrPowerOfSymbol(node: RawNode): boolean {
  if (node.type === 'SymbolNode') return true;
  return node.type === 'OperatorNode' && node.fn === 'pow' && !node.implicit && node.args?.[0]?.type === 'SymbolNode';
}

function symbolHint(name: string): string {
  if (Object.prototype.hasOwnProperty.call(ALLOWED_FUNCTIONS, name)) return `${name} is a function: call it as ${name}(…)`;
  const lower = name.toLowerCase();
  if (lower === 'pi' || lower === 'e') return `unknown symbol; did you mean ${lower}?`;
  if (/^x\d+_\d+$/.test(name)) return 'variables are written without leading zeros, e.g. x1_1';
  if (/^x\d+$/.test(name)) return 'variables are written x<token>_<feature>, e.g. x1_1';
  let unit = false;
  try {
    unit = Unit.isValuelessUnit(name);
  } catch {
    unit = false;
  }
  return unit ? 'unknown symbol (mathjs would read it as a unit)' : 'unknown symbol';
}

/**
 * Parses and validates one expression against the whitelist and the target's sizes; returns its
 * IR. Throws a TargetExprError (a UatInputError) naming `ctx.field` and the column.
 */
export function parseExpr(source: unknown, ctx: ExprContext): ParsedExpr {
  if (typeof source !== 'string') throw new UatInputError(ctx.field, 'an expression string', source);
  if (source.length > MAX_EXPR_LENGTH) {
    throw new UatInputError(ctx.field, `an expression of at most ${MAX_EXPR_LENGTH} characters`, `${source.length} characters`);
  }
  const toks = tokenize(source, ctx.field);
  if (toks.length === 0) throw new TargetExprError(ctx.field, 'a non-empty expression', source, 1, source);
  let node: RawNode;
  try {
    node = mathParse(source) as unknown as RawNode;
  } catch (e) {
    if (e instanceof RangeError) {
      throw new UatInputError(ctx.field, `nesting depth at most ${MAX_EXPR_DEPTH}`, 'a deeper expression');
    }
    const err = e as { message?: string; char?: number };
    const column = typeof err.char === 'number' && err.char >= 1 ? err.char : 1;
    const msg = (err.message ?? String(e)).replace(/\s*\(char \d+\)\s*$/, '');
    const at = toks.find((t) => t.pos + 1 >= column);
    throw new TargetExprError(ctx.field, 'a syntactically valid expression', at ? at.s : undefined, column, source,
      `syntax error: ${msg}`);
  }
  const w = new Walker(source, toks, ctx);
  const ir = w.walk(node, 'none');
  w.finish();
  const vars = [...collectVars(ir, new Set())].sort((a, b) => a - b);
  return { source, ir, vars, size: irSize(ir) };
}

// ---------------------------------------------------------------------------------------------
// Point code generation
// ---------------------------------------------------------------------------------------------

/** JavaScript literal for a double (round-trip exact; `-0` kept). */
export function jsNumber(v: number): string {
  if (Object.is(v, -0)) return '(-0)';
  if (v < 0) return `(${String(v)})`;
  return String(v);
}

const MATH_FN: Record<FnName, string> = {
  sin: 'Math.sin',
  cos: 'Math.cos',
  tan: 'Math.tan',
  exp: 'Math.exp',
  log: 'Math.log',
  sqrt: 'Math.sqrt',
  abs: 'Math.abs',
  tanh: 'Math.tanh',
  min: 'Math.min',
  max: 'Math.max',
};

/**
 * Straight-line code for several IR roots with common-subexpression sharing: every distinct
 * subexpression (by its generated text) gets one `const`. The operations are exactly those of
 * the tree, in its order, so results are bit-identical to evaluating the tree node by node with
 * the same floating-point operations. Returns the body lines and the JS expression of each root.
 */
export class PointEmitter {
  readonly lines: string[] = [];
  private readonly memo = new Map<string, string>();
  private count = 0;
  constructor(private readonly xName = 'x') {}

  private temp(code: string): string {
    const hit = this.memo.get(code);
    if (hit) return hit;
    const t = `t${this.count++}`;
    this.lines.push(`const ${t} = ${code};`);
    this.memo.set(code, t);
    return t;
  }

  private readonly byNode = new WeakMap<Ir, string>();

  /** The JS expression of `ir` (once per node object: trees may share subtrees). */
  emit(ir: Ir): string {
    let t = this.byNode.get(ir);
    if (t === undefined) {
      t = this.emitNode(ir);
      this.byNode.set(ir, t);
    }
    return t;
  }

  private emitNode(ir: Ir): string {
    switch (ir.k) {
      case 'num':
        return jsNumber(ir.v);
      case 'pi':
        return 'Math.PI';
      case 'e':
        return 'Math.E';
      case 'var':
        return this.temp(`${this.xName}[${ir.idx}]`);
      case 'neg':
        return this.temp(`-${this.emit(ir.a)}`);
      case 'sgn':
        return this.temp(`Math.sign(${this.emit(ir.a)})`);
      case 'fn':
        return this.temp(`${MATH_FN[ir.f]}(${ir.args.map((a) => this.emit(a)).join(', ')})`);
      case 'pow':
        return this.temp(`Math.pow(${this.emit(ir.a)}, ${this.emit(ir.b)})`);
      case 'add':
        return this.temp(`${this.emit(ir.a)} + ${this.emit(ir.b)}`);
      case 'sub':
        return this.temp(`${this.emit(ir.a)} - ${this.emit(ir.b)}`);
      case 'mul':
        return this.temp(`${this.emit(ir.a)} * ${this.emit(ir.b)}`);
      case 'div':
        return this.temp(`${this.emit(ir.a)} / ${this.emit(ir.b)}`);
    }
  }
}

/** Compiled point function of one expression: `x[(i−1)·dIn + (c−1)]` is `x<i>_<c>`. */
export type PointFn = (x: Float64Array) => number;
/** Compiled point function of all entries: writes entry k to `out[k]`. */
export type EvalAllFn = (x: Float64Array, out: Float64Array) => void;

/** Compiles one IR tree into `(x) => number`. */
export function compileIrPoint(ir: Ir): PointFn {
  const em = new PointEmitter('x');
  const r = em.emit(ir);
  const body = `'use strict';\nreturn function pointFn(x) {\n${em.lines.join('\n')}\nreturn ${r};\n};`;
  return new Function(body)() as PointFn;
}

/** Compiles several IR trees into one `(x, out) => void` writing tree k to `out[k]`. */
export function compileIrAll(irs: readonly Ir[]): EvalAllFn {
  const em = new PointEmitter('x');
  const outs = irs.map((ir) => em.emit(ir));
  const body =
    `'use strict';\nreturn function evalAll(x, out) {\n${em.lines.join('\n')}\n` +
    outs.map((r, k) => `out[${k}] = ${r};`).join('\n') +
    '\n};';
  return new Function(body)() as EvalAllFn;
}

/** Parses, validates and compiles one expression (see `parseExpr`). */
export function compileExpr(source: string, ctx: ExprContext): PointFn {
  return compileIrPoint(parseExpr(source, ctx).ir);
}
