(** * [lem:routing], claim 4: spectrum, positive definiteness, the operator norms and cond₂(A)
    (proofs/lem-routing.md). Real arithmetic. *)
Require Import Reals Lra Lia.
Require Import Uat.Sums Uat.Terms Uat.Model Uat.Routing.
Open Scope R_scope.

(** ** Claim 4: spectrum, positive definiteness, norms and the condition number *)

Lemma sqnorm_A (n : nat) (lam : R) (v : nat -> R) :
  sqnorm n (matvec n (route_A n lam) v)
  = (route_a n lam - route_b n lam) ^ 2 * sqnorm n v
    + (2 * (route_a n lam - route_b n lam) * route_b n lam + INR n * route_b n lam ^ 2) * rsum v n ^ 2.
Proof.
  unfold sqnorm. rewrite (rsum_ext _ (fun i => ((route_a n lam - route_b n lam) * v i + route_b n lam * rsum v n) ^ 2) n).
  - rewrite rsum_quad. ring.
  - intros i Hi. rewrite route_A_apply by exact Hi. reflexivity.
Qed.

Lemma sqnorm_Ainv (n : nat) (lam : R) (v : nat -> R) :
  (1 <= n)%nat -> 0 < lam ->
  sqnorm n (matvec n (route_Ainv n lam) v)
  = (sqnorm n v - route_b n lam * (2 - INR n * route_b n lam) * rsum v n ^ 2) / (route_a n lam - route_b n lam) ^ 2.
Proof.
  intros Hn Hl. pose proof (route_gap_pos n lam Hn Hl) as Hg.
  unfold sqnorm.
  rewrite (rsum_ext _ (fun i => (/ (route_a n lam - route_b n lam) * v i
                                   + - (route_b n lam * rsum v n) / (route_a n lam - route_b n lam)) ^ 2) n).
  - rewrite rsum_quad. field. lra.
  - intros i Hi. rewrite route_Ainv_apply by assumption. f_equal. field. lra.
Qed.

(** The vector e_0 − e_1 (sum 0) and the constant vector 1. *)
Definition e01 (i : nat) : R := delta i 0 - delta i 1.

Lemma rsum_e01 (n : nat) : (2 <= n)%nat -> rsum e01 n = 0.
Proof.
  intros Hn. unfold e01. rewrite rsum_minus.
  rewrite (rsum_ext (fun i => delta i 0) (fun i => 1 * delta i 0) n) by (intros; ring).
  rewrite (rsum_ext (fun i => delta i 1) (fun i => 1 * delta i 1) n) by (intros; ring).
  rewrite !rsum_delta_r by lia. ring.
Qed.

Lemma sqnorm_e01 (n : nat) : (2 <= n)%nat -> sqnorm n e01 = 2.
Proof.
  intros Hn. unfold sqnorm, e01.
  rewrite (rsum_ext _ (fun i => 1 * delta i 0 + 1 * delta i 1) n).
  - rewrite rsum_plus, !rsum_delta_r by lia. ring.
  - intros i _. unfold delta. destruct (Nat.eqb_spec i 0), (Nat.eqb_spec i 1); subst; try lia; ring.
Qed.

Lemma sqnorm_ones (n : nat) : sqnorm n (fun _ => 1) = INR n.
Proof. unfold sqnorm. rewrite (rsum_ext _ (fun _ => 1) n) by (intros; ring). rewrite rsum_const. ring. Qed.

Theorem lem_routing_spectrum (n : nat) (lam : R) :
  (2 <= n)%nat -> 0 < lam ->
  (* A is symmetric *)
  (forall i j, route_A n lam i j = route_A n lam j i) /\
  (* A·1 = 1 *)
  (forall i, (i < n)%nat -> matvec n (route_A n lam) (fun _ => 1) i = 1) /\
  (* A v = (a − b) v on 1⊥ *)
  (forall v, rsum v n = 0 -> forall i, (i < n)%nat -> matvec n (route_A n lam) v i = (route_a n lam - route_b n lam) * v i) /\
  (* 1⊥ is not trivial: e_0 − e_1 ≠ 0 lies in it *)
  (rsum e01 n = 0 /\ sqnorm n e01 <> 0) /\
  (* these are all the eigenvalues *)
  (forall mu v, (exists i, (i < n)%nat /\ v i <> 0) ->
     (forall i, (i < n)%nat -> matvec n (route_A n lam) v i = mu * v i) ->
     mu = 1 \/ mu = route_a n lam - route_b n lam) /\
  (* both eigenvalues are positive, a − b = (e^λ − 1)/(e^λ + n − 1) < 1, A is positive definite *)
  0 < route_a n lam - route_b n lam /\ route_a n lam - route_b n lam < 1 /\
  route_a n lam - route_b n lam = (exp lam - 1) / (exp lam + INR n - 1) /\
  (forall v, sqnorm n v <> 0 -> 0 < rsum (fun i => v i * matvec n (route_A n lam) v i) n).
