(** * The one-dimensional Fejér–Korovkin kernel (helper for [LemFkTrig.v]; proofs/lem-fk-trig.md
    Steps 1, 2, 4 and 5).

    M = N + 2 nodes, α = π/(N+2), the weights ρ_k by the closed form the code uses
    ([fk_rho], src/construct/fk-trig.ts [fkTrigRho]), k_N(s) = 1 + 2 Σ_{k=1}^N ρ_k cos(ks).

    - Step 1 [fk_rho_acorr], [fk_acorr_0]: ρ_k = ĉ_k/ĉ_0 with ĉ_k = Σ_{j=0}^{N−k} a_j a_{j+k} the
      autocorrelation of a_j = sin((j+1)α), ĉ_0 = (N+2)/2; [fk_rho_0]: ρ_0 = 1; [fk_rho_1]: ρ_1 = cos α.
    - Step 2 [fk_kernel_sq], [fk_kernel_nonneg]: k_N(s) = |Σ_j a_j e^{ijs}|²/ĉ_0 ≥ 0.
    - Step 4 [grid_cos_sum_zero]: the M-point rule is exact for cos(φ + k·) with 0 < k < M;
      [fk_w_sum]: the weights w_j(θ) = k_N(θ − τ_j)/M sum to 1 (reproduction of constants);
      [fk_w_moment]: Σ_j w_j(θ)(1 − cos(θ − τ_j)) = 1 − cos α (the first moment, N ≥ 1).
    - Step 5 [jordan], [fk_sq_le]: sin u ≥ 2u/π on [0, π/2] and t² ≤ (π²/2)(1 − cos t) on [−π, π]. *)
Require Import Reals Lra Lia List.
From Uat Require Import FkSums RidgeConvex.
Open Scope R_scope.

Definition fk_alpha (N : nat) : R := PI / (INR N + 2).

Definition fk_rho (N k : nat) : R :=
  ((INR N - INR k + 3) * sin ((INR k + 1) * fk_alpha N)
   - (INR N - INR k + 1) * sin ((INR k - 1) * fk_alpha N))
  / (2 * (INR N + 2) * sin (fk_alpha N)).

(** k_N(s) = 1 + 2 Σ_{k=1}^{N} ρ_k cos(k s). *)
Definition fk_kernel (N : nat) (s : R) : R :=
  1 + 2 * rsum (fun k => fk_rho N (S k) * cos (INR (S k) * s)) N.

Definition fk_a (N j : nat) : R := sin ((INR j + 1) * fk_alpha N).

(** Autocorrelation of a sequence over its first n terms: Σ_{j=0}^{n−1−k} a_j a_{j+k}. *)
Definition acorr (a : nat -> R) (n k : nat) : R := rsum (fun j => a j * a (j + k)%nat) (n - k).

Definition fk_acorr (N k : nat) : R := acorr (fk_a N) (N + 1) k.

Lemma INR_N2_pos (N : nat) : 0 < INR N + 2.
Proof. pose proof (pos_INR N). lra. Qed.

Lemma fk_alpha_range (N : nat) : 0 < fk_alpha N <= PI / 2.
Proof.
  unfold fk_alpha. pose proof PI_RGT_0. pose proof (pos_INR N). split.
  - apply Rdiv_lt_0_compat; lra.
  - apply Rmult_le_compat_l; [lra|]. apply Rinv_le_contravar; lra.
Qed.

Lemma fk_sin_alpha_pos (N : nat) : 0 < sin (fk_alpha N).
Proof. destruct (fk_alpha_range N). apply sin_gt_0; [lra|]. pose proof PI_RGT_0. lra. Qed.

Lemma fk_alpha_M (N : nat) : (INR N + 2) * fk_alpha N = PI.
Proof. unfold fk_alpha. field. pose proof (INR_N2_pos N). lra. Qed.

Lemma sin_2PI_minus (x : R) : sin (2 * PI - x) = - sin x.
Proof. rewrite sin_minus, sin_2PI, cos_2PI. ring. Qed.

