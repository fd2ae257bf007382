(** * [lem:fk-trig], one dimension: the nodes, the operator form and the coefficient form for m = 1
    (helper for [LemFkTrig.v]; proofs/lem-fk-trig.md Steps 3 and 6 with m = 1).

    N ≥ 1, M = N + 2 nodes τ_j = 2πj/M, the weights ρ_k of [FkKernel.fk_rho] (the code's closed
    form), the even periodic extension F(θ) = g(|θ|/π) sampled at the nodes: F(τ_j) = g(x_j) with
    x_j = |τ_j wrapped into (−π, π]|/π = [fk_node N j].

    - [fk_node_dist]: (x_j − x)² ≤ ½(1 − cos(πx − τ_j)) (Step 5 with the circle distance, Step 6);
    - [fk_op1_bound]: the operator P[F](πx) = Σ_j w_j(πx) g(x_j) is within L·sin(π/(2N+4)) of g(x)
      (positivity, Σ w = 1, the first moment, Cauchy–Schwarz);
    - [fk_P1_op]: the coefficient form P(x) = ρ_0 D_0 + Σ_{ν=1}^{N} 2 ρ_ν D_ν cos(πνx),
      D_ν = M^{-1} Σ_j g(x_j) cos(ν τ_j), equals the operator form (Step 3; the sine sums vanish
      by the symmetry τ_j ↦ 2π − τ_j of the nodes and the evenness of F);
    - [fk_trig_bound_m1_proof]: |P(x) − g(x)| ≤ fk_trig_term L 1 N. *)
Require Import Reals Lra Lia List ZArith.
From Uat Require Import Terms FkSums RidgeConvex FkKernel.
Open Scope R_scope.

(** ** The nodes in normalised coordinates *)

(** x_j = |τ_j|/π after wrapping τ_j into (−π, π]: 2j/M if 2j ≤ M, else 2(M − j)/M. *)
Definition fk_node (N j : nat) : R :=
  if Nat.leb (2 * j) (N + 2) then 2 * INR j / INR (N + 2) else 2 * INR (N + 2 - j) / INR (N + 2).

Lemma INR_M_pos (N : nat) : 0 < INR (N + 2).
Proof. rewrite INR_M. apply INR_N2_pos. Qed.

Lemma INR_double (n : nat) : INR (2 * n) = 2 * INR n.
Proof. rewrite mult_INR. simpl (INR 2). ring. Qed.

Lemma fk_node_range (N j : nat) : (j < N + 2)%nat -> 0 <= fk_node N j <= 1.
Proof.
  intros Hj. assert (HM := INR_M_pos N). unfold fk_node.
  destruct (Nat.leb_spec (2 * j) (N + 2)) as [Hle|Hgt].
  - assert (H2 : 2 * INR j <= INR (N + 2)) by (rewrite <- INR_double; apply le_INR; lia).
    pose proof (pos_INR j). split.
    + apply Rmult_le_pos; [lra| left; apply Rinv_0_lt_compat; lra].
    + apply (Rmult_le_reg_r (INR (N + 2))); [lra|]. unfold Rdiv. rewrite Rmult_assoc, Rinv_l by lra. lra.
  - assert (H2 : 2 * INR (N + 2 - j) <= INR (N + 2))
      by (rewrite <- INR_double; apply le_INR; lia).
    pose proof (pos_INR (N + 2 - j)). split.
    + apply Rmult_le_pos; [lra| left; apply Rinv_0_lt_compat; lra].
    + apply (Rmult_le_reg_r (INR (N + 2))); [lra|]. unfold Rdiv. rewrite Rmult_assoc, Rinv_l by lra. lra.
Qed.

Lemma cos_2PI_minus (x : R) : cos (2 * PI - x) = cos x.
Proof. rewrite cos_minus, sin_2PI, cos_2PI. ring. Qed.

Lemma fk_node_cos (N j : nat) : (j < N + 2)%nat -> cos (PI * fk_node N j) = cos (fk_tau N j).
Proof.
  intros Hj. assert (HM := INR_M_pos N). unfold fk_node, fk_tau.
  destruct (Nat.leb_spec (2 * j) (N + 2)) as [Hle|Hgt].
  - f_equal. field. lra.
  - rewrite minus_INR by lia. rewrite <- cos_2PI_minus. f_equal. field. lra.
Qed.

