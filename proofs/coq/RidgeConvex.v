(** * Chords of convex functions and the linear-interpolation error of cos
    (helper for [LemRidgePl.v] and [LemFkTrig.v]).

    [below_chord]: a function whose derivative is non-decreasing on [a, b] lies below its chord
    (two applications of the mean value theorem, [MVT_cor2] of the standard library).
    [cos_chord_error]: |cos x − chord| ≤ (x − a)(b − x)/2 ≤ (b − a)²/8, from the convexity of
    cos ± s²/2 (their second derivatives are 1 ∓ cos ≥ 0): this is the interpolation remainder
    |cos''|·(x − a)(b − x)/2 with |cos''| ≤ 1, without Rolle's theorem. *)
Require Import Reals Lra.
Open Scope R_scope.

(** The chord of [f] through (a, f a) and (b, f b), evaluated at x. *)
Definition chord (f : R -> R) (a b x : R) : R := f a + (f b - f a) / (b - a) * (x - a).

Lemma below_chord (f f' : R -> R) (a b : R) :
  a < b ->
  (forall c, a <= c <= b -> derivable_pt_lim f c (f' c)) ->
  (forall c d, a <= c -> c <= d -> d <= b -> f' c <= f' d) ->
  forall x, a <= x <= b -> f x <= chord f a b x.
Proof.
  intros Hab Hd Hmono x [Hax Hxb]. unfold chord.
  destruct (Req_dec x a) as [->|Hxa].
  { replace (a - a) with 0 by ring. lra. }
  destruct (Req_dec x b) as [->|Hxb'].
  { replace ((f b - f a) / (b - a) * (b - a)) with (f b - f a) by (field; lra). lra. }
  destruct (MVT_cor2 f f' a x) as [c1 [E1 H1]]; [lra| intros; apply Hd; lra|].
  destruct (MVT_cor2 f f' x b) as [c2 [E2 H2]]; [lra| intros; apply Hd; lra|].
  assert (Hm : f' c1 <= f' c2) by (apply Hmono; lra).
  assert (E : f a + (f b - f a) / (b - a) * (x - a) - f x
              = (x - a) * (b - x) * (f' c2 - f' c1) / (b - a)).
  { replace (f b - f a) with ((f b - f x) + (f x - f a)) by ring. rewrite E1, E2.
    replace (f a) with (f x - f' c1 * (x - a)) by lra. field. lra. }
  assert (0 <= (x - a) * (b - x) * (f' c2 - f' c1) / (b - a)).
  { apply Rmult_le_pos; [| left; apply Rinv_0_lt_compat; lra].
    apply Rmult_le_pos; [apply Rmult_le_pos|]; lra. }
  lra.
Qed.

(** sin and cos are 1-Lipschitz (mean value theorem). *)
Lemma sin_diff_bound (c d : R) : c <= d -> -(d - c) <= sin d - sin c <= d - c.
Proof.
  intros Hcd. destruct (Req_dec c d) as [->|Hne]; [lra|].
  destruct (MVT_cor2 sin cos c d) as [xi [E _]]; [lra| intros; apply derivable_pt_lim_sin|].
  rewrite E. pose proof (COS_bound xi). split; nra.
Qed.

Lemma cos_diff_bound (c d : R) : c <= d -> -(d - c) <= cos d - cos c <= d - c.
Proof.
  intros Hcd. destruct (Req_dec c d) as [->|Hne]; [lra|].
  destruct (MVT_cor2 cos (fun s => - sin s) c d) as [xi [E _]];
    [lra| intros; apply derivable_pt_lim_cos|].
  rewrite E. pose proof (SIN_bound xi). split; nra.
Qed.

Lemma cos_lipschitz (c d : R) : Rabs (cos d - cos c) <= Rabs (d - c).
Proof.
  destruct (Rle_dec c d) as [H|H].
  - destruct (cos_diff_bound c d H). rewrite (Rabs_right (d - c)) by lra. apply Rabs_le. lra.
  - destruct (cos_diff_bound d c) as [H1 H2]; [lra|].
    rewrite (Rabs_left (d - c)) by lra. apply Rabs_le. lra.
Qed.

(** The chord slope of cos has absolute value at most 1. *)
Lemma cos_slope_bound (a b : R) : a < b -> Rabs ((cos b - cos a) / (b - a)) <= 1.
Proof.
  intros Hab. unfold Rdiv. rewrite Rabs_mult, Rabs_inv, (Rabs_right (b - a)) by lra.
  apply (Rmult_le_reg_r (b - a)); [lra|]. rewrite Rmult_assoc, Rinv_l by lra.
  pose proof (cos_lipschitz a b). rewrite (Rabs_right (b - a)) in H by lra. lra.
Qed.

Lemma derivable_half_square (c : R) : derivable_pt_lim (fun s => s ^ 2 / 2) c c.
Proof.
  assert (H := derivable_pt_lim_scal (fun y => y ^ 2) (/ 2) c _ (derivable_pt_lim_pow c 2)).
  unfold mult_real_fct in H. replace c with (/ 2 * (INR 2 * c ^ Init.Nat.pred 2)) at 2
    by (simpl; field).
  revert H. apply derivable_pt_lim_ext. intro; unfold Rdiv; ring.
Qed.

Lemma chord_plus (f g : R -> R) (a b x : R) :
  a < b -> chord (fun s => f s + g s) a b x = chord f a b x + chord g a b x.
Proof. intros. unfold chord. field. lra. Qed.

Lemma chord_half_square (a b x : R) :
  a < b -> chord (fun s => s ^ 2 / 2) a b x - x ^ 2 / 2 = (x - a) * (b - x) / 2.
Proof. intros. unfold chord. field. lra. Qed.

(** Linear-interpolation error of cos on [a, b]. *)
Lemma cos_chord_error (a b x : R) :
  a < b -> a <= x <= b -> Rabs (cos x - chord cos a b x) <= (x - a) * (b - x) / 2.
Proof.
  intros Hab Hx.
  (* cos + s²/2 is convex: its derivative s − sin s is non-decreasing *)
  assert (Hup : cos x + x ^ 2 / 2 <= chord (fun s => cos s + s ^ 2 / 2) a b x).
  { apply (below_chord (fun s => cos s + s ^ 2 / 2) (fun s => - sin s + s)); [exact Hab| | |exact Hx].
    - intros c _. exact (derivable_pt_lim_plus _ _ c _ _ (derivable_pt_lim_cos c)
                                                 (derivable_half_square c)).
    - intros c d _ Hcd _. destruct (sin_diff_bound c d Hcd). lra. }
  (* −cos + s²/2 is convex: its derivative sin s + s is non-decreasing *)
  assert (Hdn : - cos x + x ^ 2 / 2 <= chord (fun s => - cos s + s ^ 2 / 2) a b x).
  { apply (below_chord (fun s => - cos s + s ^ 2 / 2) (fun s => sin s + s)); [exact Hab| | |exact Hx].
    - intros c _.
      apply (derivable_pt_lim_plus (fun s => - cos s) (fun s => s ^ 2 / 2) c).
      + replace (sin c) with (- - sin c) by ring.
        exact (derivable_pt_lim_opp cos c _ (derivable_pt_lim_cos c)).
      + apply derivable_half_square.
    - intros c d _ Hcd _. destruct (sin_diff_bound c d Hcd). lra. }
  rewrite chord_plus in Hup, Hdn by exact Hab.
  assert (Hq := chord_half_square a b x Hab).
  assert (Hneg : chord (fun s => - cos s) a b x = - chord cos a b x) by (unfold chord; field; lra).
  rewrite Hneg in Hdn. apply Rabs_le.
  set (Q := chord (fun s => s ^ 2 / 2) a b x) in *. set (E := (x - a) * (b - x) / 2) in *.
  set (C := chord cos a b x) in *. set (x2 := x ^ 2 / 2) in *. split; lra.
Qed.

Lemma quadratic_midpoint (a b x : R) : (x - a) * (b - x) <= (b - a) ^ 2 / 4.
Proof. pose proof (pow2_ge_0 (2 * x - a - b)). nra. Qed.

(** The form used for knots: a step [b − a ≤ h] gives the error h²/8. *)
Lemma cos_chord_error_h (a b x h : R) :
  a < b -> b - a <= h -> a <= x <= b -> Rabs (cos x - chord cos a b x) <= h ^ 2 / 8.
Proof.
  intros Hab Hh Hx. eapply Rle_trans; [apply cos_chord_error; assumption|].
  pose proof (quadratic_midpoint a b x).
  assert ((b - a) ^ 2 <= h ^ 2) by (apply pow_incr; lra). lra.
Qed.