Lemma sin_shift_diff (u a : R) : sin (u + a) - sin (u - a) = 2 * cos u * sin a.
Proof. rewrite sin_plus, sin_minus. ring. Qed.

(** Telescoping: 2 sin a · Σ_{i<J} cos(φ + 2 i a) = sin(φ + (2J − 1)a) − sin(φ − a). *)
Lemma cos_progression_sum (phi a : R) (J : nat) :
  2 * sin a * rsum (fun i => cos (phi + 2 * INR i * a)) J
  = sin (phi + (2 * INR J - 1) * a) - sin (phi - a).
Proof.
  rewrite <- rsum_scal.
  rewrite (rsum_ext _ (fun i => sin (phi + (2 * INR (S i) - 1) * a) - sin (phi + (2 * INR i - 1) * a))).
  - rewrite (rsum_telescope (fun i => sin (phi + (2 * INR i - 1) * a))). simpl INR.
    replace (phi + (2 * 0 - 1) * a) with (phi - a) by ring. reflexivity.
  - intros i _. rewrite S_INR.
    replace (phi + (2 * (INR i + 1) - 1) * a) with ((phi + 2 * INR i * a) + a) by ring.
    replace (phi + (2 * INR i - 1) * a) with ((phi + 2 * INR i * a) - a) by ring.
    rewrite sin_shift_diff. ring.
Qed.

(** Step 1: the autocorrelation in closed form. *)
Lemma fk_acorr_closed (N k : nat) : (k <= N)%nat ->
  fk_acorr N k = ((INR N + 1 - INR k) * cos (INR k * fk_alpha N)
                  + sin ((INR k + 1) * fk_alpha N) / sin (fk_alpha N)) / 2.
Proof.
  intros Hk. set (al := fk_alpha N). set (J := (N + 1 - k)%nat).
  assert (Hs := fk_sin_alpha_pos N). fold al in Hs.
  assert (HM := fk_alpha_M N). fold al in HM.
  assert (HJ : INR J = INR N + 1 - INR k) by (unfold J; rewrite minus_INR by lia; rewrite plus_INR; simpl; ring).
  unfold fk_acorr, acorr. fold J.
  rewrite (rsum_ext _ (fun j => / 2 * cos (INR k * al) - / 2 * cos ((INR k + 2) * al + 2 * INR j * al))).
  2:{ intros j _. unfold fk_a. fold al. rewrite plus_INR.
      replace ((INR j + INR k + 1) * al) with ((INR j + 1) * al + INR k * al) by ring.
      replace ((INR k + 2) * al + 2 * INR j * al) with ((INR j + 1) * al + ((INR j + 1) * al + INR k * al)) by ring.
      rewrite (cos_plus ((INR j + 1) * al) ((INR j + 1) * al + INR k * al)).
      rewrite (sin_plus ((INR j + 1) * al) (INR k * al)), (cos_plus ((INR j + 1) * al) (INR k * al)).
      pose proof (sin2_cos2 ((INR j + 1) * al)) as E. unfold Rsqr in E.
      match goal with |- ?A = ?B =>
        assert (H : A - B = / 2 * cos (INR k * al) * ((sin ((INR j + 1) * al) * sin ((INR j + 1) * al)
                 + cos ((INR j + 1) * al) * cos ((INR j + 1) * al)) - 1)) by field end.
      rewrite E in H. lra. }
  rewrite rsum_minus, rsum_const, rsum_scal.
  assert (Hsum : rsum (fun j => cos ((INR k + 2) * al + 2 * INR j * al)) J = - sin ((INR k + 1) * al) / sin al).
  { apply (Rmult_eq_reg_l (2 * sin al)); [|lra].
    rewrite cos_progression_sum.
    replace ((INR k + 2) * al + (2 * INR J - 1) * al) with (2 * PI - (INR k + 1) * al)
      by (rewrite HJ, <- HM; ring).
    replace ((INR k + 2) * al - al) with ((INR k + 1) * al) by ring.
    rewrite sin_2PI_minus. field. lra. }
  rewrite Hsum, HJ. field. lra.
