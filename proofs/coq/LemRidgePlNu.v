(** * [lem:ridge-pl] applied per frequency — one knot step h_ν for each ν (docs/math.md §2,
    "Spending the budget where the coefficients are"; issue 9, item "per-frequency knot steps").

    For every frequency ν (an element [a] of a list [l]) its own increasing knots [t a], [K a]
    pieces, every step ≤ [h a], and a phase [x a] in [t_0, t_K]:
      |Σ_ν c_ν (ℓ_ν(x_ν) − cos x_ν)| ≤ Σ_ν |c_ν|·h_ν²/8 = [ridge_pl_nu_term] of the pairs (c_ν, h_ν)
    ([ridge_pl_nu_bound]); [ridge_pl_nu_uniform_bound] is the same with the construction's
    uniform knots K_ν ≥ len_ν/h_ν.  Real arithmetic. *)
Require Import Reals Lra Lia List ZArith.
From Uat Require Import Terms FkSums RidgeConvex LemRidgePl.
Open Scope R_scope.

Lemma ridge_pl_nu_term_lsum {A : Type} (l : list A) (c h : A -> R) :
  ridge_pl_nu_term (map (fun a => (c a, h a)) l) = lsum (fun a => Rabs (c a) * h a ^ 2 / 8) l.
Proof. induction l as [|a l IH]; [reflexivity|]. simpl. rewrite IH. reflexivity. Qed.

Lemma ridge_pl_nu_term_nonneg (ch : list (R * R)) : 0 <= ridge_pl_nu_term ch.
Proof.
  induction ch as [|[c h] ch IH]; simpl; [lra|].
  assert (0 <= Rabs c * h ^ 2 / 8).
  { apply Rmult_le_pos; [apply Rmult_le_pos; [apply Rabs_pos| apply pow2_ge_0]| lra]. }
  lra.
Qed.

Theorem ridge_pl_nu_bound {A : Type} (l : list A) (c h : A -> R) (t : A -> nat -> R)
    (K : A -> nat) (x : A -> R) :
  (forall a, In a l -> knots_increasing (t a) (K a)) ->
  (forall a, In a l -> forall j, (j < K a)%nat -> t a (S j) - t a j <= h a) ->
  (forall a, In a l -> t a O <= x a <= t a (K a)) ->
  Rabs (lsum (fun a => c a * (ridge_pl (t a) (K a) (x a) - cos (x a))) l)
  <= ridge_pl_nu_term (map (fun a => (c a, h a)) l).
Proof.
  intros Hk Hh Hx. rewrite ridge_pl_nu_term_lsum.
  eapply Rle_trans.
  - apply (weighted_error_sum l c (fun a => ridge_pl (t a) (K a) (x a) - cos (x a))
             (fun a => h a ^ 2 / 8)).
    intros a Ha. apply ridge_pl_bound; [apply Hk| apply Hh| apply Hx]; exact Ha.
  - right. apply lsum_ext_in. intros. unfold Rdiv. ring.
Qed.

(** The same with the construction's knots t_j = t_lo(ν) + j·len_ν/K_ν, len_ν ≤ K_ν·h_ν. *)
Theorem ridge_pl_nu_uniform_bound {A : Type} (l : list A) (c h tlo thi x : A -> R) (K : A -> nat) :
  (forall a, In a l -> tlo a < thi a /\ (0 < K a)%nat /\ thi a - tlo a <= INR (K a) * h a) ->
  (forall a, In a l -> tlo a <= x a <= thi a) ->
  Rabs (lsum (fun a => c a * (ridge_pl (ridge_knots (tlo a) (thi a) (K a)) (K a) (x a) - cos (x a))) l)
  <= ridge_pl_nu_term (map (fun a => (c a, h a)) l).
Proof.
  intros HK Hx. rewrite ridge_pl_nu_term_lsum.
  eapply Rle_trans.
  - apply (weighted_error_sum l c
             (fun a => ridge_pl (ridge_knots (tlo a) (thi a) (K a)) (K a) (x a) - cos (x a))
             (fun a => h a ^ 2 / 8)).
    intros a Ha. destruct (HK a Ha) as [H1 [H2 H3]].
    apply ridge_pl_uniform_bound; [exact H1| exact H2| exact H3| apply Hx; exact Ha].
  - right. apply lsum_ext_in. intros. unfold Rdiv. ring.
Qed.
