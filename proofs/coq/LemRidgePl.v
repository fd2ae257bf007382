(** * [lem:ridge-pl] — ridge realisation of the cosines by ReLU neurons (proofs/lem-ridge-pl.md)

    Knots t 0 < t 1 < … < t K (any strictly increasing knots; the construction's uniform knots
    t_j = t_lo + j·(t_hi − t_lo)/K are the special case [ridge_knots]), chord slopes
    s_j = (cos t_{j+1} − cos t_j)/(t_{j+1} − t_j), and the ReLU sum
      ℓ(x) = cos t_0 + s_0·ReLU(x − t_0) + Σ_{j=1}^{K−1} (s_j − s_{j−1})·ReLU(x − t_j)
    ([ridge_pl t K x]; the coefficient of ReLU(x − t_j) is [ridge_coef t j]).

    - Claim 1 [ridge_pl_interp_eq]: on every [t_i, t_{i+1}], ℓ(x) = cos t_i + s_i (x − t_i)
      (the piecewise-linear interpolant of cos); [ridge_pl_below]: ℓ = cos t_0 below t_0;
      [ridge_pl_above]: above t_K, ℓ continues with slope s_{K−1}.
    - Claim 2 [ridge_pl_bound]: |ℓ(x) − cos x| ≤ h²/8 on [t_0, t_K] when every step is ≤ h;
      [ridge_pl_uniform_bound] for the uniform knots of the construction.
    - Claim 3 [ridge_pl_lipschitz]: ℓ is 1-Lipschitz on ℝ; [ridge_pl_abs_le_1]: |ℓ| ≤ 1 on [t_0, t_K].
    - Claim 4 [ridge_pl_sum_bound]: |Σ_ν c_ν (ℓ_ν(x_ν) − cos x_ν)| ≤ ridge_pl_term h S for S ≥ Σ|c_ν|;
      [ridge_phase_range]: t_ν = π ν·x̃ ∈ [t_lo(ν), t_hi(ν)] for x̃ ∈ [0,1]^m.

    Real arithmetic; the interpolation error uses the mean value theorem of the standard library
    ([RidgeConvex.cos_chord_error]). *)
Require Import Reals Lra Lia List ZArith.
From Uat Require Import Terms FkSums RidgeConvex.
Open Scope R_scope.

Definition relu (x : R) : R := Rmax 0 x.

Lemma relu_pos (x : R) : 0 <= x -> relu x = x.
Proof. intros; unfold relu; apply Rmax_right; assumption. Qed.

Lemma relu_neg (x : R) : x <= 0 -> relu x = 0.
Proof. intros; unfold relu; apply Rmax_left; assumption. Qed.

Section Knots.
Variable t : nat -> R.

(** s_j, the chord slope of cos on [t_j, t_{j+1}]. *)
Definition ridge_slope (j : nat) : R := (cos (t (S j)) - cos (t j)) / (t (S j) - t j).

(** The output weight of the neuron ReLU(x − t_j): a_0 = s_0, a_j = s_j − s_{j−1}. *)
Definition ridge_coef (j : nat) : R :=
  match j with
  | O => ridge_slope O
  | S j' => ridge_slope (S j') - ridge_slope j'
  end.

(** ℓ(x) = cos t_0 + Σ_{j<K} a_j ReLU(x − t_j). *)
Definition ridge_pl (K : nat) (x : R) : R :=
  cos (t O) + rsum (fun j => ridge_coef j * relu (x - t j)) K.

Definition knots_increasing (K : nat) : Prop := forall j, (j < K)%nat -> t j < t (S j).