Qed.

Lemma fk_acorr_0 (N : nat) : fk_acorr N 0 = (INR N + 2) / 2.
Proof.
  rewrite fk_acorr_closed by lia. simpl INR. rewrite Rmult_0_l, cos_0.
  replace ((0 + 1) * fk_alpha N) with (fk_alpha N) by ring.
  pose proof (fk_sin_alpha_pos N). field. lra.
Qed.

Lemma fk_acorr_0_pos (N : nat) : 0 < fk_acorr N 0.
Proof. rewrite fk_acorr_0. pose proof (INR_N2_pos N). lra. Qed.

(** Step 1: the closed form the code uses is the normalised autocorrelation. *)
Theorem fk_rho_acorr (N k : nat) : (k <= N)%nat -> fk_rho N k = fk_acorr N k / fk_acorr N 0.
Proof.
  intros Hk. rewrite fk_acorr_0, fk_acorr_closed by exact Hk. unfold fk_rho.
  set (al := fk_alpha N). assert (Hs := fk_sin_alpha_pos N). fold al in Hs.
  assert (E : sin ((INR k - 1) * al) = sin ((INR k + 1) * al) - 2 * cos (INR k * al) * sin al).
  { replace ((INR k - 1) * al) with (INR k * al - al) by ring.
    replace ((INR k + 1) * al) with (INR k * al + al) by ring.
    rewrite sin_plus, sin_minus. ring. }
  rewrite E. pose proof (INR_N2_pos N). field. lra.
Qed.

Lemma fk_rho_0 (N : nat) : fk_rho N 0 = 1.
Proof.
  rewrite fk_rho_acorr by lia. pose proof (fk_acorr_0_pos N). field. lra.
Qed.

Lemma fk_rho_1 (N : nat) : fk_rho N 1 = cos (fk_alpha N).
Proof.
  unfold fk_rho. simpl INR. set (al := fk_alpha N). assert (Hs := fk_sin_alpha_pos N). fold al in Hs.
  replace ((1 - 1) * al) with 0 by ring. rewrite sin_0.
  replace ((1 + 1) * al) with (2 * al) by ring. rewrite sin_2a.
  pose proof (INR_N2_pos N). field. lra.
Qed.

(** Step 2, for any real sequence: (Σ a_j cos js)² + (Σ a_j sin js)² = ĉ_0 + 2 Σ_{k≥1} ĉ_k cos ks. *)
Lemma sq_sum_acorr (a : nat -> R) (n : nat) (s : R) :
  (rsum (fun j => a j * cos (INR j * s)) n) ^ 2 + (rsum (fun j => a j * sin (INR j * s)) n) ^ 2
  = acorr a n 0 + 2 * rsum (fun k => acorr a n (S k) * cos (INR (S k) * s)) n.
