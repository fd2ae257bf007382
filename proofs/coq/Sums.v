(** * Finite sums: what the routing, gating and equivariance files add to [FkSums].

    [FkSums.rsum f n] is Σ_{j < n} f j. Added here: the Kronecker delta (also the one-hot
    position, (e_i)_k = δ_ik) and its sums, the sum over j ≠ h, a sum of non-negative terms that
    vanishes, Σ (p·v_i + q)², Cauchy–Schwarz against the constant vector, and invariance of a sum
    under a bijection of [0, n). *)
Require Import Reals List Lra Lia Permutation.
Require Export Uat.FkSums.
Import ListNotations.
Open Scope R_scope.

(** Kronecker delta δ_ij. *)
Definition delta (i j : nat) : R := if Nat.eqb i j then 1 else 0.

Lemma delta_sym (i j : nat) : delta i j = delta j i.
Proof. unfold delta. destruct (Nat.eqb_spec i j), (Nat.eqb_spec j i); subst; auto; lia. Qed.

Lemma rsum_S (f : nat -> R) (n : nat) : rsum f (S n) = rsum f n + f n.
Proof. reflexivity. Qed.

Lemma rsum_opp (f : nat -> R) (n : nat) : rsum (fun i => - f i) n = - rsum f n.
Proof. induction n as [|n IH]; simpl; [ring|]. rewrite IH. ring. Qed.

(** Σ_j δ_ij f j = f i and Σ_j f j δ_ji = f i for i < n. *)
Lemma rsum_delta_l (n i : nat) (f : nat -> R) : (i < n)%nat -> rsum (fun j => delta i j * f j) n = f i.
Proof.
  induction n as [|n IH]; intros Hi; [lia|].
  rewrite rsum_S. unfold delta at 2.
  destruct (Nat.eqb_spec i n) as [->|Hne].
  - rewrite (rsum_ext _ (fun _ => 0) n); [rewrite rsum_zero; ring|].
    intros j Hj. unfold delta. destruct (Nat.eqb_spec n j); [lia|ring].
  - rewrite IH by lia. ring.
Qed.

Lemma rsum_delta_r (n i : nat) (f : nat -> R) : (i < n)%nat -> rsum (fun j => f j * delta j i) n = f i.
Proof.
  intros Hi. rewrite <- (rsum_delta_l n i f Hi). apply rsum_ext. intros j _.
  rewrite delta_sym. ring.
Qed.

Lemma rsum_delta_1 (n i : nat) : (i < n)%nat -> rsum (fun j => delta j i) n = 1.
Proof.
  intros Hi. rewrite (rsum_ext _ (fun j => 1 * delta j i) n) by (intros; ring).
  apply (rsum_delta_r n i (fun _ => 1)). exact Hi.
Qed.

(** The sum over j ≠ h: Σ_{j≠h} f j = Σ_j f j − f h. *)
Definition rsum_except (n h : nat) (f : nat -> R) : R := rsum (fun j => if Nat.eqb j h then 0 else f j) n.

Lemma rsum_except_eq (n h : nat) (f : nat -> R) : (h < n)%nat -> rsum_except n h f = rsum f n - f h.
Proof.
  intros Hh. unfold rsum_except.
  rewrite <- (rsum_delta_r n h f Hh), <- rsum_minus. apply rsum_ext. intros j _.
  unfold delta. destruct (Nat.eqb_spec j h); ring.
Qed.

(** A sum of non-negative terms that is 0 has every term 0. *)
Lemma rsum_nonneg_zero (n : nat) (f : nat -> R) :
  (forall i, (i < n)%nat -> 0 <= f i) -> rsum f n = 0 -> forall i, (i < n)%nat -> f i = 0.
Proof.
  induction n as [|n IH]; intros Hpos H0 i Hi; [lia|].
  rewrite rsum_S in H0.
  assert (0 <= rsum f n) by (apply rsum_nonneg; intros; apply Hpos; lia).
  assert (0 <= f n) by (apply Hpos; lia).
  destruct (Nat.eq_dec i n) as [->|Hne]; [lra|].
  apply IH; [intros; apply Hpos; lia | lra | lia].
Qed.