Lemma fk_node_reflect (N j : nat) : (0 < j < N + 2)%nat -> fk_node N (N + 2 - j) = fk_node N j.
Proof.
  intros Hj. unfold fk_node.
  destruct (Nat.leb_spec (2 * (N + 2 - j)) (N + 2)) as [H1|H1];
  destruct (Nat.leb_spec (2 * j) (N + 2)) as [H2|H2].
  - (* 2j = M *) assert (N + 2 - j = j)%nat as -> by lia. reflexivity.
  - reflexivity.
  - replace (N + 2 - (N + 2 - j))%nat with j by lia. reflexivity.
  - lia.
Qed.

Lemma fk_tau_reflect (N j : nat) : (j <= N + 2)%nat -> fk_tau N (N + 2 - j) = 2 * PI - fk_tau N j.
Proof.
  intros Hj. assert (HM := INR_M_pos N). unfold fk_tau. rewrite minus_INR by exact Hj. field. lra.
Qed.

(** ** The pointwise estimate: (x_j − x)² ≤ ½ (1 − cos(πx − τ_j)) *)

Lemma cos_dist_le (theta w tau : R) : 0 <= theta <= PI -> 0 <= w <= PI -> cos tau = cos w ->
  (theta - w) ^ 2 <= PI ^ 2 / 2 * (1 - cos (theta - tau)).
Proof.
  intros Ht Hw Hc.
  assert (Hsw : 0 <= sin w) by (apply sin_ge_0; lra).
  assert (Hst : 0 <= sin theta) by (apply sin_ge_0; lra).
  assert (Hsq : sin tau * sin tau = sin w * sin w).
  { pose proof (sin2_cos2 tau) as E1. pose proof (sin2_cos2 w) as E2. unfold Rsqr in E1, E2.
    rewrite Hc in E1. lra. }
  assert (Hle : sin tau <= sin w) by nra.
  assert (Hcos : cos (theta - tau) <= cos (theta - w)).
  { rewrite !cos_minus, Hc. apply Rplus_le_compat_l. apply Rmult_le_compat_l; assumption. }
  assert (Hpi : (theta - w) ^ 2 <= PI ^ 2 / 2 * (1 - cos (theta - w))) by (apply fk_sq_le; lra).
  pose proof PI_RGT_0. assert (0 < PI ^ 2 / 2) by (apply Rdiv_lt_0_compat; [apply pow_lt|]; lra).
  nra.
Qed.

Lemma fk_node_dist (N j : nat) (x : R) : (j < N + 2)%nat -> 0 <= x <= 1 ->
  (fk_node N j - x) ^ 2 <= / 2 * (1 - cos (PI * x - fk_tau N j)).
