(** * [lem:routing] — the definitions and claims 1–3 (proofs/lem-routing.md); claim 4 is
    RoutingSpectrum.v, claim 5 and the label's theorem [lem_routing] are LemRouting.v.

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
