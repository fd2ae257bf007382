(** * [lem:fk-trig] in the composition's coordinates (a bridge for [ThmMain.v]).

    [Realisation] indexes inputs and frequencies by (token h, feature c): x̃_hc = [xt lo hi X h c],
    ν_hc ∈ ℤ, and t_ν = [phase] = π Σ_c Σ_h ν_hc x̃_hc.  [LemFkTrig] works with lists of length m.
    Flattening feature by feature ([flatR], [flatZ]: index c·n + h, the order of [msum]) turns one
    into the other ([phase_flat], [flatR_cube]); [fk_entry_bridge] then gives the lem:fk-trig bound
    for a trigonometric polynomial written over any list of frequencies whose flattened vectors
    are a permutation of Λ⁺, with the construction's coefficients c_ν = 2ρ_ν D_ν and c_0. *)
Require Import Reals Lra Lia List ZArith Permutation.
Require Import Uat.Sums Uat.Terms Uat.Realisation Uat.LemFkTrig.
Open Scope R_scope.

Section Flatten.
Variables (n din : nat).

Definition flatR (x : nat -> nat -> R) : list R :=
  flat_map (fun c => map (fun h => x h c) (seq 0 n)) (seq 0 din).
Definition flatZ (nu : nat -> nat -> Z) : list Z :=
  flat_map (fun c => map (fun h => nu h c) (seq 0 n)) (seq 0 din).

Lemma dotZ_app (l1 l2 : list Z) (k1 k2 : list R) :
  length l1 = length k1 -> dotZ (l1 ++ l2) (k1 ++ k2) = dotZ l1 k1 + dotZ l2 k2.
Proof.
  revert k1. induction l1 as [|a l1 IH]; intros [|b k1] H; simpl in *; try discriminate; [ring|].
  injection H as H. rewrite IH by exact H. ring.
Qed.

Lemma dotZ_map {B : Type} (f : B -> Z) (g : B -> R) (s : list B) :
  dotZ (map f s) (map g s) = lsum (fun j => IZR (f j) * g j) s.
Proof. induction s as [|a s IH]; [reflexivity|]. simpl. rewrite IH. reflexivity. Qed.

Lemma dotZ_flat (nu : nat -> nat -> Z) (x : nat -> nat -> R) (cs : list nat) :
  dotZ (flat_map (fun c => map (fun h => nu h c) (seq 0 n)) cs)
       (flat_map (fun c => map (fun h => x h c) (seq 0 n)) cs)
  = lsum (fun c => lsum (fun h => IZR (nu h c) * x h c) (seq 0 n)) cs.
Proof.
  induction cs as [|c cs IH]; [reflexivity|]. simpl.
  rewrite dotZ_app by (rewrite !map_length; reflexivity). rewrite IH, dotZ_map. reflexivity.
Qed.

Lemma dotZ_flat_msum (nu : nat -> nat -> Z) (x : nat -> nat -> R) :
  dotZ (flatZ nu) (flatR x) = msum n din (fun h c => IZR (nu h c) * x h c).
Proof.
  unfold flatZ, flatR, msum. rewrite dotZ_flat, lsum_seq. apply rsum_ext. intros. apply lsum_seq.
Qed.

Lemma flatR_length (x : nat -> nat -> R) : length (flatR x) = (n * din)%nat.
Proof.
  unfold flatR. assert (H : forall cs, length (flat_map (fun c => map (fun h => x h c) (seq 0 n)) cs) = (length cs * n)%nat).
  { induction cs as [|c cs IH]; [reflexivity|]. simpl. rewrite app_length, map_length, seq_length, IH. lia. }
  rewrite H, seq_length. lia.
Qed.

Variables (lo hi : nat -> nat -> R).

Lemma phase_flat (nu : nat -> nat -> Z) (X : nat -> nat -> R) :
  phase n din lo hi nu X = PI * dotZ (flatZ nu) (flatR (xt lo hi X)).
Proof. unfold phase. rewrite dotZ_flat_msum. reflexivity. Qed.

Lemma flatR_cube (X : nat -> nat -> R) : box_ok n din lo hi -> in_box n din lo hi X ->
  in_unit_cube (flatR (xt lo hi X)).
Proof.
  intros Hb HX. unfold in_unit_cube, flatR. apply Forall_forall. intros y Hy.
  apply in_flat_map in Hy. destruct Hy as [c [Hc Hy]]. apply in_map_iff in Hy. destruct Hy as [h [<- Hh]].
  apply in_seq in Hc. apply in_seq in Hh.
  specialize (Hb h c ltac:(lia) ltac:(lia)). specialize (HX h c ltac:(lia) ltac:(lia)). unfold xt. split.
  - apply Rmult_le_pos; [lra| left; apply Rinv_0_lt_compat; lra].
  - apply (Rmult_le_reg_r (hi h c - lo h c)); [lra|]. unfold Rdiv. rewrite Rmult_assoc, Rinv_l by lra. lra.
Qed.

(** lem:fk-trig for the entry whose normalised target is g: if the frequencies of [l] flatten to
    a permutation of Λ⁺ and the coefficients are the construction's, the polynomial
    c_0 + Σ_{a∈l} c_a cos t_{ν_a}(X) is within fk_trig_term L (n·d_in) N of F(X) on the box. *)
Theorem fk_entry_bridge {A : Type} (l : list A) (nu : A -> nat -> nat -> Z) (coef : A -> R) (c0 : R)
    (F : (nat -> nat -> R) -> R) (g : list R -> R) (L : R) (N : nat) :
  box_ok n din lo hi ->
  Permutation (map (fun a => flatZ (nu a)) l) (fk_lam_plus N (n * din)) ->
  (forall a, In a l -> coef a = fk_coef N (n * din) g (flatZ (nu a))) ->
  c0 = fk_c0 N (n * din) g ->
  (forall X, in_box n din lo hi X -> F X = g (flatR (xt lo hi X))) ->
  (1 <= N)%nat -> 0 <= L -> fk_lipschitz (n * din) L g ->
  forall X, in_box n din lo hi X ->
  Rabs (c0 + lsum (fun a => coef a * cos (phase n din lo hi (nu a) X)) l - F X) <= fk_trig_term L (n * din) N.
Proof.
  intros Hb Hp Hc H0 HF HN HL Hg X HX.
  rewrite HF, H0 by exact HX.
  rewrite (lsum_ext_in _ (fun a => fk_coef N (n * din) g (flatZ (nu a)) * cos (PI * dotZ (flatZ (nu a)) (flatR (xt lo hi X)))))
    by (intros a Ha; rewrite Hc, phase_flat by exact Ha; reflexivity).
  apply (fk_trig_bound_relabel l (fun a => flatZ (nu a)) N (n * din) L g (flatR (xt lo hi X)) Hp HN HL Hg).
  - apply flatR_length.
  - apply flatR_cube; assumption.
Qed.

End Flatten.
