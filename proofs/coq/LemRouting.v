(** * [lem:routing] — routing attention (proofs/lem-routing.md).

    Tokens are rows [z i] (functions nat → R) in the layout [x_i | e_i | 1 | …]: features at
    [0, d_in), the one-hot position at [d_in, d_in + n), the constant coordinate at [d_in + n].
    Head h has query λ·(constant coordinate), key (e_j)_h, value x_j, scale τ = 1, d_k = 1.
    Matrices are functions nat → nat → R on [0, n)², vectors nat → R on [0, n). Real arithmetic. *)
Require Import Reals Lra Lia.
Require Import Uat.Sums Uat.Terms Uat.Model.
Open Scope R_scope.

Definition route_a (n : nat) (lam : R) : R := exp lam / (exp lam + INR n - 1).
Definition route_b (n : nat) (lam : R) : R := 1 / (exp lam + INR n - 1).

(** A = (a − b)·I + b·11ᵀ and the claimed inverse (I − b·11ᵀ)/(a − b). *)
Definition route_A (n : nat) (lam : R) (i j : nat) : R := (route_a n lam - route_b n lam) * delta i j + route_b n lam.
Definition route_Ainv (n : nat) (lam : R) (i j : nat) : R := (delta i j - route_b n lam) / (route_a n lam - route_b n lam).

Definition matvec (n : nat) (A : nat -> nat -> R) (v : nat -> R) (i : nat) : R := rsum (fun k => A i k * v k) n.
Definition matmul (n : nat) (A B : nat -> nat -> R) (i j : nat) : R := rsum (fun k => A i k * B k j) n.
Definition sqnorm (n : nat) (v : nat -> R) : R := rsum (fun i => v i ^ 2) n.

(** The operator 2-norm: σ ≥ 0 with ‖Av‖ ≤ σ‖v‖ for every v, with equality for some v ≠ 0. *)
Definition op_norm2 (n : nat) (A : nat -> nat -> R) (sigma : R) : Prop :=
  0 <= sigma /\
  (forall v, sqnorm n (matvec n A v) <= sigma ^ 2 * sqnorm n v) /\
  (exists v, sqnorm n v <> 0 /\ sqnorm n (matvec n A v) = sigma ^ 2 * sqnorm n v).

(** The condition number cond₂(A) = ‖A‖₂·‖A⁻¹‖₂, for B a two-sided inverse of A. *)
Definition cond2 (n : nat) (A B : nat -> nat -> R) (kappa : R) : Prop :=
  (forall i j, (i < n)%nat -> (j < n)%nat -> matmul n A B i j = delta i j /\ matmul n B A i j = delta i j) /\
  exists s1 s2, op_norm2 n A s1 /\ op_norm2 n B s2 /\ kappa = s1 * s2.

(** ** Basic facts on a and b *)

Lemma exp_gt_1 (lam : R) : 0 < lam -> 1 < exp lam.
Proof. intros H. rewrite <- exp_0. apply exp_increasing. exact H. Qed.

Lemma denom_pos (n : nat) (lam : R) : (1 <= n)%nat -> 0 < exp lam + INR n - 1.
Proof. intros Hn. apply le_INR in Hn. simpl in Hn. pose proof (exp_pos lam). lra. Qed.

Lemma route_sum (n : nat) (lam : R) : (1 <= n)%nat -> route_a n lam + (INR n - 1) * route_b n lam = 1.
Proof. intros Hn. pose proof (denom_pos n lam Hn). unfold route_a, route_b. field. lra. Qed.

Lemma route_b_pos (n : nat) (lam : R) : (1 <= n)%nat -> 0 < route_b n lam.
Proof. intros Hn. unfold route_b. pose proof (denom_pos n lam Hn). apply Rdiv_lt_0_compat; lra. Qed.

Lemma route_gap (n : nat) (lam : R) :
  (1 <= n)%nat -> route_a n lam - route_b n lam = (exp lam - 1) / (exp lam + INR n - 1).
