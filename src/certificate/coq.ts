/**
 * `certificate.v`: a certificate as a Coq file that a reviewer re-checks with coqc against the
 * library of proofs/coq (`npm run check:formal -- --certificate DIR/certificate.v`).
 *
 * Every number of the certificate is a float64, i.e. an exact dyadic rational m·2^e; it is written
 * exactly as `Dy m e` (proofs/coq/Dyadic.v), never rounded. The file proves, per entry (i, c):
 *  - each real-arithmetic term's formula, evaluated exactly at the certificate's inputs, is at most
 *    the certified value: `lem:fk-trig` L·√m·sin(π/(2N+4)) by the `interval` tactic; `lem:ridge-pl`
 *    h²/8·S (one global h) or Σ|c_ν|·h_ν²/8 (per-ν pairs) and the truncation Σ|c_ν| by exact dyadic
 *    arithmetic (vm_compute); the leak β·π·W by `interval`;
 *  - the values (plus the float term and any term without a formal counterpart, taken as given)
 *    sum to at most the entry's total, and the total is at most ε;
 *  - and, instantiating ThmMain.thm_main_certified, that every construction meeting the lemma
 *    hypotheses with these parameters is within ε − E_float of f at (i, c) in real arithmetic.
 * What it does not check: that the certificate's inputs (L, S, the pairs) are the construction's
 * (they are hypotheses of the final theorem), and the float term (prose, proofs/thm-main.md).
 *
 * The terms it reads, by label (values from `perEntry[i][c]`; `[n][dOut]` = one per entry):
 *  - `lem:fk-trig` (required): inputs `L` ([n][dOut] or one number), `m` (= n·dIn), `N` (integer ≥ 1);
 *  - `lem:ridge-pl…` (required, first label starting so): either `h` (one number, the largest knot step)
 *    and `S` ([n][dOut], ≥ Σ|c_ν|), or `pairs` ([n][dOut] lists of [|c_ν|, h_ν], one per kept ν), or
 *    `groups` ([n][dOut] lists of [h, S], the construction's: S = Σ|c_ν| over the group's ridges, h ≥
 *    each of their steps); a group enters the Coq list as the pair (S, h), whose term S·h²/8 bounds
 *    the group's Σ|c_ν|·h_ν²/8 — that this grouping is the construction's is a hypothesis like the rest;
 *  - `lem:truncation` (or any term with an input `dropped` or `droppedSum`): `dropped` ([n][dOut] lists
 *    of the dropped c_ν) or `droppedSum` ([n][dOut], ≥ Σ|c_ν| over the dropped ν, entering the list as
 *    one number); absent ⇒ nothing is dropped;
 *  - `lem:routing`: `routing` `'inverse'` (value 0) or `'leak'` with `lambda` and `weight` ([n][dOut],
 *    π·Σ_ν |c_ν|·Σ_k |ν_k|·R̃_k, π included);
 *  - `lem:gating`: value 0; `G` and `Gmin` (numbers) give the lemma G_min < G;
 *  - any other label (today `float`): its value is an addend taken as given (Vfl), never dropped.
 * Pure: certificate → text, deterministic.
 * @see proofs/coq/ThmMain.v
 */
import type { Certificate, CertificateTerm } from './index.ts';
import { UatInputError } from '../errors.ts';
import { binary64Parts } from '../float.ts';

/** The exact dyadic m·2^e of a finite float64 (m odd or 0). */
export function dyadic(x: number): { m: bigint; e: number } {
  if (!Number.isFinite(x)) throw new UatInputError('certificate number', 'a finite number', x);
  if (x === 0) return { m: 0n, e: 0 };
  let { m, e } = binary64Parts(x);
  while ((m & 1n) === 0n) {
    m >>= 1n;
    e += 1;
  }
  return { m, e };
}

/** `(Dy m e)` for a float64, exact. */
export function dyText(x: number): string {
  const { m, e } = dyadic(x);
  const z = (v: bigint | number) => (v < 0 ? `(${v})` : `${v}`);
  return `(Dy ${z(m)} ${z(e)})`;
}

