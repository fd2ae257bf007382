(** * [lem:gating] — position gating (proofs/lem-gating.md).

    A hidden neuron serving position i₀ has, at token i, the ungated pre-activation [p X i]
    (any function of the input X and the token; in the construction an affine function of the
    token) and the gated pre-activation p − G·Σ_{i'≠i₀}(e_i)_{i'} with e_i the one-hot position.
    Real arithmetic; the float64 form of the statement is prose (proofs/lem-gating.md). *)
Require Import Reals Lra Lia.
Require Import Uat.Sums.
(* ReLU is the one of the ridge file: relu x = max(0, x), with relu_pos and relu_neg. *)
Require Import Uat.LemRidgePl.
Open Scope R_scope.

(** The gate term Σ_{i' ≠ i₀} (e_i)_{i'} with (e_i)_{i'} = δ_{i i'}. *)
Definition gate_sum (n i i0 : nat) : R := rsum_except n i0 (fun i' => delta i i').

Definition gated (n : nat) (G : R) (i0 : nat) (p : R) (i : nat) : R := p - G * gate_sum n i i0.

Lemma gate_sum_eq (n i i0 : nat) : (i < n)%nat -> (i0 < n)%nat -> gate_sum n i i0 = 1 - delta i i0.
Proof.
  intros Hi Hi0. unfold gate_sum. rewrite rsum_except_eq by exact Hi0.
  rewrite (rsum_ext (fun i' => delta i i') (fun i' => delta i i' * 1) n) by (intros; ring).
  rewrite (rsum_delta_l n i (fun _ => 1)) by exact Hi. ring.
Qed.

Theorem lem_gating {Input : Type} (K : Input -> Prop) (n : nat) (G : R) (i0 : nat) (p : Input -> nat -> R) :
  (i0 < n)%nat ->
  (forall X i, K X -> (i < n)%nat -> p X i <= G) ->
  (* the gate is Σ_{i'≠i₀} (e_i)_{i'} = 1 − (e_i)_{i₀} *)
  (forall i, (i < n)%nat -> gate_sum n i i0 = 1 - delta i i0) /\
  (* 1. at i = i₀ the neuron is unchanged *)
  (forall X, relu (gated n G i0 (p X i0) i0) = relu (p X i0)) /\
  (* 2. at every other position it is exactly 0 *)
  (forall X i, K X -> (i < n)%nat -> i <> i0 -> relu (gated n G i0 (p X i) i) = 0) /\
  (* 3. the constant neuron ReLU((e_i)_{i₀}) is [i = i₀] *)
  (forall i, relu (delta i i0) = if Nat.eqb i i0 then 1 else 0).
Proof.
  intros Hi0 HG. split; [intros i Hi; apply gate_sum_eq; assumption|]. split; [|split].
  - intros X. unfold gated. rewrite gate_sum_eq by assumption.
    unfold delta. rewrite Nat.eqb_refl. f_equal. ring.
  - intros X i HK Hi Hne. unfold gated. rewrite gate_sum_eq by assumption.
    unfold delta. destruct (Nat.eqb_spec i i0); [contradiction|].
    apply relu_neg. specialize (HG X i HK Hi). lra.
  - intros i. unfold delta. destruct (Nat.eqb i i0); [apply relu_pos; lra | apply relu_neg; lra].
Qed.