Proof.
  induction n as [|n IH].
  - unfold acorr. simpl. ring.
  - (* the new row and column of the Gram matrix *)
    assert (Hcross : rsum (fun j => a j * cos (INR j * s)) n * cos (INR n * s)
                     + rsum (fun j => a j * sin (INR j * s)) n * sin (INR n * s)
                     = rsum (fun k => a (n - S k)%nat * cos (INR (S k) * s)) n).
    { rewrite (Rmult_comm (rsum (fun j => a j * cos (INR j * s)) n)),
        (Rmult_comm (rsum (fun j => a j * sin (INR j * s)) n)), <- !rsum_scal, <- rsum_plus.
      rewrite (rsum_reflect (fun j => cos (INR n * s) * (a j * cos (INR j * s))
                                      + sin (INR n * s) * (a j * sin (INR j * s)))).
      apply rsum_ext. intros k Hk. rewrite minus_INR by lia. rewrite S_INR.
      replace ((INR k + 1) * s) with (INR n * s - (INR n - (INR k + 1)) * s) by ring.
      rewrite cos_minus. ring. }
    assert (H0 : acorr a (S n) 0 = acorr a n 0 + a n * a n).
    { unfold acorr. rewrite !Nat.sub_0_r. simpl. rewrite Nat.add_0_r. reflexivity. }
    assert (Hk : forall k, (k < n)%nat -> acorr a (S n) (S k) = acorr a n (S k) + a (n - S k)%nat * a n).
    { intros k Hk. unfold acorr. simpl (S n - S k)%nat.
      replace (n - k)%nat with (S (n - S k)) by lia. simpl.
      replace (n - S k + S k)%nat with n by lia. reflexivity. }
    assert (Hlast : acorr a (S n) (S n) = 0).
    { unfold acorr. rewrite Nat.sub_diag. reflexivity. }
    change (rsum (fun k => acorr a (S n) (S k) * cos (INR (S k) * s)) (S n))
      with (rsum (fun k => acorr a (S n) (S k) * cos (INR (S k) * s)) n
            + acorr a (S n) (S n) * cos (INR (S n) * s)).
    rewrite Hlast, H0.
    rewrite (rsum_ext (fun k => acorr a (S n) (S k) * cos (INR (S k) * s))
               (fun k => acorr a n (S k) * cos (INR (S k) * s)
                         + a n * (a (n - S k)%nat * cos (INR (S k) * s))))
      by (intros k Hkn; rewrite Hk by exact Hkn; ring).
    rewrite rsum_plus, rsum_scal, <- Hcross.
    cbn [rsum].
    replace ((rsum (fun j => a j * cos (INR j * s)) n + a n * cos (INR n * s)) ^ 2
             + (rsum (fun j => a j * sin (INR j * s)) n + a n * sin (INR n * s)) ^ 2)
      with ((rsum (fun j => a j * cos (INR j * s)) n) ^ 2 + (rsum (fun j => a j * sin (INR j * s)) n) ^ 2
            + a n * a n * (sin (INR n * s) ^ 2 + cos (INR n * s) ^ 2)
            + 2 * a n * (rsum (fun j => a j * cos (INR j * s)) n * cos (INR n * s)
                         + rsum (fun j => a j * sin (INR j * s)) n * sin (INR n * s))) by ring.
    rewrite IH. pose proof (sin2_cos2 (INR n * s)) as E. unfold Rsqr in E.
    replace (sin (INR n * s) ^ 2 + cos (INR n * s) ^ 2) with 1 by (rewrite <- E; ring). ring.
Qed.

(** Step 2: k_N(s) = |Σ_{j=0}^{N} a_j e^{ijs}|² / ĉ_0. *)
Theorem fk_kernel_sq (N : nat) (s : R) :
  fk_kernel N s
  = ((rsum (fun j => fk_a N j * cos (INR j * s)) (N + 1)) ^ 2
     + (rsum (fun j => fk_a N j * sin (INR j * s)) (N + 1)) ^ 2) / fk_acorr N 0.
Proof.
  rewrite sq_sum_acorr. fold (fk_acorr N 0). assert (H0 := fk_acorr_0_pos N).
  rewrite Nat.add_1_r. cbn [rsum].
  assert (Hlast : acorr (fk_a N) (S N) (S N) = 0) by (unfold acorr; rewrite Nat.sub_diag; reflexivity).
  rewrite Hlast. unfold fk_kernel.
  rewrite (rsum_ext (fun k => fk_rho N (S k) * cos (INR (S k) * s))
             (fun k => / fk_acorr N 0 * (acorr (fk_a N) (S N) (S k) * cos (INR (S k) * s)))).
  - rewrite rsum_scal. field. lra.
  - intros k Hk. rewrite fk_rho_acorr by lia. unfold fk_acorr. rewrite Nat.add_1_r. field.
    unfold fk_acorr in H0. rewrite Nat.add_1_r in H0. lra.
Qed.