Proof.
  intros Hn Hl. assert (Hn1 : (1 <= n)%nat) by lia.
  pose proof (route_gap_pos n lam Hn1 Hl) as Hg. pose proof (route_b_pos n lam Hn1) as Hb.
  pose proof (route_one_minus_nb n lam Hn1) as Hnb.
  assert (HnR : 2 <= INR n) by (apply le_INR in Hn; simpl in Hn; lra).
  set (a := route_a n lam) in *. set (b := route_b n lam) in *.
  split; [intros; unfold route_A; rewrite delta_sym; reflexivity|].
  split.
  { intros i Hi. rewrite route_A_apply by exact Hi. fold a b. rewrite rsum_const. nra. }
  split.
  { intros v Hv i Hi. rewrite route_A_apply, Hv by exact Hi. fold a b. ring. }
  split; [split; [apply rsum_e01; exact Hn | rewrite sqnorm_e01 by exact Hn; lra]|].
  split.
  { intros mu v [i0 [Hi0 Hv0]] Hev.
    set (s := rsum v n).
    assert (Hc : forall i, (i < n)%nat -> (mu - (a - b)) * v i = b * s).
    { intros i Hi. specialize (Hev i Hi). rewrite route_A_apply in Hev by exact Hi. fold a b s in Hev. lra. }
    destruct (Req_dec s 0) as [Hs|Hs].
    - right. specialize (Hc i0 Hi0). rewrite Hs, Rmult_0_r in Hc.
      apply Rmult_integral in Hc as [Hc|Hc]; [lra | contradiction].
    - left. assert (Hsum : (mu - (a - b)) * s = INR n * (b * s)).
      { unfold s. rewrite <- rsum_scal, <- rsum_const. apply rsum_ext. exact Hc. }
      assert (mu - (a - b) = INR n * b).
      { apply (Rmult_eq_reg_r s); [|exact Hs]. lra. }
      lra. }
  split; [exact Hg|].
  split; [nra|].
  split; [apply route_gap; exact Hn1|].
  intros v Hv.
  assert (E : rsum (fun i => v i * matvec n (route_A n lam) v i) n = (a - b) * sqnorm n v + b * rsum v n ^ 2).
  { unfold sqnorm. rewrite (rsum_ext _ (fun i => (a - b) * v i ^ 2 + b * rsum v n * v i) n).
    - rewrite rsum_plus, !rsum_scal. ring.
    - intros i Hi. rewrite route_A_apply by exact Hi. fold a b. ring. }
  rewrite E.
  assert (0 <= sqnorm n v) by (apply rsum_nonneg; intros; apply pow2_ge_0).
  assert (0 < sqnorm n v) by lra.
  pose proof (pow2_ge_0 (rsum v n)). nra.
Qed.

(** op_norm2 determines σ: the operator norm is well defined. *)
Lemma op_norm2_unique (n : nat) (A : nat -> nat -> R) (s1 s2 : R) :
  op_norm2 n A s1 -> op_norm2 n A s2 -> s1 = s2.
Proof.
  intros [H1 [B1 [v1 [Nv1 E1]]]] [H2 [B2 [v2 [Nv2 E2]]]].
  assert (P1 : 0 < sqnorm n v1).
  { assert (0 <= sqnorm n v1) by (apply rsum_nonneg; intros; apply pow2_ge_0). lra. }
  assert (P2 : 0 < sqnorm n v2).
  { assert (0 <= sqnorm n v2) by (apply rsum_nonneg; intros; apply pow2_ge_0). lra. }
  specialize (B2 v1). specialize (B1 v2).
  assert (s1 ^ 2 <= s2 ^ 2) by (apply (Rmult_le_reg_r (sqnorm n v1)); lra).
  assert (s2 ^ 2 <= s1 ^ 2) by (apply (Rmult_le_reg_r (sqnorm n v2)); lra).
  nra.
Qed.