(** Σ_i (p·v_i + q)² = p²·Σ v_i² + 2pq·Σ v_i + n q². *)
Lemma rsum_quad (n : nat) (p q : R) (v : nat -> R) :
  rsum (fun i => (p * v i + q) ^ 2) n =
  p ^ 2 * rsum (fun i => v i ^ 2) n + 2 * p * q * rsum v n + INR n * q ^ 2.
Proof.
  induction n as [|n IH]; [simpl; ring|].
  rewrite !rsum_S, IH, S_INR. ring.
Qed.

(** Cauchy–Schwarz against the constant vector: (Σ v_i)² ≤ n·Σ v_i². *)
Lemma rsum_sq_le (n : nat) (v : nat -> R) : rsum v n ^ 2 <= INR n * rsum (fun i => v i ^ 2) n.
Proof.
  destruct n as [|n'].
  - simpl; lra.
  - set (n := S n'). assert (Hn : 0 < INR n) by (apply lt_0_INR; unfold n; lia).
    set (s := rsum v n).
    assert (H := rsum_nonneg (fun i => (1 * v i + - (s / INR n)) ^ 2) n
                   (fun i _ => pow2_ge_0 _)).
    rewrite rsum_quad in H. fold s in H.
    assert (E : 1 ^ 2 * rsum (fun i => v i ^ 2) n + 2 * 1 * - (s / INR n) * s + INR n * (- (s / INR n)) ^ 2
              = rsum (fun i => v i ^ 2) n - s ^ 2 / INR n) by (field; lra).
    rewrite E in H.
    apply (Rmult_le_compat_l (INR n)) in H; [|lra].
    replace (INR n * (rsum (fun i => v i ^ 2) n - s ^ 2 / INR n))
      with (INR n * rsum (fun i => v i ^ 2) n - s ^ 2) in H by (field; lra).
    lra.
Qed.

(** ** Reindexing by a bijection of [0, n) *)

Lemma lsum_perm (f : nat -> R) (l l' : list nat) : Permutation l l' -> lsum f l = lsum f l'.
Proof. induction 1; simpl; unfold lsum in *; simpl; lra. Qed.

Lemma NoDup_map_left_inv (f g : nat -> nat) (l : list nat) :
  (forall x, In x l -> g (f x) = x) -> NoDup l -> NoDup (map f l).
Proof.
  induction l as [|a l IH]; intros Hinv Hnd; simpl; [constructor|].
  inversion Hnd as [|? ? Hnot Hnd']; subst. constructor.
  - intros Hin. apply in_map_iff in Hin as [y [Hy Hyl]].
    apply Hnot. replace a with y; auto.
    rewrite <- (Hinv y (or_intror Hyl)), <- (Hinv a (or_introl eq_refl)), Hy. reflexivity.
  - apply IH; auto. intros x Hx. apply Hinv. right. exact Hx.
Qed.

(** [is_perm n pi sigma]: pi is a bijection of [0, n) with inverse sigma. *)
Definition is_perm (n : nat) (pi sigma : nat -> nat) : Prop :=
  forall i, (i < n)%nat -> (pi i < n)%nat /\ (sigma i < n)%nat /\ sigma (pi i) = i /\ pi (sigma i) = i.

Lemma rsum_perm (n : nat) (pi sigma : nat -> nat) (f : nat -> R) :
  is_perm n pi sigma -> rsum (fun j => f (pi j)) n = rsum f n.
Proof.
  intros Hp. rewrite <- !lsum_seq.
  rewrite <- (lsum_map f pi). apply lsum_perm.
  apply NoDup_Permutation.
  - apply (NoDup_map_left_inv pi sigma).
    + intros x Hx. apply in_seq in Hx. apply Hp. lia.
    + apply seq_NoDup.
  - apply seq_NoDup.
  - intros x. rewrite in_map_iff, in_seq. split.
    + intros [y [<- Hy]]. apply in_seq in Hy. destruct (Hp y ltac:(lia)) as (H1 & _). lia.
    + intros [_ Hx]. destruct (Hp x ltac:(lia)) as (_ & H2 & _ & H4).
      exists (sigma x). split; [exact H4|]. apply in_seq. lia.
Qed.

Lemma is_perm_inv (n : nat) (pi sigma : nat -> nat) : is_perm n pi sigma -> is_perm n sigma pi.
Proof. intros H i Hi. destruct (H i Hi) as (? & ? & ? & ?). auto. Qed.