/** Per-entry access to a term input that is either one number or an `[n][dOut]` array. */
function entryNumber(v: unknown, i: number, c: number, path: string): number {
  const x = Array.isArray(v) ? (v as unknown[][])[i]?.[c] : v;
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new UatInputError(path, 'a finite number (or [n][dOut] of them)', x);
  return x;
}

/** An `[n][dOut][k]` list input (per-ν pairs or dropped coefficients) at one entry. */
function entryList(v: unknown, i: number, c: number, path: string): unknown[] {
  const x = (v as unknown[][] | undefined)?.[i]?.[c];
  if (!Array.isArray(x)) throw new UatInputError(path, 'an [n][dOut] array of lists', x);
  return x;
}

/** Whether the ridge term is per ν (`pairs`) or per group of ridges (`groups`), rather than one global h. */
const hasPairs = (t: CertificateTerm): boolean => Array.isArray(t.inputs.pairs) || Array.isArray(t.inputs.groups);

/** The (|c|, h) pairs of one entry: `pairs` as given, or each group [h, S] as the pair (S, h). */
function plPairs(t: CertificateTerm, i: number, c: number): [number, number][] {
  const isGroups = !Array.isArray(t.inputs.pairs);
  const key = isGroups ? 'groups' : 'pairs';
  return entryList(t.inputs[key], i, c, `terms[${t.label}].inputs.${key}`).map((q, k) => {
    const pr = q as unknown[], at = (j: number) => entryNumber(pr[j], 0, 0, `terms[${t.label}].inputs.${key}[${i}][${c}][${k}][${j}]`);
    return isGroups ? [at(1), at(0)] : [at(0), at(1)];
  });
}

/** The dropped coefficients of one entry: `dropped` as a list, or `droppedSum` as one number. */
function truncationList(t: CertificateTerm | undefined, i: number, c: number): number[] {
  if (!t) return [];
  if (t.inputs.droppedSum !== undefined) return [entryNumber(t.inputs.droppedSum, i, c, `terms[${t.label}].inputs.droppedSum`)];
  return entryList(t.inputs.dropped, i, c, `terms[${t.label}].inputs.dropped`).map((d, k) => entryNumber(d, 0, 0, `terms[${t.label}].inputs.dropped[${i}][${c}][${k}]`));
}

interface Shape { n: number; dIn: number; dOut: number; m: number }

/** What the file needs of each term kind; unknown labels become given addends. */
interface Plan {
  fk: CertificateTerm;
  pl: CertificateTerm;
  trunc?: CertificateTerm;
  routing?: CertificateTerm;
  gating?: CertificateTerm;
  extra: CertificateTerm[];
  leak: boolean;
}

function planTerms(cert: Certificate): Plan {
  let fk: CertificateTerm | undefined, pl: CertificateTerm | undefined, trunc, routing, gating;
  const extra: CertificateTerm[] = [];
  for (const t of cert.terms) {
    if (t.label === 'lem:fk-trig') fk = t;
    else if (t.label.startsWith('lem:ridge-pl') && !pl) pl = t;
    else if (t.label === 'lem:truncation' || (t.inputs && ('dropped' in t.inputs || 'droppedSum' in t.inputs))) trunc = t;
    else if (t.label === 'lem:routing') routing = t;
    else if (t.label === 'lem:gating') gating = t;
    else extra.push(t);
  }
  if (!fk) throw new UatInputError('certificate.terms', 'a lem:fk-trig term', cert.terms.map((t) => t.label).join(', '));
  if (!pl) throw new UatInputError('certificate.terms', 'a lem:ridge-pl term', cert.terms.map((t) => t.label).join(', '));
  const leak = routing?.inputs?.routing === 'leak';
  return { fk, pl, trunc, routing, gating, extra, leak };
}

const name = (base: string, i: number, c: number) => `${base}_${i}_${c}`;