Theorem fk_kernel_nonneg (N : nat) (s : R) : 0 <= fk_kernel N s.
Proof.
  rewrite fk_kernel_sq. apply Rmult_le_pos.
  - pose proof (pow2_ge_0 (rsum (fun j => fk_a N j * cos (INR j * s)) (N + 1))).
    pose proof (pow2_ge_0 (rsum (fun j => fk_a N j * sin (INR j * s)) (N + 1))). lra.
  - left. apply Rinv_0_lt_compat. apply fk_acorr_0_pos.
Qed.

(** ** Step 4: the M-point rule *)

(** Σ_{j<M} cos(φ + k·2πj/M) = 0 for 0 < k < M (a geometric sum, by telescoping). *)
Lemma grid_cos_sum_zero (M k : nat) (phi : R) : (0 < k < M)%nat ->
  rsum (fun j => cos (phi + INR k * (2 * PI * INR j / INR M))) M = 0.
Proof.
  intros [Hk HkM]. assert (HMp : 0 < INR M) by (apply lt_0_INR; lia).
  assert (Hkp : 0 < INR k) by (apply lt_0_INR; lia).
  assert (HkMr : INR k < INR M) by (apply lt_INR; lia).
  set (b := 2 * PI * INR k / INR M).
  assert (Hsb : 0 < sin (b / 2)).
  { apply sin_gt_0; unfold b; pose proof PI_RGT_0.
    - apply Rdiv_lt_0_compat; [apply Rdiv_lt_0_compat|]; nra.
    - apply (Rmult_lt_reg_r (2 * INR M)); [lra|]. field_simplify; [nra| lra]. }
  apply (Rmult_eq_reg_l (2 * sin (b / 2))); [|lra]. rewrite Rmult_0_r, <- rsum_scal.
  rewrite (rsum_ext _ (fun j => sin (phi + (INR (S j) - / 2) * b) - sin (phi + (INR j - / 2) * b))).
  - rewrite (rsum_telescope (fun j => sin (phi + (INR j - / 2) * b))). simpl INR.
    replace (phi + (INR M - / 2) * b) with ((phi + (0 - / 2) * b) + 2 * INR k * PI)
      by (unfold b; field; lra).
    rewrite sin_period. ring.
  - intros j _. rewrite S_INR.
    replace (phi + (INR j + 1 - / 2) * b) with ((phi + INR j * b) + b / 2) by (field; lra).
    replace (phi + (INR j - / 2) * b) with ((phi + INR j * b) - b / 2) by (field; lra).
    rewrite sin_shift_diff. replace (phi + INR k * (2 * PI * INR j / INR M)) with (phi + INR j * b)
      by (unfold b; field; lra). ring.
Qed.

(** The nodes τ_j = 2πj/M, M = N + 2, and the weights w_j(θ) = k_N(θ − τ_j)/M. *)
Definition fk_tau (N j : nat) : R := 2 * PI * INR j / INR (N + 2).

Definition fk_w (N : nat) (theta : R) (j : nat) : R := fk_kernel N (theta - fk_tau N j) / INR (N + 2).

Lemma INR_M (N : nat) : INR (N + 2) = INR N + 2.
Proof. rewrite plus_INR. simpl. ring. Qed.

Lemma fk_w_nonneg (N : nat) (theta : R) (j : nat) : 0 <= fk_w N theta j.
Proof.
  unfold fk_w. apply Rmult_le_pos; [apply fk_kernel_nonneg|].
  left. apply Rinv_0_lt_compat. rewrite INR_M. apply INR_N2_pos.
Qed.

Lemma grid_cos_diff_zero (N k : nat) (theta : R) : (0 < k < N + 2)%nat ->
  rsum (fun j => cos (INR k * (theta - fk_tau N j))) (N + 2) = 0.
Proof.
  intros Hk. rewrite <- (grid_cos_sum_zero (N + 2) k (- (INR k * theta)) Hk).
  apply rsum_ext. intros j _. rewrite <- cos_neg. f_equal. unfold fk_tau. ring.
Qed.