(** The prose's form of ℓ, with the first neuron written apart. *)
Lemma ridge_pl_unfold (K : nat) (x : R) :
  ridge_pl (S K) x
  = cos (t O) + ridge_slope O * relu (x - t O)
    + rsum (fun j => (ridge_slope (S j) - ridge_slope j) * relu (x - t (S j))) K.
Proof. unfold ridge_pl. rewrite rsum_shift. simpl. ring. Qed.

Lemma knots_mono (K : nat) : knots_increasing K ->
  forall i j, (i <= j <= K)%nat -> t i <= t j.
Proof.
  intros Hk i j [Hij HjK]. induction j as [|j IH].
  - replace i with O by lia. lra.
  - destruct (Nat.eq_dec i (S j)) as [->|Hne]; [lra|].
    assert (t i <= t j) by (apply IH; lia). assert (t j < t (S j)) by (apply Hk; lia). lra.
Qed.

Lemma knots_increasing_pred (K : nat) : knots_increasing (S K) -> knots_increasing K.
Proof. intros H j Hj. apply H. lia. Qed.

(** Summation by parts: with every ReLU active, the sum is the chord through t_n. *)
Lemma ridge_sum_linear (K : nat) (x : R) : knots_increasing K ->
  forall n, (n < K)%nat ->
  rsum (fun j => ridge_coef j * (x - t j)) (S n)
  = cos (t n) - cos (t O) + ridge_slope n * (x - t n).
Proof.
  intros Hk n. induction n as [|n IH]; intros Hn.
  - simpl. ring.
  - change (rsum (fun j => ridge_coef j * (x - t j)) (S (S n)))
      with (rsum (fun j => ridge_coef j * (x - t j)) (S n) + ridge_coef (S n) * (x - t (S n))).
    rewrite IH by lia. simpl ridge_coef.
    assert (Hs : ridge_slope n * (t (S n) - t n) = cos (t (S n)) - cos (t n)).
    { unfold ridge_slope. field. assert (t n < t (S n)) by (apply Hk; lia). lra. }
    replace (ridge_slope n * (x - t n)) with
      (ridge_slope n * (t (S n) - t n) + ridge_slope n * (x - t (S n))) by ring.
    rewrite Hs. ring.
Qed.

(** ℓ on the piece starting at t_n, whenever x ≥ t_n and no later knot lies below x. *)
Lemma ridge_pl_active (K n : nat) (x : R) : knots_increasing K -> (n < K)%nat -> t n <= x ->
  (forall j, (S n <= j < K)%nat -> x <= t j) ->
  ridge_pl K x = cos (t n) + ridge_slope n * (x - t n).
Proof.
  intros Hk Hn Hx Hr. unfold ridge_pl.
  replace K with (S n + (K - S n))%nat by lia.
  rewrite rsum_zero_tail by (intros j Hj; rewrite relu_neg by (assert (x <= t j) by (apply Hr; lia); lra); ring).
  rewrite (rsum_ext _ (fun j => ridge_coef j * (x - t j))).
  - rewrite ridge_sum_linear with (K := K) by assumption. ring.
  - intros j Hj. rewrite relu_pos; [reflexivity|].
    assert (t j <= t n) by (apply (knots_mono K); [assumption| lia]). lra.
Qed.

(** Claim 1: ℓ is the piecewise-linear interpolant of cos at the knots. *)
Theorem ridge_pl_interp_eq (K i : nat) (x : R) : knots_increasing K -> (i < K)%nat ->
  t i <= x <= t (S i) -> ridge_pl K x = cos (t i) + ridge_slope i * (x - t i).
Proof.
  intros Hk Hi [H1 H2]. apply ridge_pl_active; [assumption| assumption| assumption|].
  intros j Hj. assert (t (S i) <= t j) by (apply (knots_mono K); [assumption| lia]). lra.
Qed.

(** Below t_0, ℓ is the constant cos t_0. *)
Theorem ridge_pl_below (K : nat) (x : R) : knots_increasing K -> x <= t O -> ridge_pl K x = cos (t O).
Proof.
  intros Hk Hx. unfold ridge_pl. rewrite <- (Rplus_0_r (cos (t O))) at 2. f_equal.
  rewrite <- (rsum_zero K). apply rsum_ext. intros j Hj.
  rewrite relu_neg; [ring|]. assert (t O <= t j) by (apply (knots_mono K); [assumption| lia]). lra.
Qed.

(** Above t_K, ℓ continues the last chord. *)
Theorem ridge_pl_above (K : nat) (x : R) : knots_increasing (S K) -> t (S K) <= x ->
  ridge_pl (S K) x = cos (t K) + ridge_slope K * (x - t K).
Proof.
  intros Hk Hx. apply ridge_pl_active; [assumption| lia| |intros; lia].
  assert (t K < t (S K)) by (apply Hk; lia). lra.
Qed.

(** The chord form of claim 1. *)
Lemma ridge_pl_chord (K i : nat) (x : R) : knots_increasing K -> (i < K)%nat ->
  t i <= x <= t (S i) -> ridge_pl K x = chord cos (t i) (t (S i)) x.
Proof. intros. rewrite ridge_pl_interp_eq with (i := i) by assumption. reflexivity. Qed.

(** Every point of [t_0, t_K] lies in some piece. *)
Lemma knots_locate (K : nat) (x : R) : (0 < K)%nat -> t O <= x <= t K ->
  exists i, (i < K)%nat /\ t i <= x <= t (S i).
Proof.
  induction K as [|K IH]; intros HK Hx; [lia|].
  destruct (Rle_dec x (t K)) as [Hle|Hgt].
  - destruct K as [|K'].
    + exists O. split; [lia| lra].
    + destruct IH as [i [Hi Hxi]]; [lia| lra|]. exists i. split; [lia| exact Hxi].
  - exists K. split; [lia| lra].
Qed.

(** Claim 2: |ℓ − cos| ≤ h²/8 on [t_0, t_K] when every knot step is at most h. *)
Theorem ridge_pl_bound (K : nat) (h x : R) : knots_increasing K ->
  (forall j, (j < K)%nat -> t (S j) - t j <= h) -> t O <= x <= t K ->
  Rabs (ridge_pl K x - cos x) <= h ^ 2 / 8.
Proof.
  intros Hk Hh Hx. destruct K as [|K'].
  - assert (x = t O) by lra. subst x. unfold ridge_pl. simpl.
    replace (cos (t O) + 0 - cos (t O)) with 0 by ring. rewrite Rabs_R0.
    assert (0 <= h ^ 2) by apply pow2_ge_0. lra.
  - destruct (knots_locate (S K') x) as [i [Hi Hxi]]; [lia| exact Hx|].
    rewrite ridge_pl_chord with (i := i) by assumption.
    rewrite Rabs_minus_sym. apply cos_chord_error_h; [apply Hk; exact Hi| apply Hh; exact Hi| exact Hxi].
Qed.

(** Claim 3: every chord slope has |s_j| ≤ 1, and ℓ is 1-Lipschitz on ℝ. *)
Lemma ridge_slope_bound (K j : nat) : knots_increasing K -> (j < K)%nat -> Rabs (ridge_slope j) <= 1.
Proof. intros Hk Hj. apply cos_slope_bound. apply Hk. exact Hj. Qed.

Lemma lipschitz_of_ordered (f : R -> R) :
  (forall x y, x <= y -> Rabs (f y - f x) <= y - x) -> forall x y, Rabs (f x - f y) <= Rabs (x - y).
Proof.
  intros H x y. destruct (Rle_dec x y) as [Hxy|Hxy].
  - rewrite Rabs_minus_sym, (Rabs_minus_sym x y), (Rabs_right (y - x)) by lra. apply H. exact Hxy.
  - rewrite (Rabs_right (x - y)) by lra. apply H. lra.
Qed.

Theorem ridge_pl_lipschitz (K : nat) : knots_increasing K ->
  forall x y, Rabs (ridge_pl K x - ridge_pl K y) <= Rabs (x - y).
Proof.
  induction K as [|K IH]; intros Hk.
  - intros x y. unfold ridge_pl. simpl. replace (cos (t O) + 0 - (cos (t O) + 0)) with 0 by ring.
    rewrite Rabs_R0. apply Rabs_pos.
  - apply lipschitz_of_ordered. intros x y Hxy.
    assert (IHK := IH (knots_increasing_pred K Hk)).
    assert (Hs : Rabs (ridge_slope K) <= 1) by (apply (ridge_slope_bound (S K)); [exact Hk| lia]).
    (* left of t_K, ℓ_{K+1} = ℓ_K; right of it, the chord through t_K *)
    assert (Hleft : forall z, z <= t K -> ridge_pl (S K) z = ridge_pl K z).
    { intros z Hz. unfold ridge_pl. simpl rsum. rewrite relu_neg by lra. ring. }
    assert (Hright : forall z, t K <= z -> ridge_pl (S K) z = cos (t K) + ridge_slope K * (z - t K)).
    { intros z Hz. apply ridge_pl_active; [exact Hk| lia| exact Hz| intros; lia]. }
    assert (Hlin : forall u v, t K <= u -> u <= v -> Rabs (ridge_pl (S K) v - ridge_pl (S K) u) <= v - u).
    { intros u v Hu Huv. rewrite Hright, Hright by lra.
      replace (cos (t K) + ridge_slope K * (v - t K) - (cos (t K) + ridge_slope K * (u - t K)))
        with (ridge_slope K * (v - u)) by ring.
      rewrite Rabs_mult, (Rabs_right (v - u)) by lra.
      assert (0 <= v - u) by lra. nra. }
    destruct (Rle_dec y (t K)) as [Hy|Hy].
    + rewrite !Hleft by lra. rewrite <- (Rabs_right (y - x)) by lra. apply IHK.
    + destruct (Rle_dec (t K) x) as [Hx|Hx]; [apply Hlin; lra|].
      assert (H1 : Rabs (ridge_pl (S K) y - ridge_pl (S K) (t K)) <= y - t K) by (apply Hlin; lra).
      assert (H2 : Rabs (ridge_pl (S K) (t K) - ridge_pl (S K) x) <= t K - x).
      { rewrite !Hleft by lra. rewrite <- (Rabs_right (t K - x)) by lra. apply IHK. }
      replace (ridge_pl (S K) y - ridge_pl (S K) x)
        with ((ridge_pl (S K) y - ridge_pl (S K) (t K)) + (ridge_pl (S K) (t K) - ridge_pl (S K) x))
        by ring.
      eapply Rle_trans; [apply Rabs_triang| lra].
Qed.

(** |ℓ| ≤ 1 on [t_0, t_K]: on each piece ℓ is a convex combination of two values of cos. *)
Theorem ridge_pl_abs_le_1 (K : nat) (x : R) : knots_increasing K -> t O <= x <= t K ->
  Rabs (ridge_pl K x) <= 1.
Proof.
  intros Hk Hx. destruct K as [|K'].
  - unfold ridge_pl. simpl. rewrite Rplus_0_r. apply Rabs_le. apply COS_bound.
  - destruct (knots_locate (S K') x) as [i [Hi [H1 H2]]]; [lia| exact Hx|].
    rewrite ridge_pl_chord with (i := i) by (try split; assumption).
    assert (Hd : t i < t (S i)) by (apply Hk; exact Hi).
    set (lam := (x - t i) / (t (S i) - t i)).
    assert (Hl : 0 <= lam <= 1).
    { unfold lam. split.
      - apply Rmult_le_pos; [lra| left; apply Rinv_0_lt_compat; lra].
      - apply (Rmult_le_reg_r (t (S i) - t i)); [lra|]. unfold Rdiv.
        rewrite Rmult_assoc, Rinv_l by lra. lra. }
    assert (E : chord cos (t i) (t (S i)) x = (1 - lam) * cos (t i) + lam * cos (t (S i))).
    { unfold chord, lam. field. lra. }
    rewrite E. pose proof (COS_bound (t i)). pose proof (COS_bound (t (S i))).
    apply Rabs_le. split; nra.
Qed.

End Knots.

(** ** The construction's knots: t_j = t_lo + j·(t_hi − t_lo)/K *)

Definition ridge_knots (tlo thi : R) (K : nat) (j : nat) : R := tlo + INR j * ((thi - tlo) / INR K).

Lemma ridge_knots_increasing (tlo thi : R) (K : nat) : tlo < thi -> (0 < K)%nat ->
  knots_increasing (ridge_knots tlo thi K) K.
Proof.
  intros Hlt HK j _. unfold ridge_knots. rewrite S_INR.
  assert (0 < INR K) by (apply lt_0_INR; exact HK).
  assert (0 < (thi - tlo) / INR K) by (apply Rdiv_lt_0_compat; lra). lra.
Qed.

(** Claim 2 for the construction: K knots with (t_hi − t_lo) ≤ K·h (e.g. K = ⌈(t_hi − t_lo)/h⌉). *)
Theorem ridge_pl_uniform_bound (tlo thi h : R) (K : nat) (x : R) :
  tlo < thi -> (0 < K)%nat -> thi - tlo <= INR K * h -> tlo <= x <= thi ->
  Rabs (ridge_pl (ridge_knots tlo thi K) K x - cos x) <= h ^ 2 / 8.
Proof.
  intros Hlt HK Hh Hx. assert (HKp : 0 < INR K) by (apply lt_0_INR; exact HK).
  apply ridge_pl_bound.
  - apply ridge_knots_increasing; assumption.
  - intros j _. unfold ridge_knots. rewrite S_INR.
    replace (tlo + (INR j + 1) * ((thi - tlo) / INR K) - (tlo + INR j * ((thi - tlo) / INR K)))
      with ((thi - tlo) / INR K) by ring.
    apply (Rmult_le_reg_r (INR K)); [exact HKp|]. unfold Rdiv.
    rewrite Rmult_assoc, Rinv_l by lra. lra.
  - unfold ridge_knots. simpl INR. replace (tlo + 0 * ((thi - tlo) / INR K)) with tlo by ring.
    replace (tlo + INR K * ((thi - tlo) / INR K)) with thi by (field; lra). exact Hx.
Qed.

(** ** Claim 4: the sum over frequencies, with one global knot step h *)

(** Triangle inequality over a family of per-term bounds |e_a| ≤ b_a. *)
Lemma weighted_error_sum {A : Type} (l : list A) (c e b : A -> R) :
  (forall a, In a l -> Rabs (e a) <= b a) ->
  Rabs (lsum (fun a => c a * e a) l) <= lsum (fun a => Rabs (c a) * b a) l.
Proof.
  intros H. eapply Rle_trans; [apply lsum_abs|]. apply lsum_le. intros a Ha.
  rewrite Rabs_mult. apply Rmult_le_compat_l; [apply Rabs_pos| apply H; exact Ha].
Qed.

Theorem ridge_pl_sum_bound {A : Type} (l : list A) (c : A -> R) (t : A -> nat -> R) (K : A -> nat)
    (x : A -> R) (h Sc : R) :
  (forall a, In a l -> knots_increasing (t a) (K a)) ->
  (forall a, In a l -> forall j, (j < K a)%nat -> t a (S j) - t a j <= h) ->
  (forall a, In a l -> t a O <= x a <= t a (K a)) ->
  lsum (fun a => Rabs (c a)) l <= Sc ->
  Rabs (lsum (fun a => c a * (ridge_pl (t a) (K a) (x a) - cos (x a))) l) <= ridge_pl_term h Sc.
Proof.
  intros Hk Hh Hx HS. unfold ridge_pl_term.
  eapply Rle_trans.
  - apply (weighted_error_sum l c (fun a => ridge_pl (t a) (K a) (x a) - cos (x a)) (fun _ => h ^ 2 / 8)).
    intros a Ha. apply ridge_pl_bound; [apply Hk| apply Hh| apply Hx]; exact Ha.
  - rewrite (lsum_ext_in _ (fun a => h ^ 2 / 8 * Rabs (c a))) by (intros; ring).
    rewrite lsum_scal. apply Rmult_le_compat_l; [|exact HS].
    assert (0 <= h ^ 2) by apply pow2_ge_0. lra.
Qed.

(** ** The phase t = π ν·x̃ lies in [t_lo, t_hi] on the unit cube *)

Definition ridge_tlo (nu : list Z) : R := PI * lsum (fun n => IZR (Z.min n 0)) nu.
Definition ridge_thi (nu : list Z) : R := PI * lsum (fun n => IZR (Z.max n 0)) nu.

Lemma ridge_dot_range (nu : list Z) (x : list R) : in_unit_cube x ->
  lsum (fun n => IZR (Z.min n 0)) nu <= dotZ nu x <= lsum (fun n => IZR (Z.max n 0)) nu.
Proof.
  revert x. induction nu as [|n nu IH]; intros x Hx.
  - simpl. lra.
  - rewrite !lsum_cons. destruct x as [|y x'].
    + simpl. assert (0 <= lsum (fun n0 => IZR (Z.max n0 0)) nu /\ lsum (fun n0 => IZR (Z.min n0 0)) nu <= 0).
      { split.
        - apply lsum_nonneg. intros. apply IZR_le. lia.
        - rewrite <- (lsum_zero nu). apply lsum_le. intros. apply IZR_le. lia. }
      assert (IZR (Z.min n 0) <= 0) by (apply IZR_le; lia).
      assert (0 <= IZR (Z.max n 0)) by (apply IZR_le; lia). lra.
    + inversion Hx as [|? ? Hy Hx']; subst. simpl. destruct (IH x' Hx') as [IH1 IH2].
      assert (IZR (Z.min n 0) <= IZR n * y <= IZR (Z.max n 0)).
      { destruct (Z.le_gt_cases 0 n) as [Hn|Hn].
        - rewrite Z.min_r, Z.max_l by lia. assert (0 <= IZR n) by (apply IZR_le; lia). nra.
        - rewrite Z.min_l, Z.max_r by lia. assert (IZR n < 0) by (apply IZR_lt; lia). nra. }
      lra.
Qed.

Theorem ridge_phase_range (nu : list Z) (x : list R) : in_unit_cube x ->
  ridge_tlo nu <= PI * dotZ nu x <= ridge_thi nu.
Proof.
  intros Hx. destruct (ridge_dot_range nu x Hx). unfold ridge_tlo, ridge_thi.
  pose proof PI_RGT_0. split; apply Rmult_le_compat_l; lra.
Qed.