/** The definitions of one entry: the inputs and the certified values, exactly. */
function entryDefinitions(p: Plan, cert: Certificate, i: number, c: number): string[] {
  const out: string[] = [];
  const def = (nm: string, ty: string, body: string) => out.push(`Definition ${nm} : ${ty} := ${body}.`);
  const val = (t: CertificateTerm | undefined) => (t ? dyText(entryNumber(t.perEntry, i, c, `terms[${t.label}].perEntry`)) : '(Dy 0 0)');
  def(name('L', i, c), 'dy', dyText(entryNumber(p.fk.inputs.L, i, c, 'terms[lem:fk-trig].inputs.L')));
  if (hasPairs(p.pl)) {
    const pairs = plPairs(p.pl, i, c).map(([a, h]) => `(${dyText(a)}, ${dyText(h)})`);
    def(name('PLpairs', i, c), 'list (dy * dy)', `[${pairs.join('; ')}]`);
    def(name('PL', i, c), 'pl_cert', `PlPerNu (map D2R2 ${name('PLpairs', i, c)})`);
  } else {
    def(name('S', i, c), 'dy', dyText(entryNumber(p.pl.inputs.S, i, c, `terms[${p.pl.label}].inputs.S`)));
    def(name('h', i, c), 'dy', dyText(entryNumber(p.pl.inputs.h, i, c, `terms[${p.pl.label}].inputs.h`)));
    def(name('PL', i, c), 'pl_cert', `PlGlobal (D2R ${name('h', i, c)}) (D2R ${name('S', i, c)})`);
  }
  def(name('TRlist', i, c), 'list dy', `[${truncationList(p.trunc, i, c).map(dyText).join('; ')}]`);
  def(name('TR', i, c), 'list R', `map D2R ${name('TRlist', i, c)}`);
  // the certificate's `weight` is π·Σ_ν |c_ν|·Σ_k |ν_k|·R̃_k (π included)
  if (p.leak) def(name('Wpi', i, c), 'dy', dyText(entryNumber(p.routing!.inputs.weight, i, c, 'terms[lem:routing].inputs.weight')));
  def(name('Vfk', i, c), 'dy', val(p.fk));
  def(name('Vpl', i, c), 'dy', val(p.pl));
  def(name('Vtr', i, c), 'dy', val(p.trunc));
  def(name('Vrt', i, c), 'dy', val(p.routing));
  def(name('Vg', i, c), 'dy', val(p.gating));
  def(name('Vfl', i, c), 'dy', `dy_sum [${p.extra.map(val).join('; ')}]`);
  def(name('Tot', i, c), 'dy', dyText(entryNumber(cert.totalPerEntry, i, c, 'certificate.totalPerEntry')));
  return out;
}

/** The numeric lemmas of one entry. */
function entryLemmas(p: Plan, s: Shape, N: number, i: number, c: number): string[] {
  const e = (b: string) => name(b, i, c);
  const ivl = 'cbn [dm de]; interval with (i_prec 120)';
  const out = [
    `Lemma ${e('fk')} : fk_trig_term (D2R ${e('L')}) (n_tokens * d_in) ${N} <= D2R ${e('Vfk')}.`,
    `Proof. change (n_tokens * d_in)%nat with ${s.m}%nat. unfold fk_trig_term, D2R, ${e('L')}, ${e('Vfk')}. ${ivl}. Qed.`,
    `Lemma ${e('pl')} : pl_cert_value ${e('PL')} <= D2R ${e('Vpl')}.`,
    hasPairs(p.pl)
      ? `Proof. unfold pl_cert_value, ${e('PL')}. apply check_pl_nu. vm_compute. reflexivity. Qed.`
      : `Proof. unfold pl_cert_value, ${e('PL')}. apply check_pl_global. vm_compute. reflexivity. Qed.`,
    `Lemma ${e('tr')} : truncation_term ${e('TR')} <= D2R ${e('Vtr')}.`,
    `Proof. unfold ${e('TR')}. apply check_trunc. vm_compute. reflexivity. Qed.`,
  ];
  if (p.leak) {
    out.push(
      `Lemma ${e('rt')} : routing_leak_term n_tokens (D2R lambda) (D2R ${e('Wpi')} / PI) <= D2R ${e('Vrt')}.`,
      `Proof. unfold routing_leak_term, routing_leak_factor, n_tokens, D2R, lambda, ${e('Wpi')}, ${e('Vrt')}. ${ivl}. Qed.`,
    );
  } else {
    out.push(`Lemma ${e('rt')} : 0 <= D2R ${e('Vrt')}.`, `Proof. rewrite <- D2R_zero. apply check_le. vm_compute. reflexivity. Qed.`);
  }
  out.push(
    `Lemma ${e('g')} : 0 <= D2R ${e('Vg')}.`,
    `Proof. rewrite <- D2R_zero. apply check_le. vm_compute. reflexivity. Qed.`,
    `Lemma ${e('fl')} : 0 <= D2R ${e('Vfl')}.`,
    `Proof. rewrite <- D2R_zero. apply check_le. vm_compute. reflexivity. Qed.`,
    `Lemma ${e('sum')} : D2R ${e('Vfk')} + D2R ${e('Vpl')} + D2R ${e('Vtr')} + D2R ${e('Vrt')} + D2R ${e('Vg')} + D2R ${e('Vfl')} <= D2R ${e('Tot')}.`,
    `Proof.`,
    `  pose proof (check_sum [${['Vfk', 'Vpl', 'Vtr', 'Vrt', 'Vg', 'Vfl'].map(e).join('; ')}] ${e('Tot')} ltac:(vm_compute; reflexivity)) as H.`,
    `  simpl in H. lra.`,
    `Qed.`,
    `Lemma ${e('tot')} : D2R ${e('Tot')} <= D2R bound.`,
    `Proof. apply check_le. vm_compute. reflexivity. Qed.`,
  );
  return out;
}

