(** * [lem:routing] — routing attention (proofs/lem-routing.md): claim 5 (the leak of the variant
    [leak], attained exactly when the other tokens agree), the label's theorem [lem_routing]
    (claims 1–5; claims 1–3 are in Routing.v, claim 4 in RoutingSpectrum.v) and
    [claim:softmax-ties]. Real arithmetic. *)
Require Import Reals Lra Lia.
Require Export Uat.Sums Uat.Terms Uat.Model Uat.Routing Uat.RoutingSpectrum.
Open Scope R_scope.

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
