(** * Certified truncation — dropping a set Ω of frequencies costs at most Σ_{ν∈Ω} |c_ν|
    (docs/math.md §2, "Spending the budget where the coefficients are"; issue 9, item
    "certified truncation").

    [truncation_bound]: for any phases φ_ν and any split of the frequency list into the kept ones
    ([keep ν = true]) and the dropped ones Ω,
      |Σ_ν c_ν cos φ_ν − Σ_{ν kept} c_ν cos φ_ν| ≤ [truncation_term] (c_ν)_{ν∈Ω}.
    [truncation_bound_gen]: the same for any functions bounded by 1 in place of cos.
    [ridge_pl_nu_truncation_bound]: the per-frequency ridge realisation of the kept frequencies
    against the full trigonometric polynomial: the error is at most
    ridge_pl_nu_term (kept) + truncation_term (dropped).  Real arithmetic. *)
Require Import Reals Lra Lia List ZArith.
From Uat Require Import Terms FkSums RidgeConvex LemRidgePl LemRidgePlNu.
Open Scope R_scope.

Lemma truncation_term_lsum {A : Type} (c : A -> R) (l : list A) :
  truncation_term (map c l) = lsum (fun a => Rabs (c a)) l.
Proof. induction l as [|a l IH]; [reflexivity|]. simpl. rewrite IH. reflexivity. Qed.

Lemma truncation_term_nonneg (cs : list R) : 0 <= truncation_term cs.
Proof.
  induction cs as [|c cs IH]; simpl; [lra|]. pose proof (Rabs_pos c). lra.
Qed.

(** Ω given as an explicit list of dropped terms. *)
Theorem truncation_bound_app {A : Type} (kept dropped : list A) (c u : A -> R) :
  (forall a, In a dropped -> Rabs (u a) <= 1) ->
  Rabs (lsum (fun a => c a * u a) (kept ++ dropped) - lsum (fun a => c a * u a) kept)
  <= truncation_term (map c dropped).
Proof.
  intros Hu. rewrite lsum_app, truncation_term_lsum.
  replace (lsum (fun a => c a * u a) kept + lsum (fun a => c a * u a) dropped
           - lsum (fun a => c a * u a) kept) with (lsum (fun a => c a * u a) dropped) by ring.
  eapply Rle_trans; [apply lsum_abs|]. apply lsum_le. intros a Ha.
  rewrite Rabs_mult. rewrite <- (Rmult_1_r (Rabs (c a))) at 2.
  apply Rmult_le_compat_l; [apply Rabs_pos| apply Hu; exact Ha].
Qed.

(** Ω given by a predicate: the dropped frequencies are those with [keep ν = false]. *)
Theorem truncation_bound_gen {A : Type} (l : list A) (keep : A -> bool) (c u : A -> R) :
  (forall a, In a l -> Rabs (u a) <= 1) ->
  Rabs (lsum (fun a => c a * u a) l - lsum (fun a => c a * u a) (filter keep l))
  <= truncation_term (map c (filter (fun a => negb (keep a)) l)).
Proof.
  intros Hu. rewrite (lsum_filter keep (fun a => c a * u a) l), <- lsum_app.
  apply truncation_bound_app. intros a Ha. apply Hu.
  apply filter_In in Ha. apply Ha.
Qed.

Theorem truncation_bound {A : Type} (l : list A) (keep : A -> bool) (c phi : A -> R) :
  Rabs (lsum (fun a => c a * cos (phi a)) l - lsum (fun a => c a * cos (phi a)) (filter keep l))
  <= truncation_term (map c (filter (fun a => negb (keep a)) l)).
Proof.
  apply (truncation_bound_gen l keep c (fun a => cos (phi a))).
  intros. apply Rabs_le. apply COS_bound.
Qed.

(** Per-frequency ridge realisation of the kept frequencies, against the full polynomial
    c_0 + Σ_ν c_ν cos φ_ν: the two certified terms add. *)
Theorem ridge_pl_nu_truncation_bound {A : Type} (l : list A) (keep : A -> bool) (c0 : R)
    (c h : A -> R) (t : A -> nat -> R) (K : A -> nat) (phi : A -> R) :
  (forall a, In a l -> keep a = true -> knots_increasing (t a) (K a)) ->
  (forall a, In a l -> keep a = true -> forall j, (j < K a)%nat -> t a (S j) - t a j <= h a) ->
  (forall a, In a l -> keep a = true -> t a O <= phi a <= t a (K a)) ->
  Rabs ((c0 + lsum (fun a => c a * ridge_pl (t a) (K a) (phi a)) (filter keep l))
        - (c0 + lsum (fun a => c a * cos (phi a)) l))
  <= ridge_pl_nu_term (map (fun a => (c a, h a)) (filter keep l))
     + truncation_term (map c (filter (fun a => negb (keep a)) l)).
Proof.
  intros Hk Hh Hx.
  set (kept := filter keep l).
  replace ((c0 + lsum (fun a => c a * ridge_pl (t a) (K a) (phi a)) kept)
           - (c0 + lsum (fun a => c a * cos (phi a)) l))
    with (lsum (fun a => c a * (ridge_pl (t a) (K a) (phi a) - cos (phi a))) kept
          - (lsum (fun a => c a * cos (phi a)) l - lsum (fun a => c a * cos (phi a)) kept)).
  2:{ rewrite (lsum_ext_in (fun a => c a * (ridge_pl (t a) (K a) (phi a) - cos (phi a)))
                 (fun a => c a * ridge_pl (t a) (K a) (phi a) - c a * cos (phi a)))
        by (intros; ring).
      rewrite lsum_minus. ring. }
  unfold Rminus at 1. eapply Rle_trans; [apply Rabs_triang|]. apply Rplus_le_compat.
  - apply ridge_pl_nu_bound; intros a Ha; apply filter_In in Ha; destruct Ha as [Ha Hka].
    + apply Hk; assumption.
    + apply Hh; assumption.
    + apply Hx; assumption.
  - rewrite Rabs_Ropp. unfold kept. apply truncation_bound.
Qed.