Proof.
  intros Hj Hx. pose proof PI_RGT_0 as Hpi. destruct (fk_node_range N j Hj) as [Hn0 Hn1].
  assert (H := cos_dist_le (PI * x) (PI * fk_node N j) (fk_tau N j)).
  rewrite fk_node_cos in H by exact Hj.
  assert (H' : (PI * x - PI * fk_node N j) ^ 2 <= PI ^ 2 / 2 * (1 - cos (PI * x - fk_tau N j)))
    by (apply H; [split; nra| split; nra| reflexivity]).
  replace ((PI * x - PI * fk_node N j) ^ 2) with (PI ^ 2 * (fk_node N j - x) ^ 2) in H' by ring.
  apply (Rmult_le_reg_l (PI ^ 2)); [apply pow_lt; lra|]. lra.
Qed.

(** ** The constants of the bound *)

Lemma fk_half_alpha (N : nat) : fk_alpha N / 2 = PI / (2 * INR N + 4).
Proof. unfold fk_alpha. pose proof (INR_N2_pos N). field. lra. Qed.

Lemma fk_sin_half_nonneg (N : nat) : 0 <= sin (PI / (2 * INR N + 4)).
Proof.
  rewrite <- fk_half_alpha. destruct (fk_alpha_range N). apply sin_ge_0; pose proof PI_RGT_0; lra.
Qed.

Lemma fk_moment_sin (N : nat) : / 2 * (1 - cos (fk_alpha N)) = sin (PI / (2 * INR N + 4)) ^ 2.
Proof.
  rewrite <- fk_half_alpha. replace (fk_alpha N) with (2 * (fk_alpha N / 2)) at 1 by field.
  rewrite cos_2a_sin. field.
Qed.

(** ** m = 1: the operator form *)

(** P[F](πx) = Σ_j w_j(πx) g(x_j), w_j(θ) = k_N(θ − τ_j)/M. *)
Definition fk_op1 (N : nat) (g : R -> R) (x : R) : R :=
  rsum (fun j => fk_w N (PI * x) j * g (fk_node N j)) (N + 2).

Lemma in_seq0 (j n : nat) : In j (seq 0 n) <-> (j < n)%nat.
Proof. rewrite in_seq. lia. Qed.

Theorem fk_op1_bound (N : nat) (L : R) (g : R -> R) (x : R) :
  (1 <= N)%nat -> 0 <= L ->
  (forall y z, 0 <= y <= 1 -> 0 <= z <= 1 -> Rabs (g y - g z) <= L * Rabs (y - z)) ->
  0 <= x <= 1 ->
  Rabs (fk_op1 N g x - g x) <= L * sin (PI / (2 * INR N + 4)).
Proof.
  intros HN HL Hg Hx. set (l := seq 0 (N + 2)). set (w := fk_w N (PI * x)).
  assert (Hw : forall j, In j l -> 0 <= w j) by (intros; apply fk_w_nonneg).
  assert (H1 : lsum w l = 1) by (unfold l; rewrite lsum_seq; apply fk_w_sum).
  assert (E : fk_op1 N g x - g x = lsum (fun j => w j * (g (fk_node N j) - g x)) l).
  { unfold fk_op1, l. rewrite lsum_seq.
    rewrite (rsum_ext (fun j => w j * (g (fk_node N j) - g x)) (fun j => w j * g (fk_node N j) - g x * w j))
      by (intros; ring).
    rewrite rsum_minus, rsum_scal. unfold w. rewrite fk_w_sum. ring. }
  rewrite E. eapply Rle_trans; [apply lsum_abs|].
  eapply Rle_trans.
  { apply (lsum_le _ (fun j => L * (w j * Rabs (fk_node N j - x)))). intros j Hj.
    apply in_seq0 in Hj. rewrite Rabs_mult, (Rabs_right (w j)) by (apply Rle_ge, fk_w_nonneg).
    replace (L * (w j * Rabs (fk_node N j - x))) with (w j * (L * Rabs (fk_node N j - x))) by ring.
    apply Rmult_le_compat_l; [apply fk_w_nonneg|].
    apply Hg; [apply fk_node_range; exact Hj| exact Hx]. }
  rewrite lsum_scal. apply Rmult_le_compat_l; [exact HL|].
  eapply Rle_trans; [apply lsum_cauchy_schwarz_sqrt; [exact Hw| exact H1| intros; apply Rabs_pos]|].
  rewrite <- (sqrt_pow2 (sin (PI / (2 * INR N + 4)))) by apply fk_sin_half_nonneg.
  apply sqrt_le_1.
  - apply lsum_nonneg. intros j Hj. apply Rmult_le_pos; [apply Hw; exact Hj| apply pow2_ge_0].
  - apply pow2_ge_0.
  - rewrite <- fk_moment_sin, <- (fk_w_moment N (PI * x) HN), <- rsum_scal, <- lsum_seq.
    fold l. apply lsum_le. intros j Hj. apply in_seq0 in Hj.
    rewrite pow2_abs. unfold w.
    replace (/ 2 * (fk_w N (PI * x) j * (1 - cos (PI * x - fk_tau N j))))
      with (fk_w N (PI * x) j * (/ 2 * (1 - cos (PI * x - fk_tau N j)))) by ring.
    apply Rmult_le_compat_l; [apply fk_w_nonneg| apply fk_node_dist; assumption].
Qed.

(** ** m = 1: the coefficient form of the construction *)

(** D_ν = M^{-1} Σ_j F(τ_j) cos(ν τ_j), with F(τ_j) = g(x_j). *)
Definition fk_D1 (N : nat) (g : R -> R) (nu : nat) : R :=
  / INR (N + 2) * rsum (fun j => g (fk_node N j) * cos (INR nu * fk_tau N j)) (N + 2).

(** P(x) = ρ_0 D_0 + Σ_{ν=1}^{N} 2 ρ_ν D_ν cos(πνx)  (c_0 = ρ_0 D_0, c_ν = 2 ρ_ν D_ν). *)
Definition fk_P1 (N : nat) (g : R -> R) (x : R) : R :=
  fk_rho N 0 * fk_D1 N g 0
  + rsum (fun k => 2 * fk_rho N (S k) * fk_D1 N g (S k) * cos (PI * INR (S k) * x)) N.

(** F is even and the node set symmetric: Σ_j F(τ_j) sin(ν τ_j) = 0. *)
Lemma fk_sin_sum_zero (N : nat) (g : R -> R) (nu : nat) :
  rsum (fun j => g (fk_node N j) * sin (INR nu * fk_tau N j)) (N + 2) = 0.
Proof.
  set (F := fun j => g (fk_node N j) * sin (INR nu * fk_tau N j)).
  replace (N + 2)%nat with (S (N + 1)) by lia. rewrite rsum_shift.
  assert (H0 : F O = 0) by (unfold F, fk_tau; simpl INR; replace (INR nu * (2 * PI * 0 / INR (N + 2))) with 0
                              by (field; apply Rgt_not_eq, INR_M_pos); rewrite sin_0; ring).
  rewrite H0, Rplus_0_l.
  set (T := rsum (fun j => F (S j)) (N + 1)).
  assert (HT : T + T = 0).
  { unfold T. rewrite (rsum_reflect (fun j => F (S j)) (N + 1)) at 2. rewrite <- rsum_plus.
    rewrite <- (rsum_zero (N + 1)). apply rsum_ext. intros j Hj. unfold F.
    replace (S (N + 1 - S j)) with (N + 2 - S j)%nat by lia.
    rewrite fk_node_reflect by lia. rewrite fk_tau_reflect by lia.
    replace (INR nu * (2 * PI - fk_tau N (S j))) with (- (INR nu * fk_tau N (S j)) + 2 * INR nu * PI)
      by ring.
    rewrite sin_period, sin_neg. ring. }
  lra.
Qed.

(** The coefficient form is the operator form. *)
Theorem fk_P1_op (N : nat) (g : R -> R) (x : R) : fk_P1 N g x = fk_op1 N g x.
Proof.
  assert (HM := INR_M_pos N). set (th := PI * x).
  unfold fk_op1, fk_w, fk_kernel. fold th.
  (* expand the kernel: cos(k(θ − τ)) = cos kθ cos kτ + sin kθ sin kτ *)
  rewrite (rsum_ext _ (fun j => / INR (N + 2) * (g (fk_node N j) * cos (INR 0 * fk_tau N j))
      + rsum (fun k => 2 * fk_rho N (S k) * / INR (N + 2) *
            (cos (INR (S k) * th) * (g (fk_node N j) * cos (INR (S k) * fk_tau N j))
             + sin (INR (S k) * th) * (g (fk_node N j) * sin (INR (S k) * fk_tau N j)))) N)).
  2:{ intros j _. simpl (INR 0). rewrite Rmult_0_l, cos_0.
      assert (E : rsum (fun k => 2 * fk_rho N (S k) * / INR (N + 2) *
            (cos (INR (S k) * th) * (g (fk_node N j) * cos (INR (S k) * fk_tau N j))
             + sin (INR (S k) * th) * (g (fk_node N j) * sin (INR (S k) * fk_tau N j)))) N
            = 2 * / INR (N + 2) * g (fk_node N j)
              * rsum (fun k => fk_rho N (S k) * cos (INR (S k) * (th - fk_tau N j))) N).
      { rewrite <- rsum_scal. apply rsum_ext. intros k _.
        replace (INR (S k) * (th - fk_tau N j)) with (INR (S k) * th - INR (S k) * fk_tau N j) by ring.
        rewrite cos_minus. ring. }
      rewrite E. unfold Rdiv. ring. }
  rewrite rsum_plus, rsum_scal, rsum_swap.
  rewrite (rsum_ext (fun k => rsum (fun j => 2 * fk_rho N (S k) * / INR (N + 2) *
            (cos (INR (S k) * th) * (g (fk_node N j) * cos (INR (S k) * fk_tau N j))
             + sin (INR (S k) * th) * (g (fk_node N j) * sin (INR (S k) * fk_tau N j)))) (N + 2))
          (fun k => 2 * fk_rho N (S k) * fk_D1 N g (S k) * cos (PI * INR (S k) * x))).
  - unfold fk_P1. rewrite fk_rho_0. unfold fk_D1. ring.
  - intros k _. rewrite rsum_scal, rsum_plus, rsum_scal, rsum_scal, fk_sin_sum_zero.
    unfold fk_D1, th. replace (INR (S k) * (PI * x)) with (PI * INR (S k) * x) by ring. ring.
Qed.

(** [lem:fk-trig] for m = 1 (restated as [LemFkTrig.fk_trig_bound_m1]). *)
Theorem fk_trig_bound_m1_proof (N : nat) (L : R) (g : R -> R) (x : R) :
  (1 <= N)%nat -> 0 <= L ->
  (forall y z, 0 <= y <= 1 -> 0 <= z <= 1 -> Rabs (g y - g z) <= L * Rabs (y - z)) ->
  0 <= x <= 1 ->
  Rabs (fk_P1 N g x - g x) <= fk_trig_term L 1 N.
Proof.
  intros HN HL Hg Hx. rewrite fk_P1_op. unfold fk_trig_term. simpl (INR 1). rewrite sqrt_1, Rmult_1_r.
  apply fk_op1_bound; assumption.
Qed.