(** Reproduction of constants: Σ_j w_j(θ) = 1. *)
Theorem fk_w_sum (N : nat) (theta : R) : rsum (fk_w N theta) (N + 2) = 1.
Proof.
  unfold fk_w, Rdiv. rewrite (rsum_ext _ (fun j => / INR (N + 2) * fk_kernel N (theta - fk_tau N j)))
    by (intros; ring).
  rewrite rsum_scal. unfold fk_kernel. rewrite rsum_plus, rsum_const, rsum_scal.
  rewrite (rsum_swap (fun j k => fk_rho N (S k) * cos (INR (S k) * (theta - fk_tau N j)))).
  rewrite (rsum_ext _ (fun _ => 0)).
  - rewrite rsum_zero. assert (0 < INR (N + 2)) by (rewrite INR_M; apply INR_N2_pos). field. lra.
  - intros k Hk. rewrite rsum_scal, grid_cos_diff_zero by lia. ring.
Qed.

(** The first moment: Σ_j w_j(θ) cos(θ − τ_j) = ρ_1 = cos α (the rule is exact to degree N + 1). *)
Theorem fk_w_cos (N : nat) (theta : R) : (1 <= N)%nat ->
  rsum (fun j => fk_w N theta j * cos (theta - fk_tau N j)) (N + 2) = cos (fk_alpha N).