/** The hypotheses shared by the entry theorems and the final one (before the per-entry ones). */
function commonHyps(p: Plan): string[] {
  return [
    'cn_n C = n_tokens', 'cn_din C = d_in', 'cn_dout C = d_out', `cn_inverse C = ${p.leak ? 'false' : 'true'}`,
    ...(p.leak ? ['cn_lam C = D2R lambda'] : []), 'construction_ok C',
  ];
}

/** The theorem of one entry, an instance of ThmMain.thm_main_certified. */
function entryTheorem(p: Plan, N: number, i: number, c: number): string[] {
  const e = (b: string) => name(b, i, c);
  const hyps = [
    ...commonHyps(p), `fk_data C f ${i} ${c} (D2R ${e('L')}) ${N}`, `pl_binds C ${i} ${c} ${e('PL')}`, `trunc_binds C ${i} ${c} ${e('TR')}`,
    ...(p.leak ? [`PI * cn_leak_weight C ${i} ${c} <= D2R ${e('Wpi')}`] : []),
  ];
  const names = ['Hn', 'Hd', 'Hdo', 'Hinv', ...(p.leak ? ['Hlam'] : []), 'Hok', 'Hfk', 'Hpl', 'Htr', ...(p.leak ? ['HW'] : [])];
  return [
    `Theorem ${e('entry')} (C : construction) (f : nat -> nat -> (nat -> nat -> R) -> R) :`,
    `  ${hyps.join(' ->\n  ')} ->`,
    `  forall X, cn_in_box C X -> Rabs (cn_out C ${i} ${c} X - f ${i}%nat ${c}%nat X) <= D2R bound - D2R ${e('Vfl')}.`,
    `Proof.`,
    `  intros ${names.join(' ')}.`,
    `  pose proof (fk_entry_of_data C f ${i} ${c} _ _ (proj1 (proj2 (proj2 Hok))) Hfk) as Hfk'.`,
    `  apply thm_main_certified with (L := D2R ${e('L')}) (N := ${N}%nat) (p := ${e('PL')}) (dropped := ${e('TR')})`,
    `    (W := ${p.leak ? `D2R ${e('Wpi')} / PI` : '0'}) (Vfk := D2R ${e('Vfk')}) (Vpl := D2R ${e('Vpl')}) (Vtr := D2R ${e('Vtr')})`,
    `    (Vrt := D2R ${e('Vrt')}) (Vg := D2R ${e('Vg')}) (Vfl := D2R ${e('Vfl')}) (total := D2R ${e('Tot')}); try assumption.`,
    `  - rewrite Hn. unfold n_tokens. lia.`,
    `  - rewrite Hdo. unfold d_out. lia.`,
    p.leak ? `  - intros _. apply leak_weight_pi. exact HW.` : `  - intros H. rewrite Hinv in H. discriminate.`,
    `  - rewrite Hn, Hd. exact ${e('fk')}.`,
    `  - exact ${e('pl')}.`,
    `  - exact ${e('tr')}.`,
    p.leak ? `  - rewrite Hinv, Hn, Hlam. exact ${e('rt')}.` : `  - rewrite Hinv. exact ${e('rt')}.`,
    `  - exact ${e('g')}.`,
    `  - exact ${e('fl')}.`,
    `  - exact ${e('sum')}.`,
    `  - exact ${e('tot')}.`,
    `Qed.`,
  ];
}