Lemma op_norm2_A (n : nat) (lam : R) : (1 <= n)%nat -> 0 < lam -> op_norm2 n (route_A n lam) 1.
Proof.
  intros Hn Hl. pose proof (route_gap_pos n lam Hn Hl) as Hg. pose proof (route_b_pos n lam Hn) as Hb.
  pose proof (route_one_minus_nb n lam Hn) as Hnb.
  assert (HnR : 1 <= INR n) by (apply le_INR in Hn; simpl in Hn; lra).
  split; [lra|]. split.
  - intros v. rewrite sqnorm_A.
    pose proof (rsum_sq_le n v) as CS. fold (sqnorm n v) in CS.
    set (a := route_a n lam) in *. set (b := route_b n lam) in *.
    assert (Hk : 0 <= 2 * (a - b) * b + INR n * b ^ 2) by nra.
    assert (E : 1 ^ 2 * sqnorm n v = (a - b) ^ 2 * sqnorm n v + (2 * (a - b) * b + INR n * b ^ 2) * (INR n * sqnorm n v)).
    { replace (a - b) with (1 - INR n * b) by lra. ring. }
    rewrite E. apply Rplus_le_compat_l. apply Rmult_le_compat_l; assumption.
  - exists (fun _ => 1). rewrite sqnorm_ones. split; [lra|].
    unfold sqnorm. rewrite (rsum_ext _ (fun _ => 1) n).
    + rewrite rsum_const. ring.
    + intros i Hi. rewrite route_A_apply by exact Hi. rewrite rsum_const. 
      replace (route_a n lam - route_b n lam) with (1 - INR n * route_b n lam) by lra. ring.
Qed.

Lemma op_norm2_Ainv (n : nat) (lam : R) :
  (2 <= n)%nat -> 0 < lam -> op_norm2 n (route_Ainv n lam) (1 / (route_a n lam - route_b n lam)).
Proof.
  intros Hn Hl. assert (Hn1 : (1 <= n)%nat) by lia.
  pose proof (route_gap_pos n lam Hn1 Hl) as Hg. pose proof (route_b_pos n lam Hn1) as Hb.
  pose proof (route_one_minus_nb n lam Hn1) as Hnb.
  split; [apply Rlt_le, Rdiv_lt_0_compat; lra|]. split.
  - intros v. rewrite sqnorm_Ainv by assumption.
    set (a := route_a n lam) in *. set (b := route_b n lam) in *.
    assert (0 <= b * (2 - INR n * b) * rsum v n ^ 2).
    { apply Rmult_le_pos; [apply Rmult_le_pos; lra | apply pow2_ge_0]. }
    replace ((1 / (a - b)) ^ 2 * sqnorm n v) with (sqnorm n v / (a - b) ^ 2) by (field; lra).
    unfold Rdiv. apply Rmult_le_compat_r; [apply Rlt_le, Rinv_0_lt_compat; nra | lra].
  - exists e01. rewrite sqnorm_e01 by exact Hn. split; [lra|].
    rewrite sqnorm_Ainv, rsum_e01, sqnorm_e01 by assumption. field. lra.
Qed.

Theorem lem_routing_cond (n : nat) (lam : R) :
  (2 <= n)%nat -> 0 < lam ->
  cond2 n (route_A n lam) (route_Ainv n lam) (1 / (route_a n lam - route_b n lam)) /\
  (forall kappa, cond2 n (route_A n lam) (route_Ainv n lam) kappa -> kappa = 1 / (route_a n lam - route_b n lam)) /\
  1 / (route_a n lam - route_b n lam) = (exp lam + INR n - 1) / (exp lam - 1).
Proof.
  intros Hn Hl. assert (Hn1 : (1 <= n)%nat) by lia.
  pose proof (exp_gt_1 lam Hl). pose proof (denom_pos n lam Hn1).
  split; [|split].
  - split; [apply lem_routing_inverse; assumption|].
    exists 1, (1 / (route_a n lam - route_b n lam)). split; [apply op_norm2_A; assumption|].
    split; [apply op_norm2_Ainv; assumption | ring].
  - intros k [_ [s1 [s2 [H1 [H2 ->]]]]].
    rewrite (op_norm2_unique _ _ _ _ H1 (op_norm2_A n lam Hn1 Hl)).
    rewrite (op_norm2_unique _ _ _ _ H2 (op_norm2_Ainv n lam Hn Hl)). ring.
  - rewrite route_gap by exact Hn1. field. split; lra.
