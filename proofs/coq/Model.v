(** * [def:model] in real arithmetic, at the generality the proofs need (proofs/def-model.md).

    A token matrix is a function from token index to row, a row a function nat → R; only the
    tokens 0 … n−1 are read. The per-token maps (embedding, the q/k/v projections, W_O, the FFN of
    any depth, LayerNorm, the readout) are arbitrary functions of one row — the affine and ReLU
    maps of docs/math.md §1 are instances. Attention: scores τ·⟨q(z_i), k(z_j)⟩ over d_k
    coordinates, softmax over j < n, weighted sum of the values; W_O reads the heads' outputs. *)
Require Import Reals.
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