Proof. intros Hn. pose proof (denom_pos n lam Hn). unfold route_a, route_b. field. lra. Qed.

Lemma route_gap_pos (n : nat) (lam : R) : (1 <= n)%nat -> 0 < lam -> 0 < route_a n lam - route_b n lam.
Proof.
  intros Hn Hl. rewrite route_gap by exact Hn. pose proof (exp_gt_1 lam Hl). pose proof (denom_pos n lam Hn).
  apply Rdiv_lt_0_compat; lra.
Qed.

(** 1 − n·b = a − b (from a + (n−1)b = 1). *)
Lemma route_one_minus_nb (n : nat) (lam : R) :
  (1 <= n)%nat -> 1 - INR n * route_b n lam = route_a n lam - route_b n lam.
Proof. intros Hn. pose proof (route_sum n lam Hn). lra. Qed.

(** (A v)_i = (a − b)·v_i + b·Σ v. *)
Lemma route_A_apply (n : nat) (lam : R) (v : nat -> R) (i : nat) :
  (i < n)%nat -> matvec n (route_A n lam) v i = (route_a n lam - route_b n lam) * v i + route_b n lam * rsum v n.
Proof.
  intros Hi. unfold matvec, route_A.
  rewrite (rsum_ext _ (fun k => (route_a n lam - route_b n lam) * (delta i k * v k) + route_b n lam * v k) n)
    by (intros; ring).
  rewrite rsum_plus, !rsum_scal, rsum_delta_l by exact Hi. reflexivity.
Qed.

(** (A⁻¹ v)_i = (v_i − b·Σ v)/(a − b). *)
Lemma route_Ainv_apply (n : nat) (lam : R) (v : nat -> R) (i : nat) :
  (i < n)%nat -> 0 < lam -> (1 <= n)%nat ->
  matvec n (route_Ainv n lam) v i = (v i - route_b n lam * rsum v n) / (route_a n lam - route_b n lam).
Proof.
  intros Hi Hl Hn. pose proof (route_gap_pos n lam Hn Hl). unfold matvec, route_Ainv.
  rewrite (rsum_ext _ (fun k => / (route_a n lam - route_b n lam) * (delta i k * v k)
                                  + (- route_b n lam / (route_a n lam - route_b n lam)) * v k) n)
    by (intros; field; lra).
  rewrite rsum_plus, !rsum_scal, rsum_delta_l by exact Hi. field. lra.
Qed.

(** ** Claim 1: content-free routing *)

(** The layout of the tokens: features, one-hot positions, constant coordinate. *)
Definition token_layout (n din : nat) (x z : nat -> nat -> R) : Prop :=
  (forall i c, (i < n)%nat -> (c < din)%nat -> z i c = x i c) /\
  (forall i k, (i < n)%nat -> (k < n)%nat -> z i (din + k)%nat = delta i k) /\
  (forall i, (i < n)%nat -> z i (din + n)%nat = 1).

(** Head h at token i: scores s_ij = (λ·z_i[const])·z_j[d_in + h], values z_j[c]. *)
Definition routing_head (n din : nat) (lam : R) (z : nat -> nat -> R) (h i c : nat) : R :=
  attend n (fun j => (lam * z i (din + n)%nat) * z j (din + h)%nat) (fun j => z j c).

Theorem lem_routing_content_free (n din : nat) (lam : R) (x z : nat -> nat -> R) :
  (1 <= n)%nat -> token_layout n din x z ->
  route_a n lam + (INR n - 1) * route_b n lam = 1 /\
  forall h i c, (h < n)%nat -> (i < n)%nat -> (c < din)%nat ->
    routing_head n din lam z h i c
    = route_a n lam * x h c + route_b n lam * rsum_except n h (fun j => x j c).