/** `match i, c with …` over the entries, for the final theorem's per-entry data. */
function entryMatch(s: Shape, fn: string, ty: string, base: string, dflt: string): string {
  const arms: string[] = [];
  for (let i = 0; i < s.n; i++) for (let c = 0; c < s.dOut; c++) arms.push(`  | ${i}%nat, ${c}%nat => ${name(base, i, c)}`);
  return `Definition ${fn} (i c : nat) : ${ty} :=\n  match i, c with\n${arms.join('\n')}\n  | _, _ => ${dflt}\n  end.`;
}

/** The final theorem: every entry, by cases on (i, c). */
function finalTheorem(p: Plan, s: Shape): string[] {
  const hyps = [
    ...commonHyps(p), 'forall i c, (i < n_tokens)%nat -> (c < d_out)%nat',
    'fk_data C f i c (D2R (L_of i c)) (N_of i c)', 'pl_binds C i c (PL_of i c)', 'trunc_binds C i c (TR_of i c)',
    ...(p.leak ? ['PI * cn_leak_weight C i c <= D2R (Wpi_of i c)'] : []),
  ];
  const common = ['Hn', 'Hd', 'Hdo', 'Hinv', ...(p.leak ? ['Hlam'] : []), 'Hok'];
  const out = [
    `Theorem certificate_holds (C : construction) (f : nat -> nat -> (nat -> nat -> R) -> R) :`,
    `  ${hyps.join(' ->\n  ')} ->`,
    `  forall X, cn_in_box C X -> Rabs (cn_out C i c X - f i c X) <= D2R bound - D2R (Vfl_of i c).`,
    `Proof.`,
    `  intros ${common.join(' ')} i c Hi Hc. unfold n_tokens, d_out in Hi, Hc.`,
  ];
  for (let i = 0; i < s.n; i++) {
    out.push(`  destruct i as [|i].`, `  { clear Hi.`);
    for (let c = 0; c < s.dOut; c++)
      out.push(`    destruct c as [|c]; [exact (${name('entry', i, c)} C f ${common.join(' ')})|].`);
    out.push(`    exfalso. lia. }`);
  }
  out.push(`  exfalso. lia.`, `Qed.`);
  return out;
}

function header(cert: Certificate, p: Plan, withinEps: boolean): string[] {
  const given = p.extra.map((t) => t.label).join(', ') || 'nothing';
  return [
    `(** certificate.v — generated by uat ${cert.tool.version} from certificate.json; re-check with`,
    `    npm run check:formal -- --certificate <this file>   (coqc against the library proofs/coq).`,
    `    target ${JSON.stringify(cert.target.name).replace(/\*\)/g, '* )')}, sha256 ${cert.target.sha256}`,
    `    weights ${cert.weights.file}, sha256 ${cert.weights.sha256}`,
    `    Every number is the certificate's float64, written exactly as Dy m e = m·2^e.`,
    `    Proved here, per entry (i, c): each term's formula at the certificate's inputs is at most its`,
    `    certified value; the values sum to at most the entry's total; the total is at most ${withinEps ? 'ε' : 'the certificate total (it EXCEEDS ε: withinEps is false)'};`,
    `    hence (ThmMain.thm_main_certified, lem:fk-trig by ThmMainFk.fk_entry_of_data) every construction`,
    `    meeting the hypotheses with these inputs is within ${withinEps ? 'ε' : 'that total'} − E_float of f at (i, c), in real arithmetic.`,
    `    Taken as given (no formal counterpart; their sum is Vfl per entry): ${given}.`,
    `    That the inputs (L, S or the (|c_ν|, h_ν) pairs, the dropped |c_ν|${p.leak ? ', the weight π·W' : ''}) are the construction's is a`,
    `    hypothesis of the theorems (fk_data, pl_binds, trunc_binds${p.leak ? ', cn_leak_weight' : ''}). *)`,
  ];
}