Qed.

(** cond₂(A) at λ = 1 + ln n: 1 + n/(e·n − 1); at n = 2 it is (2e+1)/(2e−1); it decreases in n and
    exceeds its limit (e+1)/e by exactly 1/(e·(e·n − 1)). *)
Theorem lem_routing_cond_default (n : nat) :
  (2 <= n)%nat ->
  let lam := 1 + ln (INR n) in
  0 < lam /\
  1 / (route_a n lam - route_b n lam) = 1 + INR n / (exp 1 * INR n - 1) /\
  1 / (route_a n lam - route_b n lam) - (exp 1 + 1) / exp 1 = 1 / (exp 1 * (exp 1 * INR n - 1)) /\
  (n = 2%nat -> 1 / (route_a n lam - route_b n lam) = (2 * exp 1 + 1) / (2 * exp 1 - 1)) /\
  (forall n', (n < n')%nat ->
     1 / (route_a n' (1 + ln (INR n')) - route_b n' (1 + ln (INR n'))) < 1 / (route_a n lam - route_b n lam)).
Proof.
  assert (He : 2 < exp 1).
  { pose proof (exp_ineq1 1 R1_neq_R0). lra. }
  assert (Hln : forall k, (2 <= k)%nat -> 0 < ln (INR k)).
  { intros k Hk. rewrite <- ln_1. apply ln_increasing; [lra|]. apply le_INR in Hk. simpl in Hk. lra. }
  assert (Hexp : forall k, (2 <= k)%nat -> exp (1 + ln (INR k)) = exp 1 * INR k).
  { intros k Hk. rewrite exp_plus, exp_ln; [reflexivity|]. apply lt_0_INR. lia. }
  assert (Hc : forall k, (2 <= k)%nat ->
            1 / (route_a k (1 + ln (INR k)) - route_b k (1 + ln (INR k))) = 1 + INR k / (exp 1 * INR k - 1)).
  { intros k Hk. assert (HkR : 2 <= INR k) by (apply le_INR in Hk; simpl in Hk; lra).
    assert (Hpos : 0 < 1 + ln (INR k)).
    { pose proof (Hln k Hk). lra. }
    rewrite route_gap by lia. rewrite Hexp by exact Hk. field.
    split; nra. }
  intros Hn lam. assert (HnR : 2 <= INR n) by (apply le_INR in Hn; simpl in Hn; lra).
  split; [unfold lam; pose proof (Hln n Hn); lra|].
  unfold lam. rewrite !Hc by exact Hn.
  split; [reflexivity|]. split; [field; split; nra|]. split.
  - intros ->. simpl. field. lra.
  - intros n' Hn'. rewrite Hc by lia.
    assert (Hlt : INR n < INR n') by (apply lt_INR; exact Hn').
    assert (0 < exp 1 * INR n - 1) by nra. assert (0 < exp 1 * INR n' - 1) by nra.
    apply Rplus_lt_compat_l.
    (* n'/(e n' − 1) < n/(e n − 1)  ⇔  n'(e n − 1) < n(e n' − 1)  ⇔  n < n' *)
    apply (Rmult_lt_reg_r ((exp 1 * INR n - 1) * (exp 1 * INR n' - 1))); [nra|].
    replace (INR n' / (exp 1 * INR n' - 1) * ((exp 1 * INR n - 1) * (exp 1 * INR n' - 1)))
      with (INR n' * (exp 1 * INR n - 1)) by (field; lra).
    replace (INR n / (exp 1 * INR n - 1) * ((exp 1 * INR n - 1) * (exp 1 * INR n' - 1)))
      with (INR n * (exp 1 * INR n' - 1)) by (field; lra).
    nra.
Qed.

(** λ = 0: a = b and A is singular (A·(e_0 − e_1) = 0). *)
Theorem lem_routing_singular_at_0 (n : nat) :
  (2 <= n)%nat ->
  route_a n 0 = route_b n 0 /\ sqnorm n e01 <> 0 /\
  forall i, (i < n)%nat -> matvec n (route_A n 0) e01 i = 0.
Proof.
  intros Hn. assert (Hab : route_a n 0 = route_b n 0) by (unfold route_a, route_b; rewrite exp_0; reflexivity).
  split; [exact Hab|]. split; [rewrite sqnorm_e01 by exact Hn; lra|].
  intros i Hi. rewrite route_A_apply, rsum_e01, Hab by assumption. ring.
Qed.