Proof.
  intros Hn [Hx [He H1]]. split; [apply route_sum; exact Hn|].
  intros h i c Hh Hi Hc. unfold routing_head, attend, softmax.
  rewrite H1 by exact Hi.
  (* the exponentials of the scores: e^λ at j = h, 1 elsewhere *)
  assert (Hs : forall j, (j < n)%nat -> exp (lam * 1 * z j (din + h)%nat) = 1 + (exp lam - 1) * delta j h).
  { intros j Hj. rewrite He by assumption. unfold delta. destruct (Nat.eqb_spec j h).
    - rewrite Rmult_1_r, Rmult_1_r. ring.
    - rewrite Rmult_0_r, exp_0. ring. }
  rewrite (rsum_ext (fun k => exp (lam * 1 * z k (din + h)%nat)) (fun k => 1 + (exp lam - 1) * delta k h) n) by exact Hs.
  rewrite rsum_plus, rsum_const, rsum_scal, rsum_delta_1 by exact Hh.
  replace (INR n * 1 + (exp lam - 1) * 1) with (exp lam + INR n - 1) by ring.
  pose proof (denom_pos n lam Hn) as Hd.
  rewrite (rsum_ext _ (fun j => / (exp lam + INR n - 1) * (x j c) + ((exp lam - 1) / (exp lam + INR n - 1)) * (delta j h * x j c)) n).
  2: { intros j Hj. rewrite Hs, Hx by assumption. field. lra. }
  rewrite rsum_plus, !rsum_scal.
  rewrite (rsum_ext (fun j => delta j h * x j c) (fun j => x j c * delta j h) n) by (intros; ring).
  rewrite rsum_delta_r by exact Hh.
  rewrite rsum_except_eq by exact Hh. unfold route_a, route_b. field. lra.
Qed.

(** ** Claim 2: matrix form y = A x (per feature) *)
Theorem lem_routing_matrix_form (n : nat) (lam : R) (x : nat -> R) (h : nat) :
  (h < n)%nat ->
  matvec n (route_A n lam) x h = route_a n lam * x h + route_b n lam * rsum_except n h x.
Proof.
  intros Hh. rewrite route_A_apply, rsum_except_eq by exact Hh. ring.
Qed.

(** ** Claim 3: the exact inverse, A·A⁻¹ = A⁻¹·A = I *)
Theorem lem_routing_inverse (n : nat) (lam : R) :
  (1 <= n)%nat -> 0 < lam ->
  forall i j, (i < n)%nat -> (j < n)%nat ->
    matmul n (route_A n lam) (route_Ainv n lam) i j = delta i j /\
    matmul n (route_Ainv n lam) (route_A n lam) i j = delta i j.
Proof.
  intros Hn Hl i j Hi Hj. pose proof (route_gap_pos n lam Hn Hl) as Hg.
  pose proof (route_one_minus_nb n lam Hn) as Hnb.
  split.
  - change (matvec n (route_A n lam) (fun k => route_Ainv n lam k j) i = delta i j).
    rewrite route_A_apply by exact Hi. unfold route_Ainv.
    rewrite (rsum_ext _ (fun k => / (route_a n lam - route_b n lam) * delta k j
                                   + - (route_b n lam / (route_a n lam - route_b n lam))) n)
      by (intros; field; lra).
    rewrite rsum_plus, rsum_scal, rsum_const, rsum_delta_1 by exact Hj.
    replace (/ (route_a n lam - route_b n lam) * 1 + INR n * - (route_b n lam / (route_a n lam - route_b n lam)))
      with ((1 - INR n * route_b n lam) / (route_a n lam - route_b n lam)) by (field; lra).
    rewrite Hnb. field. lra.
  - change (matvec n (route_Ainv n lam) (fun k => route_A n lam k j) i = delta i j).
    rewrite route_Ainv_apply by assumption. unfold route_A.
    rewrite rsum_plus, rsum_scal, rsum_const, rsum_delta_1 by exact Hj.
    replace ((route_a n lam - route_b n lam) * 1 + INR n * route_b n lam) with 1 by lra.
    field. lra.
Qed.

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

(** ** Claim 5: the leak of the variant [leak] and when it is attained *)