/** The certificate as a Coq file (see the module comment). */
export function certificateToCoq(cert: Certificate): string {
  const p = planTerms(cert);
  const s: Shape = { n: cert.target.n, dIn: cert.target.dIn, dOut: cert.target.dOut, m: cert.target.n * cert.target.dIn };
  const m = p.fk.inputs.m;
  if (m !== s.m) throw new UatInputError('terms[lem:fk-trig].inputs.m', `n·dIn = ${s.m}`, m);
  // N: one degree, or one per entry ([n][dOut])
  const N = (i: number, c: number) => {
    const v = entryNumber(p.fk.inputs.N, i, c, 'terms[lem:fk-trig].inputs.N');
    if (!Number.isInteger(v) || v < 1) throw new UatInputError('terms[lem:fk-trig].inputs.N', 'an integer ≥ 1', v);
    return v;
  };
  const withinEps = cert.total <= cert.eps;
  const lines = [
    ...header(cert, p, withinEps),
    'From Coq Require Import Reals ZArith List Lra Lia.',
    'From Interval Require Import Tactic.',
    'From Uat Require Import Terms Dyadic ThmMain ThmMainFk.',
    'Import ListNotations.',
    'Open Scope R_scope.',
    '',
    `Definition n_tokens : nat := ${s.n}.`,
    `Definition d_in : nat := ${s.dIn}.`,
    `Definition d_out : nat := ${s.dOut}.`,
    `Definition eps : dy := ${dyText(cert.eps)}.`,
    `Definition total : dy := ${dyText(cert.total)}.`,
    `(** the bound the theorems conclude: ${withinEps ? 'ε' : 'the certificate total (above ε)'} *)`,
    `Definition bound : dy := ${withinEps ? 'eps' : 'total'}.`,
  ];
  if (p.leak) lines.push(`Definition lambda : dy := ${dyText(entryNumber(p.routing!.inputs.lambda, 0, 0, 'terms[lem:routing].inputs.lambda'))}.`);
  if (withinEps) lines.push('', 'Lemma total_le_eps : D2R total <= D2R eps.', 'Proof. apply check_le. vm_compute. reflexivity. Qed.');
  if (p.gating && typeof p.gating.inputs.G === 'number' && typeof p.gating.inputs.Gmin === 'number') {
    lines.push('', '(** lem:gating: the gate G is above the threshold G_min of every neuron. *)',
      `Lemma gate_above_threshold : D2R ${dyText(p.gating.inputs.Gmin)} < D2R ${dyText(p.gating.inputs.G)}.`,
      'Proof. apply check_lt. vm_compute. reflexivity. Qed.');
  }
  for (let i = 0; i < s.n; i++)
    for (let c = 0; c < s.dOut; c++) {
      lines.push('', `(** ** Entry (${i}, ${c}) *)`, ...entryDefinitions(p, cert, i, c), ...entryLemmas(p, s, N(i, c), i, c), ...entryTheorem(p, N(i, c), i, c));
    }
  lines.push('', '(** ** Every entry *)',
    entryMatch(s, 'L_of', 'dy', 'L', 'dy_zero'), entryMatch(s, 'PL_of', 'pl_cert', 'PL', 'PlPerNu nil'),
    entryMatch(s, 'TR_of', 'list R', 'TR', 'nil'), entryMatch(s, 'Vfl_of', 'dy', 'Vfl', 'dy_zero'));
  if (p.leak) lines.push(entryMatch(s, 'Wpi_of', 'dy', 'Wpi', 'dy_zero'));
  lines.push(`Definition N_of (i c : nat) : nat :=\n  match i, c with\n${Array.from({ length: s.n * s.dOut }, (_, q) => `  | ${Math.floor(q / s.dOut)}%nat, ${q % s.dOut}%nat => ${N(Math.floor(q / s.dOut), q % s.dOut)}`).join('\n')}\n  | _, _ => 1\n  end.`);
  lines.push(...finalTheorem(p, s), '');
  return lines.join('\n');
}