Proof.
  intros HN. rewrite <- fk_rho_1.
  assert (HM : 0 < INR (N + 2)) by (rewrite INR_M; apply INR_N2_pos).
  unfold fk_w, fk_kernel.
  rewrite (rsum_ext _ (fun j => / INR (N + 2) * cos (INR 1 * (theta - fk_tau N j))
             + / INR (N + 2) * rsum (fun k => fk_rho N (S k) *
                  (cos (INR (S (S k)) * (theta - fk_tau N j)) + cos (INR k * (theta - fk_tau N j)))) N)).
  2:{ intros j _. set (v := theta - fk_tau N j).
      assert (E : rsum (fun k => fk_rho N (S k) * (cos (INR (S (S k)) * v) + cos (INR k * v))) N
                  = 2 * cos v * rsum (fun k => fk_rho N (S k) * cos (INR (S k) * v)) N).
      { rewrite <- rsum_scal. apply rsum_ext. intros k _.
        replace (INR (S (S k)) * v) with (INR (S k) * v + v) by (rewrite !S_INR; ring).
        replace (INR k * v) with (INR (S k) * v - v) by (rewrite S_INR; ring).
        rewrite cos_plus, cos_minus. ring. }
      rewrite E. simpl (INR 1). rewrite Rmult_1_l. field. lra. }
  rewrite rsum_plus, !rsum_scal, (grid_cos_diff_zero N 1 theta) by lia.
  rewrite (rsum_swap (fun j k => fk_rho N (S k) * (cos (INR (S (S k)) * (theta - fk_tau N j))
                                                  + cos (INR k * (theta - fk_tau N j))))).
  rewrite (rsum_ext _ (fun k => fk_rho N (S k) *
             (rsum (fun j => cos (INR (S (S k)) * (theta - fk_tau N j))) (N + 2)
              + rsum (fun j => cos (INR k * (theta - fk_tau N j))) (N + 2))))
    by (intros; rewrite <- rsum_plus, <- rsum_scal; reflexivity).
  destruct N as [|N']; [lia|].
  rewrite rsum_shift.
  rewrite (rsum_ext (fun k => fk_rho (S N') (S (S k)) *
             (rsum (fun j => cos (INR (S (S (S k))) * (theta - fk_tau (S N') j))) (S N' + 2)
              + rsum (fun j => cos (INR (S k) * (theta - fk_tau (S N') j))) (S N' + 2)))
             (fun _ => 0)).
  2:{ intros k Hk. rewrite !grid_cos_diff_zero by lia. ring. }
  rewrite rsum_zero, grid_cos_diff_zero by lia.
  rewrite (rsum_ext (fun j => cos (INR 0 * (theta - fk_tau (S N') j))) (fun _ => 1))
    by (intros; simpl INR; rewrite Rmult_0_l, cos_0; reflexivity).
  rewrite rsum_const. field. lra.
Qed.

Theorem fk_w_moment (N : nat) (theta : R) : (1 <= N)%nat ->
  rsum (fun j => fk_w N theta j * (1 - cos (theta - fk_tau N j))) (N + 2) = 1 - cos (fk_alpha N).
Proof.
  intros HN. rewrite (rsum_ext _ (fun j => fk_w N theta j - fk_w N theta j * cos (theta - fk_tau N j)))
    by (intros; ring).
  rewrite rsum_minus, fk_w_sum, fk_w_cos by exact HN. reflexivity.
Qed.

(** ** Step 5: Jordan's inequality and t² ≤ (π²/2)(1 − cos t) *)

Theorem jordan (u : R) : 0 <= u <= PI / 2 -> 2 / PI * u <= sin u.
Proof.
  intros Hu. pose proof PI_RGT_0 as Hpi.
  assert (H : (fun v => - sin v + 2 / PI * v) u <= chord (fun v => - sin v + 2 / PI * v) 0 (PI / 2) u).
  { apply (below_chord (fun v => - sin v + 2 / PI * v) (fun v => - cos v + 2 / PI)); [lra| | |exact Hu].
    - intros c _. apply (derivable_pt_lim_plus (fun v => - sin v) (fun v => 2 / PI * v)).
      + exact (derivable_pt_lim_opp sin c _ (derivable_pt_lim_sin c)).
      + assert (Hd := derivable_pt_lim_scal id (2 / PI) c 1 (derivable_pt_lim_id c)).
        rewrite Rmult_1_r in Hd. exact Hd.
    - intros c d Hc Hcd Hd. destruct (Req_dec c d) as [->|Hne]; [lra|].
      assert (cos d < cos c) by (apply cos_decreasing_1; lra). lra. }
  assert (Hch : chord (fun v => - sin v + 2 / PI * v) 0 (PI / 2) u = 0).
  { unfold chord. rewrite sin_0, sin_PI2. field. lra. }
  rewrite Hch in H. cbv beta in H. lra.
Qed.

Theorem fk_sq_le (t : R) : - PI <= t <= PI -> t ^ 2 <= PI ^ 2 / 2 * (1 - cos t).
Proof.
  intros Ht. pose proof PI_RGT_0.
  assert (Hc : 1 - cos t = 2 * sin (Rabs t / 2) ^ 2).
  { replace t with (2 * (t / 2)) at 1 by field. rewrite cos_2a_sin.
    destruct (Rcase_abs t) as [Hn|Hp].
    - rewrite Rabs_left by lra. replace (- t / 2) with (- (t / 2)) by field. rewrite sin_neg. ring.
    - rewrite Rabs_right by lra. ring. }
  assert (Hj : 2 / PI * (Rabs t / 2) <= sin (Rabs t / 2)).
  { apply jordan. split; [apply Rmult_le_pos; [apply Rabs_pos| lra]|].
    apply Rabs_le in Ht. lra. }
  assert (Hj0 : 0 <= 2 / PI * (Rabs t / 2)).
  { apply Rmult_le_pos; [unfold Rdiv; apply Rmult_le_pos; [lra| left; apply Rinv_0_lt_compat; lra]| apply Rmult_le_pos; [apply Rabs_pos| lra]]. }
  assert (Hsq : (2 / PI * (Rabs t / 2)) ^ 2 <= sin (Rabs t / 2) ^ 2) by (apply pow_incr; lra).
  rewrite Hc. replace ((2 / PI * (Rabs t / 2)) ^ 2) with (t ^ 2 / PI ^ 2) in Hsq.
  - apply (Rmult_le_reg_r (/ PI ^ 2)); [apply Rinv_0_lt_compat; apply pow_lt; lra|].
    replace (PI ^ 2 / 2 * (2 * sin (Rabs t / 2) ^ 2) * / PI ^ 2) with (sin (Rabs t / 2) ^ 2) by (field; lra).
    unfold Rdiv in Hsq. lra.
  - rewrite <- (pow2_abs t). field. lra.
Qed.