(** y_h − x_h = b·Σ_j (x_j − x_h). *)
Lemma leak_identity (n : nat) (lam : R) (x : nat -> R) (h : nat) :
  (1 <= n)%nat -> (h < n)%nat ->
  matvec n (route_A n lam) x h - x h = route_b n lam * rsum (fun j => x j - x h) n.
Proof.
  intros Hn Hh. rewrite route_A_apply by exact Hh. rewrite rsum_minus, rsum_const.
  pose proof (route_sum n lam Hn). nra.
Qed.

Theorem lem_routing_leak (n : nat) (lam : R) (x : nat -> R) (h : nat) (M : R) :
  (1 <= n)%nat -> (h < n)%nat -> (forall j, (j < n)%nat -> Rabs (x j - x h) <= M) ->
  Rabs (matvec n (route_A n lam) x h - x h) <= routing_leak_factor n lam * M.
Proof.
  intros Hn Hh HM. rewrite leak_identity by assumption.
  pose proof (route_b_pos n lam Hn) as Hb.
  rewrite Rabs_mult, (Rabs_right (route_b n lam)) by lra.
  assert (E : routing_leak_factor n lam * M = route_b n lam * ((INR n - 1) * M)).
  { unfold routing_leak_factor, route_b. pose proof (denom_pos n lam Hn). field. lra. }
  rewrite E. apply Rmult_le_compat_l; [lra|].
  replace (rsum (fun j => x j - x h) n) with (rsum_except n h (fun j => x j - x h))
    by (rewrite rsum_except_eq by exact Hh; ring).
  eapply Rle_trans; [apply rsum_abs|].
  replace ((INR n - 1) * M) with (rsum (fun j => if Nat.eqb j h then 0 else M) n).
  - apply rsum_le. intros j Hj. destruct (Nat.eqb_spec j h); [rewrite Rabs_R0; lra | apply HM; exact Hj].
  - change (rsum_except n h (fun _ => M) = (INR n - 1) * M).
    rewrite rsum_except_eq, rsum_const by exact Hh. ring.
Qed.

(** [is_max_dev n x h M]: M = max_j |x_j − x_h| over j < n. *)
Definition is_max_dev (n : nat) (x : nat -> R) (h : nat) (M : R) : Prop :=
  (forall j, (j < n)%nat -> Rabs (x j - x h) <= M) /\ exists j, (j < n)%nat /\ Rabs (x j - x h) = M.

(** Attained: if all x_j (j ≠ h) equal x_h + δ, the max deviation is |δ| and the leak is exactly β·|δ|. *)
Theorem lem_routing_leak_attained (n : nat) (lam : R) (x : nat -> R) (h : nat) (dlt : R) :
  (2 <= n)%nat -> (h < n)%nat -> (forall j, (j < n)%nat -> j <> h -> x j = x h + dlt) ->
  is_max_dev n x h (Rabs dlt) /\
  Rabs (matvec n (route_A n lam) x h - x h) = routing_leak_factor n lam * Rabs dlt.
Proof.
  intros Hn Hh Hx. assert (Hn1 : (1 <= n)%nat) by lia.
  assert (Hd : forall j, (j < n)%nat -> x j - x h = if Nat.eqb j h then 0 else dlt).
  { intros j Hj. destruct (Nat.eqb_spec j h) as [->|Hne]; [ring | rewrite Hx by assumption; ring]. }
  split.
  - split.
    + intros j Hj. rewrite Hd by exact Hj. destruct (Nat.eqb j h); [rewrite Rabs_R0; apply Rabs_pos | lra].
    + set (j := if Nat.eqb h 0 then 1%nat else 0%nat). exists j.
      assert (Hj : (j < n)%nat /\ j <> h) by (unfold j; destruct (Nat.eqb_spec h 0); lia).
      split; [tauto|]. rewrite Hd by tauto. destruct (Nat.eqb_spec j h); [tauto | reflexivity].
  - rewrite leak_identity by assumption.
    rewrite (rsum_ext _ (fun j => if Nat.eqb j h then 0 else dlt) n) by exact Hd.
    fold (rsum_except n h (fun _ => dlt)). rewrite rsum_except_eq, rsum_const by exact Hh.
    pose proof (route_b_pos n lam Hn1). pose proof (denom_pos n lam Hn1).
    assert (HnR : 2 <= INR n) by (apply le_INR in Hn; simpl in Hn; lra).
    replace (INR n * dlt - dlt) with ((INR n - 1) * dlt) by ring.
    rewrite Rabs_mult, Rabs_mult, (Rabs_right (route_b n lam)), (Rabs_right (INR n - 1)) by lra.
    unfold routing_leak_factor, route_b. field. lra.
