(** * Exact dyadic arithmetic for certificates (certificate.v files).

    Every float64 is a dyadic rational m·2^e; a certificate's numbers are written as [Dy m e] and
    read as reals by [D2R]. Sums, products, |·| and ≤ of dyadics are computed exactly on Z
    ([dy_add], [dy_mul], [dy_abs], [dy_leb]) and proved to agree with the real operations, so a
    certificate's exact sums and comparisons are checked by computation ([vm_compute]) with a
    proof about R. Transcendental terms (sin, √, exp, π) are left to the [interval] tactic. *)
Require Import Reals ZArith List Lra Lia.
Require Import Uat.Terms.
Import ListNotations.
Open Scope R_scope.

Record dy := Dy { dm : Z; de : Z }.

Definition D2R (d : dy) : R := IZR (dm d) * powerRZ 2 (de d).

(** m·2^k as an integer, k ≥ 0. *)
Definition zshift (m k : Z) : Z := m * 2 ^ k.

Definition dy_add (a b : dy) : dy :=
  let e := Z.min (de a) (de b) in
  Dy (zshift (dm a) (de a - e) + zshift (dm b) (de b - e)) e.
Definition dy_mul (a b : dy) : dy := Dy (dm a * dm b) (de a + de b).
Definition dy_abs (a : dy) : dy := Dy (Z.abs (dm a)) (de a).
Definition dy_leb (a b : dy) : bool :=
  let e := Z.min (de a) (de b) in
  Z.leb (zshift (dm a) (de a - e)) (zshift (dm b) (de b - e)).
Definition dy_ltb (a b : dy) : bool :=
  let e := Z.min (de a) (de b) in
  Z.ltb (zshift (dm a) (de a - e)) (zshift (dm b) (de b - e)).
Definition dy_zero : dy := Dy 0 0.
Definition dy_eighth : dy := Dy 1 (-3).

Lemma two_neq_0 : (2 : R) <> 0.
Proof. lra. Qed.

Lemma IZR_pow2 (k : Z) : (0 <= k)%Z -> IZR (2 ^ k) = powerRZ 2 k.
Proof.
  intros Hk. destruct k as [|p|p]; [reflexivity| |lia].
  simpl powerRZ. rewrite pow_IZR, positive_nat_Z. reflexivity.
Qed.

(** m·2^k·2^e = m·2^(e + k) for k ≥ 0. *)
Lemma zshift_R (m k e : Z) : (0 <= k)%Z -> IZR (zshift m k) * powerRZ 2 e = IZR m * powerRZ 2 (e + k).
Proof.
  intros Hk. unfold zshift. rewrite mult_IZR, IZR_pow2 by exact Hk.
  rewrite powerRZ_add by exact two_neq_0. ring.
Qed.

Lemma D2R_aligned (a : dy) (e : Z) : (e <= de a)%Z -> D2R a = IZR (zshift (dm a) (de a - e)) * powerRZ 2 e.
Proof.
  intros He. rewrite zshift_R by lia. unfold D2R. f_equal. f_equal. lia.
Qed.

Lemma D2R_add (a b : dy) : D2R (dy_add a b) = D2R a + D2R b.
Proof.
  unfold dy_add. set (e := Z.min (de a) (de b)).
  rewrite (D2R_aligned a e), (D2R_aligned b e) by lia.
  unfold D2R at 1. simpl. rewrite plus_IZR. ring.
Qed.

Lemma D2R_mul (a b : dy) : D2R (dy_mul a b) = D2R a * D2R b.
Proof. unfold D2R, dy_mul. simpl. rewrite mult_IZR, powerRZ_add by exact two_neq_0. ring. Qed.

Lemma powerRZ_2_pos (e : Z) : 0 < powerRZ 2 e.
Proof. apply powerRZ_lt. lra. Qed.

Lemma D2R_abs (a : dy) : D2R (dy_abs a) = Rabs (D2R a).
Proof.
  unfold D2R, dy_abs. simpl. rewrite Rabs_mult, <- abs_IZR.
  rewrite (Rabs_right (powerRZ 2 (de a))) by (left; apply powerRZ_2_pos). reflexivity.
Qed.

Lemma D2R_eighth : D2R dy_eighth = / 8.
Proof. unfold D2R, dy_eighth. simpl. field. Qed.

Lemma D2R_zero : D2R dy_zero = 0.
Proof. unfold D2R, dy_zero. simpl. ring. Qed.

