(** * [def:model] in real arithmetic, at the generality the proofs need (proofs/def-model.md).

    A token matrix is a function from token index to row, a row a function nat → R; only the
    tokens 0 … n−1 are read. The per-token maps (embedding, the q/k/v projections, W_O, the FFN of
    any depth, LayerNorm, the readout) are arbitrary functions of one row — the affine and ReLU
    maps of docs/math.md §1 are instances. Attention: scores τ·⟨q(z_i), k(z_j)⟩ over d_k
    coordinates, softmax over j < n, weighted sum of the values; W_O reads the heads' outputs. *)
Require Import Reals Lra Lia.
Require Import Uat.Sums.
Open Scope R_scope.

Definition Row := nat -> R.
Definition Mat := nat -> Row.

(** Softmax over [0, n) and the attention-weighted sum Σ_j softmax(s)_j · v_j. *)
Definition softmax (n : nat) (s : nat -> R) (j : nat) : R := exp (s j) / rsum (fun k => exp (s k)) n.
Definition attend (n : nat) (s : nat -> R) (v : nat -> R) : R := rsum (fun j => softmax n s j * v j) n.

Definition rowwise (phi : Row -> Row) (Z : Mat) : Mat := fun i => phi (Z i).
Definition madd (Z W : Mat) : Mat := fun i c => Z i c + W i c.
Definition mscale (s : R) (Z : Mat) : Mat := fun i c => s * Z i c.
Definition dot (d : nat) (u v : Row) : R := rsum (fun k => u k * v k) d.

(** One head with projections q, k, v (row maps), d_k and scale τ. *)
Definition head (n dk : nat) (tau : R) (q k v : Row -> Row) (Z : Mat) : Mat :=
  fun i c => attend n (fun j => tau * dot dk (q (Z i)) (k (Z j))) (fun j => v (Z j) c).

(** Multi-head attention: W_O (a row map) reads the concatenated heads, given as head ↦ row. *)
Definition mha (n dk : nat) (tau : R) (q k v : nat -> Row -> Row) (wo : (nat -> Row) -> Row) (Z : Mat) : Mat :=
  fun i => wo (fun hh => head n dk tau (q hh) (k hh) (v hh) Z i).

Inductive LNPlace := LNNone | LNPre | LNPost.
Inductive Layout := Standard | Macaron.

(** A residual sublayer Z ↦ Z + s·F(Z), Z + s·F(LN Z) or LN(Z + s·F(Z)). *)
Definition sublayer (p : LNPlace) (ln : Row -> Row) (s : R) (F : Mat -> Mat) (Z : Mat) : Mat :=
  match p with
  | LNNone => madd Z (mscale s (F Z))
  | LNPre => madd Z (mscale s (F (rowwise ln Z)))
  | LNPost => rowwise ln (madd Z (mscale s (F Z)))
  end.

(** The parameters of a layer: [embed] is x_i ↦ W_E x_i + b_E (+ P_i when positions are on, via
    [pos]); FFN, FFN_a, FFN_b any row maps (one or more hidden ReLU layers). *)
Record Layer := mk_layer {
  ly_layout : Layout;
  ly_ln : LNPlace;
  ly_embed : Row -> Row;
  ly_pos : nat -> Row;            (** P_i; the zero row when positions are off *)
  ly_dk : nat;
  ly_tau : R;
  ly_q : nat -> Row -> Row;
  ly_k : nat -> Row -> Row;
  ly_v : nat -> Row -> Row;
  ly_wo : (nat -> Row) -> Row;
  ly_ffn : Row -> Row;            (** standard: FFN; macaron: FFN_b *)
  ly_ffn_a : Row -> Row;          (** macaron only *)
  ly_ln1 : Row -> Row;
  ly_ln2 : Row -> Row;
  ly_ln3 : Row -> Row;
  ly_readout : Row -> Row
}.

Definition embed (n : nat) (P : Layer) (X : Mat) : Mat :=
  fun i c => ly_embed P (X i) c + ly_pos P i c.

Definition layer_mha (n : nat) (P : Layer) : Mat -> Mat :=
  mha n (ly_dk P) (ly_tau P) (ly_q P) (ly_k P) (ly_v P) (ly_wo P).

(** T(X) for the two layouts of docs/math.md §1. *)
Definition layer (n : nat) (P : Layer) (X : Mat) : Mat :=
  let Z := embed n P X in
  let Zl :=
    match ly_layout P with
    | Standard =>
        sublayer (ly_ln P) (ly_ln2 P) 1 (rowwise (ly_ffn P))
          (sublayer (ly_ln P) (ly_ln1 P) 1 (layer_mha n P) Z)
    | Macaron =>
        sublayer (ly_ln P) (ly_ln3 P) (1 / 2) (rowwise (ly_ffn P))
          (sublayer (ly_ln P) (ly_ln2 P) 1 (layer_mha n P)
             (sublayer (ly_ln P) (ly_ln1 P) (1 / 2) (rowwise (ly_ffn_a P)) Z))
    end in
  rowwise (ly_readout P) Zl.

(** Positions off: P = 0. *)
Definition no_positions (P : Layer) : Prop := forall i c, ly_pos P i c = 0.

(** ** Facts (a) and (b) of def:model *)

(** LayerNorm before the affine map: u = (z − z̄·1)/√(var z + ε_LN) over D coordinates. *)
Definition ln_mean (D : nat) (z : Row) : R := rsum z D / INR D.
Definition ln_var (D : nat) (z : Row) : R := rsum (fun j => (z j - ln_mean D z) ^ 2) D / INR D.
Definition ln_normalise (D : nat) (epsLN : R) (z : Row) : Row :=
  fun j => (z j - ln_mean D z) / sqrt (ln_var D z + epsLN).

Lemma rsum_pos (n : nat) (f : nat -> R) : (0 < n)%nat -> (forall j, (j < n)%nat -> 0 < f j) -> 0 < rsum f n.
Proof.
  induction n as [|n IH]; intros Hn Hf; [lia|]. rewrite rsum_S.
  destruct n as [|n']; [simpl; pose proof (Hf 0%nat ltac:(lia)); lra|].
  assert (0 < rsum f (S n')) by (apply IH; [lia | intros; apply Hf; lia]).
  pose proof (Hf (S n') ltac:(lia)). lra.
Qed.

Theorem def_model :
  (* (a) softmax rows are positive, sum to 1 and are invariant under a shift of the scores;
         equal scores give equal weights *)
  (forall n s, (0 < n)%nat ->
     (forall j, (j < n)%nat -> 0 < softmax n s j) /\
     rsum (fun j => softmax n s j) n = 1 /\
     (forall c j, softmax n (fun k => s k - c) j = softmax n s j) /\
     (forall i j, s i = s j -> softmax n s i = softmax n s j)) /\
  (* (b) a LayerNorm output has mean 0 and squared norm D·var/(var + ε_LN) < D *)
  (forall D epsLN z, (0 < D)%nat -> 0 < epsLN ->
     rsum (ln_normalise D epsLN z) D = 0 /\
     rsum (fun j => ln_normalise D epsLN z j ^ 2) D = INR D * ln_var D z / (ln_var D z + epsLN) /\
     rsum (fun j => ln_normalise D epsLN z j ^ 2) D < INR D).
Proof.
  split.
  - intros n s Hn.
    assert (Hd : 0 < rsum (fun k => exp (s k)) n) by (apply rsum_pos; [exact Hn | intros; apply exp_pos]).
    split; [intros j _; unfold softmax; apply Rdiv_lt_0_compat; [apply exp_pos | exact Hd]|].
    split; [unfold softmax; unfold Rdiv; rewrite (rsum_ext _ (fun j => / rsum (fun k => exp (s k)) n * exp (s j)) n)
              by (intros; ring); rewrite rsum_scal; field; lra|].
    split; [|intros i j Hij; unfold softmax; rewrite Hij; reflexivity].
    intros c j. unfold softmax.
    rewrite (rsum_ext (fun k => exp (s k - c)) (fun k => exp (- c) * exp (s k)) n)
      by (intros; rewrite <- exp_plus; f_equal; ring).
    rewrite rsum_scal.
    replace (exp (s j - c)) with (exp (- c) * exp (s j)) by (rewrite <- exp_plus; f_equal; ring).
    pose proof (exp_pos (- c)). field. lra.
  - intros D epsLN z HD He.
    assert (HDr : 0 < INR D) by (apply lt_0_INR; exact HD).
    set (mu := ln_mean D z). set (v := ln_var D z).
    assert (Hv : 0 <= v).
    { unfold v, ln_var. apply Rmult_le_pos; [apply rsum_nonneg; intros; apply pow2_ge_0 | left; apply Rinv_0_lt_compat; lra]. }
    assert (Hs : 0 < sqrt (v + epsLN)) by (apply sqrt_lt_R0; lra).
    assert (Hss : sqrt (v + epsLN) ^ 2 = v + epsLN) by (rewrite <- Rsqr_pow2; apply Rsqr_sqrt; lra).
    assert (Hsum : rsum (fun j => z j - mu) D = 0).
    { rewrite rsum_minus, rsum_const. unfold mu, ln_mean. field. lra. }
    split; [|split].
    + unfold ln_normalise. fold mu v. unfold Rdiv.
      rewrite (rsum_ext _ (fun j => / sqrt (v + epsLN) * (z j - mu)) D) by (intros; ring).
      rewrite rsum_scal, Hsum. ring.
    + unfold ln_normalise. fold mu v.
      rewrite (rsum_ext _ (fun j => / (v + epsLN) * (z j - mu) ^ 2) D).
      * rewrite rsum_scal. unfold v at 2, ln_var. fold mu. field. lra.
      * intros j _. unfold Rdiv. rewrite Rpow_mult_distr, pow_inv, Hss. ring.
    + unfold ln_normalise. fold mu v.
      rewrite (rsum_ext _ (fun j => / (v + epsLN) * (z j - mu) ^ 2) D).
      * rewrite rsum_scal.
        assert (E : rsum (fun j => (z j - mu) ^ 2) D = INR D * v) by (unfold v, ln_var; fold mu; field; lra).
        rewrite E. apply (Rmult_lt_reg_l (v + epsLN)); [lra|].
        replace ((v + epsLN) * (/ (v + epsLN) * (INR D * v))) with (INR D * v) by (field; lra). nra.
      * intros j _. unfold Rdiv. rewrite Rpow_mult_distr, pow_inv, Hss. ring.
Qed.