Qed.

(** Equality exactly when all x_j (j ≠ h) are equal. *)
Theorem lem_routing_leak_equality (n : nat) (lam : R) (x : nat -> R) (h : nat) (M : R) :
  (2 <= n)%nat -> (h < n)%nat -> is_max_dev n x h M ->
  Rabs (matvec n (route_A n lam) x h - x h) = routing_leak_factor n lam * M ->
  forall j k, (j < n)%nat -> (k < n)%nat -> j <> h -> k <> h -> x j = x k.
Proof.
  intros Hn Hh [HM _] Heq. assert (Hn1 : (1 <= n)%nat) by lia.
  pose proof (route_b_pos n lam Hn1) as Hb. pose proof (denom_pos n lam Hn1).
  assert (HnR : 2 <= INR n) by (apply le_INR in Hn; simpl in Hn; lra).
  rewrite leak_identity in Heq by assumption.
  set (D := rsum (fun j => x j - x h) n) in *.
  assert (HD : Rabs D = (INR n - 1) * M).
  { rewrite Rabs_mult, (Rabs_right (route_b n lam)) in Heq by lra.
    unfold routing_leak_factor in Heq. unfold route_b in Heq, Hb.
    apply (Rmult_eq_reg_l (1 / (exp lam + INR n - 1))); [|lra].
    rewrite Heq. field. lra. }
  (* every x_j − x_h (j ≠ h) equals the same s·M, s = ±1 *)
  assert (Hall : exists s, forall j, (j < n)%nat -> j <> h -> x j - x h = s).
  { assert (Hsplit : forall sg, (sg = 1 \/ sg = -1) -> sg * D = (INR n - 1) * M ->
                     forall j, (j < n)%nat -> j <> h -> x j - x h = sg * M).
    { intros sg Hsg HsD j Hj Hjh.
      set (f := fun i => if Nat.eqb i h then 0 else M - sg * (x i - x h)).
      assert (Hf0 : forall i, (i < n)%nat -> 0 <= f i).
      { intros i Hi. unfold f. destruct (Nat.eqb i h); [lra|].
        specialize (HM i Hi). destruct Hsg as [-> | ->];
          [pose proof (Rle_abs (x i - x h)) | pose proof (Rle_abs (- (x i - x h))); rewrite Rabs_Ropp in *]; lra. }
      assert (Hfs : rsum f n = 0).
      { unfold f. fold (rsum_except n h (fun i => M - sg * (x i - x h))).
        rewrite rsum_except_eq, rsum_minus, rsum_const, rsum_scal by exact Hh. fold D.
        replace (x h - x h) with 0 by ring. lra. }
      pose proof (rsum_nonneg_zero n f Hf0 Hfs j Hj) as Hz. unfold f in Hz.
      destruct (Nat.eqb_spec j h); [contradiction|].
      destruct Hsg as [-> | ->]; lra. }
    destruct (Rle_or_lt 0 D) as [HD0|HD0].
    - exists (1 * M). apply Hsplit; [left; reflexivity|]. rewrite Rabs_right in HD by lra. lra.
    - exists (-1 * M). apply Hsplit; [right; reflexivity|]. rewrite Rabs_left in HD by lra. lra. }
  destruct Hall as [s Hs]. intros j k Hj Hk Hjh Hkh.
  pose proof (Hs j Hj Hjh). pose proof (Hs k Hk Hkh). lra.
Qed.

