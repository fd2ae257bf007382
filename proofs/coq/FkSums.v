(** * Finite sums over [nat] ranges and over lists (helper for the ridge and Fejér–Korovkin files).

    [rsum f n] is Σ_{j<n} f j (recursive on n); [lsum f l] is Σ_{a ∈ l} f a (over a list, with
    repetitions).  Only the standard library's real numbers are used. *)
Require Import Reals Lra List Arith Lia ZArith.
Open Scope R_scope.

(** ** Sums over 0..n-1 *)

Fixpoint rsum (f : nat -> R) (n : nat) : R :=
  match n with
  | O => 0
  | S n' => rsum f n' + f n'
  end.

Lemma rsum_ext (f g : nat -> R) (n : nat) :
  (forall j, (j < n)%nat -> f j = g j) -> rsum f n = rsum g n.
Proof.
  induction n as [|n IH]; intros H; simpl; [reflexivity|].
  rewrite IH by (intros; apply H; lia). rewrite H by lia. reflexivity.
Qed.

Lemma rsum_plus (f g : nat -> R) (n : nat) :
  rsum (fun j => f j + g j) n = rsum f n + rsum g n.
Proof. induction n as [|n IH]; simpl; [ring|]. rewrite IH. ring. Qed.

Lemma rsum_minus (f g : nat -> R) (n : nat) :
  rsum (fun j => f j - g j) n = rsum f n - rsum g n.
Proof. induction n as [|n IH]; simpl; [ring|]. rewrite IH. ring. Qed.

Lemma rsum_scal (c : R) (f : nat -> R) (n : nat) :
  rsum (fun j => c * f j) n = c * rsum f n.
Proof. induction n as [|n IH]; simpl; [ring|]. rewrite IH. ring. Qed.

Lemma rsum_const (c : R) (n : nat) : rsum (fun _ => c) n = INR n * c.
Proof.
  induction n as [|n IH]; simpl rsum; [simpl; ring|].
  rewrite IH, S_INR. ring.
Qed.

Lemma rsum_zero (n : nat) : rsum (fun _ => 0) n = 0.
Proof. rewrite rsum_const. ring. Qed.

Lemma rsum_le (f g : nat -> R) (n : nat) :
  (forall j, (j < n)%nat -> f j <= g j) -> rsum f n <= rsum g n.
Proof.
  induction n as [|n IH]; intros H; simpl; [lra|].
  assert (rsum f n <= rsum g n) by (apply IH; intros; apply H; lia).
  assert (f n <= g n) by (apply H; lia). lra.
Qed.

Lemma rsum_nonneg (f : nat -> R) (n : nat) :
  (forall j, (j < n)%nat -> 0 <= f j) -> 0 <= rsum f n.
Proof.
  intros H. rewrite <- (rsum_zero n). apply rsum_le. exact H.
Qed.

Lemma rsum_abs (f : nat -> R) (n : nat) :
  Rabs (rsum f n) <= rsum (fun j => Rabs (f j)) n.
Proof.
  induction n as [|n IH]; simpl.
  - rewrite Rabs_R0. lra.
  - eapply Rle_trans; [apply Rabs_triang|]. lra.
Qed.

Lemma rsum_telescope (f : nat -> R) (n : nat) :
  rsum (fun j => f (S j) - f j) n = f n - f O.
Proof. induction n as [|n IH]; simpl; [ring|]. rewrite IH. ring. Qed.

Lemma rsum_shift (f : nat -> R) (n : nat) :
  rsum f (S n) = f O + rsum (fun j => f (S j)) n.
Proof.
  induction n as [|n IH]; [simpl; ring|].
  change (rsum f (S (S n))) with (rsum f (S n) + f (S n)). rewrite IH. simpl. ring.
Qed.

Lemma rsum_swap (f : nat -> nat -> R) (n p : nat) :
  rsum (fun i => rsum (fun j => f i j) p) n = rsum (fun j => rsum (fun i => f i j) n) p.
Proof.
  induction n as [|n IH]; simpl.
  - symmetry. apply rsum_zero.
  - rewrite IH, <- rsum_plus. reflexivity.
Qed.

(** Reversing the order of summation. *)
Lemma rsum_reflect (f : nat -> R) (n : nat) :
  rsum f n = rsum (fun j => f (n - S j)%nat) n.
Proof.
  induction n as [|n IH]; [reflexivity|].
  rewrite (rsum_shift (fun j => f (S n - S j)%nat)).
  change (rsum f (S n)) with (rsum f n + f n). rewrite IH.
  replace (S n - 1)%nat with n by lia. rewrite Rplus_comm. reflexivity.
Qed.

(** A sum whose terms vanish from index n on. *)
Lemma rsum_zero_tail (f : nat -> R) (n d : nat) :
  (forall j, (n <= j < n + d)%nat -> f j = 0) -> rsum f (n + d) = rsum f n.
Proof.
  induction d as [|d IH]; intros H.
  - rewrite Nat.add_0_r. reflexivity.
  - rewrite Nat.add_succ_r. simpl. rewrite IH by (intros; apply H; lia).
    rewrite (H (n + d)%nat) by lia. ring.
Qed.

(** ** Sums over lists *)

Definition lsum {A : Type} (f : A -> R) (l : list A) : R :=
  fold_right (fun a acc => f a + acc) 0 l.

Section ListSums.
Context {A : Type}.

Lemma lsum_nil (f : A -> R) : lsum f nil = 0.
Proof. reflexivity. Qed.

Lemma lsum_cons (f : A -> R) (a : A) (l : list A) : lsum f (a :: l) = f a + lsum f l.
Proof. reflexivity. Qed.

Lemma lsum_app (f : A -> R) (l1 l2 : list A) : lsum f (l1 ++ l2) = lsum f l1 + lsum f l2.
Proof. induction l1 as [|a l1 IH]; simpl; [ring|]. unfold lsum in *. rewrite IH. ring. Qed.

Lemma lsum_ext_in (f g : A -> R) (l : list A) :
  (forall a, In a l -> f a = g a) -> lsum f l = lsum g l.
Proof.
  induction l as [|a l IH]; intros H; [reflexivity|].
  rewrite !lsum_cons, H by (left; reflexivity). rewrite IH by (intros; apply H; right; assumption).
  reflexivity.
Qed.

Lemma lsum_plus (f g : A -> R) (l : list A) :
  lsum (fun a => f a + g a) l = lsum f l + lsum g l.
Proof. induction l as [|a l IH]; [simpl; ring|]. rewrite !lsum_cons, IH. ring. Qed.

Lemma lsum_minus (f g : A -> R) (l : list A) :
  lsum (fun a => f a - g a) l = lsum f l - lsum g l.
Proof. induction l as [|a l IH]; [simpl; ring|]. rewrite !lsum_cons, IH. ring. Qed.

Lemma lsum_scal (c : R) (f : A -> R) (l : list A) :
  lsum (fun a => c * f a) l = c * lsum f l.
Proof. induction l as [|a l IH]; [simpl; ring|]. rewrite !lsum_cons, IH. ring. Qed.

Lemma lsum_le (f g : A -> R) (l : list A) :
  (forall a, In a l -> f a <= g a) -> lsum f l <= lsum g l.
Proof.
  induction l as [|a l IH]; intros H; [simpl; lra|]. rewrite !lsum_cons.
  assert (f a <= g a) by (apply H; left; reflexivity).
  assert (lsum f l <= lsum g l) by (apply IH; intros; apply H; right; assumption). lra.
Qed.

Lemma lsum_nonneg (f : A -> R) (l : list A) :
  (forall a, In a l -> 0 <= f a) -> 0 <= lsum f l.
Proof.
  induction l as [|a l IH]; intros H; [simpl; lra|]. rewrite lsum_cons.
  assert (0 <= f a) by (apply H; left; reflexivity).
  assert (0 <= lsum f l) by (apply IH; intros; apply H; right; assumption). lra.
Qed.

Lemma lsum_abs (f : A -> R) (l : list A) : Rabs (lsum f l) <= lsum (fun a => Rabs (f a)) l.
Proof.
  induction l as [|a l IH]; [simpl; rewrite Rabs_R0; lra|]. rewrite !lsum_cons.
  eapply Rle_trans; [apply Rabs_triang|]. lra.
Qed.

Lemma lsum_zero (l : list A) : lsum (fun _ => 0) l = 0.
Proof. induction l as [|a l IH]; [reflexivity|]. rewrite lsum_cons, IH. ring. Qed.

Lemma lsum_filter (p : A -> bool) (f : A -> R) (l : list A) :
  lsum f l = lsum f (filter p l) + lsum f (filter (fun a => negb (p a)) l).
Proof.
  induction l as [|a l IH]; [simpl; ring|]. simpl. destruct (p a); simpl;
  unfold lsum in *; rewrite IH; ring.
Qed.

(** Weighted Cauchy–Schwarz (Jensen for the square) for a probability vector:
    (Σ w b)² ≤ Σ w b² when w ≥ 0 and Σ w = 1.  Proof: 0 ≤ Σ w (b − μ)² = Σ w b² − μ². *)
Lemma lsum_cauchy_schwarz (w b : A -> R) (l : list A) :
  (forall a, In a l -> 0 <= w a) -> lsum w l = 1 ->
  (lsum (fun a => w a * b a) l) ^ 2 <= lsum (fun a => w a * b a ^ 2) l.
Proof.
  intros Hw H1. set (mu := lsum (fun a => w a * b a) l).
  assert (Hv : 0 <= lsum (fun a => w a * (b a - mu) ^ 2) l).
  { apply lsum_nonneg. intros a Ha. apply Rmult_le_pos; [apply Hw; exact Ha| apply pow2_ge_0]. }
  assert (E : lsum (fun a => w a * (b a - mu) ^ 2) l
              = lsum (fun a => w a * b a ^ 2) l - 2 * mu * lsum (fun a => w a * b a) l
                + mu ^ 2 * lsum w l).
  { rewrite <- lsum_scal, <- lsum_scal, <- lsum_minus, <- lsum_plus.
    apply lsum_ext_in. intros. ring. }
  rewrite E, H1 in Hv. fold mu in Hv. lra.
Qed.

(** The same, as the bound Σ w |b| ≤ √(Σ w b²) used with the Euclidean distance. *)
Lemma lsum_cauchy_schwarz_sqrt (w b : A -> R) (l : list A) :
  (forall a, In a l -> 0 <= w a) -> lsum w l = 1 -> (forall a, In a l -> 0 <= b a) ->
  lsum (fun a => w a * b a) l <= sqrt (lsum (fun a => w a * b a ^ 2) l).
Proof.
  intros Hw H1 Hb.
  assert (Hpos : 0 <= lsum (fun a => w a * b a) l).
  { apply lsum_nonneg. intros a Ha. apply Rmult_le_pos; [apply Hw| apply Hb]; exact Ha. }
  rewrite <- (sqrt_pow2 _ Hpos). apply sqrt_le_1.
  - apply pow2_ge_0.
  - apply lsum_nonneg. intros a Ha. apply Rmult_le_pos; [apply Hw; exact Ha| apply pow2_ge_0].
  - apply lsum_cauchy_schwarz; assumption.
Qed.

End ListSums.

Lemma lsum_map {A B : Type} (f : B -> R) (g : A -> B) (l : list A) :
  lsum f (map g l) = lsum (fun a => f (g a)) l.
Proof. induction l as [|a l IH]; [reflexivity|]. simpl. unfold lsum in *. rewrite IH. reflexivity. Qed.

Lemma lsum_flat_map {A B : Type} (f : B -> R) (g : A -> list B) (l : list A) :
  lsum f (flat_map g l) = lsum (fun a => lsum f (g a)) l.
Proof. induction l as [|a l IH]; [reflexivity|]. simpl. rewrite lsum_app, IH. reflexivity. Qed.

Lemma lsum_seq (f : nat -> R) (n : nat) : lsum f (seq 0 n) = rsum f n.
Proof.
  induction n as [|n IH]; [reflexivity|].
  rewrite seq_S, lsum_app, IH. simpl. unfold lsum. simpl. ring.
Qed.

(** Finite sums commute. *)
Lemma lsum_swap {A B : Type} (f : A -> B -> R) (l1 : list A) (l2 : list B) :
  lsum (fun a => lsum (fun b => f a b) l2) l1 = lsum (fun b => lsum (fun a => f a b) l1) l2.
Proof.
  induction l1 as [|a l1 IH].
  - rewrite lsum_nil. symmetry. apply lsum_zero.
  - rewrite lsum_cons, IH, <- lsum_plus. reflexivity.
Qed.

(** ** Integer frequency vectors and points of the unit cube *)

(** ν·x for a frequency vector ν ∈ ℤ^m and a point x ∈ ℝ^m (as lists; extra entries are ignored). *)
Fixpoint dotZ (nu : list Z) (x : list R) : R :=
  match nu, x with
  | n :: nu', y :: x' => IZR n * y + dotZ nu' x'
  | _, _ => 0
  end.

(** x ∈ [0,1]^m, m = length x. *)
Definition in_unit_cube (x : list R) : Prop := Forall (fun y => 0 <= y <= 1) x.