Lemma dy_leb_R (a b : dy) : dy_leb a b = true -> D2R a <= D2R b.
Proof.
  unfold dy_leb. set (e := Z.min (de a) (de b)). intros H. apply Z.leb_le in H.
  rewrite (D2R_aligned a e), (D2R_aligned b e) by lia.
  apply Rmult_le_compat_r; [left; apply powerRZ_2_pos | apply IZR_le; exact H].
Qed.

Lemma dy_ltb_R (a b : dy) : dy_ltb a b = true -> D2R a < D2R b.
Proof.
  unfold dy_ltb. set (e := Z.min (de a) (de b)). intros H. apply Z.ltb_lt in H.
  rewrite (D2R_aligned a e), (D2R_aligned b e) by lia.
  apply Rmult_lt_compat_r; [apply powerRZ_2_pos | apply IZR_lt; exact H].
Qed.

(** ** The certificate's exact term formulas, computed on dyadics *)

Definition dy_sum (l : list dy) : dy := fold_right dy_add dy_zero l.

Lemma D2R_sum (l : list dy) : D2R (dy_sum l) = fold_right Rplus 0 (map D2R l).
Proof. induction l as [|a l IH]; simpl; [apply D2R_zero | rewrite D2R_add, IH; reflexivity]. Qed.

(** Σ |c|·h²/8 over the pairs (c, h). *)
Definition dy_pl_nu (l : list (dy * dy)) : dy :=
  fold_right (fun p acc => dy_add (dy_mul (dy_abs (fst p)) (dy_mul (dy_mul (snd p) (snd p)) dy_eighth)) acc) dy_zero l.

Definition D2R2 (p : dy * dy) : R * R := (D2R (fst p), D2R (snd p)).

Lemma D2R_pl_nu (l : list (dy * dy)) : D2R (dy_pl_nu l) = ridge_pl_nu_term (map D2R2 l).
Proof.
  induction l as [|[c h] l IH]; simpl; [apply D2R_zero|].
  rewrite D2R_add, IH, !D2R_mul, D2R_abs, D2R_eighth. simpl. unfold Rdiv. ring.
Qed.

Definition dy_trunc (l : list dy) : dy := fold_right (fun c acc => dy_add (dy_abs c) acc) dy_zero l.

Lemma D2R_trunc (l : list dy) : D2R (dy_trunc l) = truncation_term (map D2R l).
Proof.
  induction l as [|c l IH]; simpl; [apply D2R_zero|]. rewrite D2R_add, IH, D2R_abs. reflexivity.
Qed.

(** h²/8·S *)
Definition dy_pl_global (h S : dy) : dy := dy_mul (dy_mul (dy_mul h h) dy_eighth) S.

Lemma D2R_pl_global (h S : dy) : D2R (dy_pl_global h S) = ridge_pl_term (D2R h) (D2R S).
Proof. unfold dy_pl_global, ridge_pl_term. rewrite !D2R_mul, D2R_eighth. unfold Rdiv. ring. Qed.

(** ** The checks a certificate.v runs (each by [vm_compute; reflexivity]) *)

Lemma check_pl_nu (l : list (dy * dy)) (v : dy) :
  dy_leb (dy_pl_nu l) v = true -> ridge_pl_nu_term (map D2R2 l) <= D2R v.
Proof. intros H. rewrite <- D2R_pl_nu. apply dy_leb_R. exact H. Qed.

Lemma check_trunc (l : list dy) (v : dy) :
  dy_leb (dy_trunc l) v = true -> truncation_term (map D2R l) <= D2R v.
Proof. intros H. rewrite <- D2R_trunc. apply dy_leb_R. exact H. Qed.

Lemma check_pl_global (h S v : dy) :
  dy_leb (dy_pl_global h S) v = true -> ridge_pl_term (D2R h) (D2R S) <= D2R v.
Proof. intros H. rewrite <- D2R_pl_global. apply dy_leb_R. exact H. Qed.

Lemma check_sum (l : list dy) (v : dy) :
  dy_leb (dy_sum l) v = true -> fold_right Rplus 0 (map D2R l) <= D2R v.
Proof. intros H. rewrite <- D2R_sum. apply dy_leb_R. exact H. Qed.

Lemma check_le (a b : dy) : dy_leb a b = true -> D2R a <= D2R b.
Proof. apply dy_leb_R. Qed.

Lemma check_lt (a b : dy) : dy_ltb a b = true -> D2R a < D2R b.
Proof. apply dy_ltb_R. Qed.