(** ** The label: claims 1–5 together *)
Theorem lem_routing (n din : nat) (lam : R) :
  (2 <= n)%nat -> 0 < lam ->
  (* 1. content-free routing: every token i receives y_h = a·x_h + b·Σ_{j≠h} x_j, and a + (n−1)b = 1 *)
  (forall x z, token_layout n din x z ->
     route_a n lam + (INR n - 1) * route_b n lam = 1 /\
     forall h i c, (h < n)%nat -> (i < n)%nat -> (c < din)%nat ->
       routing_head n din lam z h i c = route_a n lam * x h c + route_b n lam * rsum_except n h (fun j => x j c)) /\
  (* 2. matrix form y = A x, A = (a − b)I + b·11ᵀ *)
  (forall x h, (h < n)%nat -> matvec n (route_A n lam) x h = route_a n lam * x h + route_b n lam * rsum_except n h x) /\
  (* 3. the exact inverse (I − b·11ᵀ)/(a − b) *)
  (forall i j, (i < n)%nat -> (j < n)%nat ->
     matmul n (route_A n lam) (route_Ainv n lam) i j = delta i j /\
     matmul n (route_Ainv n lam) (route_A n lam) i j = delta i j) /\
  (* 4. eigenvalues 1 and a − b (and no other), A symmetric positive definite, cond₂(A) = 1/(a − b) *)
  (forall mu v, (exists i, (i < n)%nat /\ v i <> 0) ->
     (forall i, (i < n)%nat -> matvec n (route_A n lam) v i = mu * v i) ->
     mu = 1 \/ mu = route_a n lam - route_b n lam) /\
  (forall i, (i < n)%nat -> matvec n (route_A n lam) (fun _ => 1) i = 1) /\
  (forall v, rsum v n = 0 -> forall i, (i < n)%nat -> matvec n (route_A n lam) v i = (route_a n lam - route_b n lam) * v i) /\
  (forall i j, route_A n lam i j = route_A n lam j i) /\
  (forall v, sqnorm n v <> 0 -> 0 < rsum (fun i => v i * matvec n (route_A n lam) v i) n) /\
  0 < route_a n lam - route_b n lam /\ route_a n lam - route_b n lam < 1 /\
  route_a n lam - route_b n lam = (exp lam - 1) / (exp lam + INR n - 1) /\
  (forall kappa, cond2 n (route_A n lam) (route_Ainv n lam) kappa <-> kappa = 1 / (route_a n lam - route_b n lam)) /\
  1 / (route_a n lam - route_b n lam) = (exp lam + INR n - 1) / (exp lam - 1) /\
  (* at λ = 1 + ln n: cond₂ = 1 + n/(en − 1), (2e+1)/(2e−1) at n = 2, decreasing to (e+1)/e *)
  (let lam0 := 1 + ln (INR n) in
   1 / (route_a n lam0 - route_b n lam0) = 1 + INR n / (exp 1 * INR n - 1) /\
   1 / (route_a n lam0 - route_b n lam0) - (exp 1 + 1) / exp 1 = 1 / (exp 1 * (exp 1 * INR n - 1)) /\
   (n = 2%nat -> 1 / (route_a n lam0 - route_b n lam0) = (2 * exp 1 + 1) / (2 * exp 1 - 1)) /\
   (forall n', (n < n')%nat ->
      1 / (route_a n' (1 + ln (INR n')) - route_b n' (1 + ln (INR n'))) < 1 / (route_a n lam0 - route_b n lam0))) /\
  (* λ = 0: A singular *)
  (route_a n 0 = route_b n 0 /\ forall i, (i < n)%nat -> matvec n (route_A n 0) e01 i = 0) /\
  (* 5. the leak |y_h − x_h| ≤ (n−1)/(e^λ+n−1)·max_j |x_j − x_h|, attained exactly when all x_j (j ≠ h) are equal *)
  (forall x h M, (h < n)%nat -> (forall j, (j < n)%nat -> Rabs (x j - x h) <= M) ->
     Rabs (matvec n (route_A n lam) x h - x h) <= routing_leak_factor n lam * M) /\
  (forall x h dlt, (h < n)%nat -> (forall j, (j < n)%nat -> j <> h -> x j = x h + dlt) ->
     is_max_dev n x h (Rabs dlt) /\ Rabs (matvec n (route_A n lam) x h - x h) = routing_leak_factor n lam * Rabs dlt) /\
  (forall x h M, (h < n)%nat -> is_max_dev n x h M ->
     Rabs (matvec n (route_A n lam) x h - x h) = routing_leak_factor n lam * M ->
     forall j k, (j < n)%nat -> (k < n)%nat -> j <> h -> k <> h -> x j = x k).
Proof.
  intros Hn Hl. assert (Hn1 : (1 <= n)%nat) by lia.
  destruct (lem_routing_spectrum n lam Hn Hl) as (Hsym & H1 & Hperp & _ & Heig & Hg & Hg1 & Hgap & Hpd).
  destruct (lem_routing_cond n lam Hn Hl) as (Hc & Hcu & Hcv).
  destruct (lem_routing_cond_default n Hn) as (_ & D1 & D2 & D3 & D4).
  destruct (lem_routing_singular_at_0 n Hn) as (S1 & _ & S2).
  split; [intros x z Hz; apply lem_routing_content_free; assumption|].
  split; [intros x h Hh; apply lem_routing_matrix_form; exact Hh|].
  split; [apply lem_routing_inverse; assumption|].
  split; [exact Heig|]. split; [exact H1|]. split; [exact Hperp|]. split; [exact Hsym|].
  split; [exact Hpd|]. split; [exact Hg|]. split; [exact Hg1|]. split; [exact Hgap|].
  split; [intros k; split; [apply Hcu | intros ->; exact Hc]|]. split; [exact Hcv|].
  split; [cbv zeta; split; [exact D1|]; split; [exact D2|]; split; [exact D3 | exact D4]|].
  split; [split; assumption|].
  split; [intros; apply lem_routing_leak; assumption|].
  split; [intros; apply lem_routing_leak_attained; assumption|].
  intros x h M Hh HM Heq. apply (lem_routing_leak_equality n lam x h M); assumption.
Qed.

(** ** [claim:softmax-ties]: equal scores get equal weights for every scale λ; two tied scores get
    ½, ½, and a weight tied with another is never above ½ (softmax is never hardmax). *)
Theorem claim_softmax_ties :
  (forall lam s0 s1, s0 = s1 ->
     let s := fun j => lam * (if Nat.eqb j 0 then s0 else s1) in
     softmax 2 s 0 = 1 / 2 /\ softmax 2 s 1 = 1 / 2) /\
  (forall n s i j, (i < n)%nat -> (j < n)%nat -> i <> j -> s i = s j ->
     softmax n s i = softmax n s j /\ softmax n s i <= 1 / 2).
Proof.
  split.
  - intros lam s0 s1 -> s. unfold softmax, s, rsum. simpl.
    split; field; pose proof (exp_pos (lam * s1)); lra.
  - intros n s i j Hi Hj Hij Hs. unfold softmax. rewrite Hs. split; [reflexivity|].
    pose proof (exp_pos (s j)) as He.
    assert (HD : 2 * exp (s j) <= rsum (fun k => exp (s k)) n).
    { replace (2 * exp (s j)) with (rsum (fun k => (delta k i + delta k j) * exp (s k)) n).
      - apply rsum_le. intros k Hk. pose proof (exp_pos (s k)).
        unfold delta. destruct (Nat.eqb_spec k i), (Nat.eqb_spec k j); subst; try lia; lra.
      - rewrite (rsum_ext _ (fun k => exp (s k) * delta k i + exp (s k) * delta k j) n) by (intros; ring).
        rewrite rsum_plus, !rsum_delta_r by assumption. rewrite Hs. ring. }
    apply (Rmult_le_reg_r (rsum (fun k => exp (s k)) n)); [lra|].
    unfold Rdiv. rewrite Rmult_assoc, Rinv_l by lra. lra.
Qed.
