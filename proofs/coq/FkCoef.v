(** * [lem:fk-trig] in m dimensions: the coefficient form over Λ⁺ (helper for [LemFkTrig.v];
    proofs/lem-fk-trig.md Step 3 for general m).

    Frequencies are lists of m integers; [fk_cube N m] = {−N..N}^m and [fk_lam_plus N m] = Λ⁺, the
    ν ≠ 0 of the cube whose first nonzero coordinate is positive (the code's choice,
    src/construct/fk-trig.ts [fkTrigFrequencies]).  With ρ_ν = Π_k ρ_{|ν_k|} ([fk_rhoZ]) and
    D_ν = M^{-m} Σ_J F(τ_J) cos(ν·τ_J) ([fk_D]):

    - [fk_W_expand]: M^m W(x̃, J) = Σ_{ν ∈ cube} ρ_ν cos(ν·(πx̃ − τ_J)) (product of the 1-D
      expansions k_N(u) = Σ_{|n| ≤ N} ρ_{|n|} cos(nu); the sine sums vanish by ν ↦ −ν);
    - [fk_grid_sin_zero]: Σ_J F(τ_J) sin(ν·τ_J) = 0 (the grid is invariant under τ ↦ −τ mod 2π
      coordinatewise, F is even and 2π-periodic);
    - [fk_op_cube]: P[F](πx̃) = Σ_{ν ∈ cube} ρ_ν D_ν cos(πν·x̃);
    - [cube_pairing]: pairing ν with −ν, a sum over the cube of an even function is
      f(0) + 2 Σ_{ν ∈ Λ⁺} f(ν);
    - [fk_P_op]: P(x̃) = c_0 + Σ_{ν ∈ Λ⁺} c_ν cos(πν·x̃) with c_0 = ρ_0 D_0, c_ν = 2ρ_ν D_ν
      ([fk_P]) equals the operator form. *)
Require Import Reals Lra Lia List ZArith Permutation.
From Uat Require Import Terms FkSums RidgeConvex FkKernel FkOneDim FkMulti.
Open Scope R_scope.

(** ** Frequencies *)

Definition zrange (N : nat) : list Z :=
  0%Z :: flat_map (fun k => Z.of_nat (S k) :: (- Z.of_nat (S k))%Z :: nil) (seq 0 N).

Fixpoint fk_cube (N m : nat) : list (list Z) :=
  match m with
  | O => nil :: nil
  | S m' => flat_map (fun n => map (cons n) (fk_cube N m')) (zrange N)
  end.

(** Λ⁺: first nonzero coordinate positive. *)
Fixpoint fk_lam_plus (N m : nat) : list (list Z) :=
  match m with
  | O => nil
  | S m' => map (cons 0%Z) (fk_lam_plus N m')
            ++ flat_map (fun k => map (cons (Z.of_nat (S k))) (fk_cube N m')) (seq 0 N)
  end.

Definition fk_rhoZ (N : nat) (nu : list Z) : R :=
  fold_right (fun n acc => fk_rho N (Z.abs_nat n) * acc) 1 nu.

Definition fk_taus (N : nat) (J : list nat) : list R := map (fk_tau N) J.

(** D_ν = M^{-m} Σ_{J ∈ grid} F(τ_J) cos(ν·τ_J). *)
Definition fk_D (N m : nat) (g : list R -> R) (nu : list Z) : R :=
  / INR (N + 2) ^ m * lsum (fun J => g (fk_nodes N J) * cos (dotZ nu (fk_taus N J))) (fk_grid (N + 2) m).

Definition fk_c0 (N m : nat) (g : list R -> R) : R := fk_rhoZ N (repeat 0%Z m) * fk_D N m g (repeat 0%Z m).

Definition fk_coef (N m : nat) (g : list R -> R) (nu : list Z) : R := 2 * fk_rhoZ N nu * fk_D N m g nu.

(** The construction's polynomial P(x̃) = c_0 + Σ_{ν∈Λ⁺} c_ν cos(π ν·x̃). *)
Definition fk_P (N : nat) (g : list R -> R) (x : list R) : R :=
  fk_c0 N (length x) g
  + lsum (fun nu => fk_coef N (length x) g nu * cos (PI * dotZ nu x)) (fk_lam_plus N (length x)).

(** ** Elementary facts *)

Lemma abs_nat_opp (z : Z) : Z.abs_nat (- z) = Z.abs_nat z.
Proof. destruct z; reflexivity. Qed.

Lemma sin_period_Z (x : R) (z : Z) : sin (x + 2 * IZR z * PI) = sin x.
Proof.
  destruct z as [|p|p].
  - simpl. f_equal. ring.
  - replace (IZR (Z.pos p)) with (INR (Pos.to_nat p)) by (rewrite INR_IZR_INZ, positive_nat_Z; reflexivity).
    apply sin_period.
  - replace x with ((x + 2 * IZR (Z.neg p) * PI) + 2 * INR (Pos.to_nat p) * PI) at 2.
    + rewrite sin_period. reflexivity.
    + rewrite INR_IZR_INZ, positive_nat_Z. replace (Z.neg p) with (- Z.pos p)%Z by reflexivity.
      rewrite opp_IZR. ring.
Qed.

Lemma lsum_zrange (N : nat) (f : Z -> R) :
  lsum f (zrange N) = f 0%Z + rsum (fun k => f (Z.of_nat (S k)) + f (- Z.of_nat (S k))%Z) N.
Proof.
  unfold zrange. rewrite lsum_cons, lsum_flat_map, lsum_seq. f_equal.
  apply rsum_ext. intros. unfold lsum. simpl. ring.
Qed.

Lemma lsum_cube_S (N m : nat) (f : list Z -> R) :
  lsum f (fk_cube N (S m)) = lsum (fun n => lsum (fun nu => f (n :: nu)) (fk_cube N m)) (zrange N).
Proof.
  change (fk_cube N (S m)) with (flat_map (fun n => map (cons n) (fk_cube N m)) (zrange N)).
  rewrite lsum_flat_map. apply lsum_ext_in. intros. apply lsum_map.
Qed.

Lemma lsum_mult (A B : Type) (f : A -> R) (g : B -> R) (l1 : list A) (l2 : list B) :
  lsum f l1 * lsum g l2 = lsum (fun a => lsum (fun b => f a * g b) l2) l1.
Proof.
  rewrite Rmult_comm, <- lsum_scal. apply lsum_ext_in. intros. rewrite lsum_scal. ring.
Qed.

(** ** The 1-D kernel as a symmetric sum *)

Lemma fk_kernel_zrange (N : nat) (u : R) :
  fk_kernel N u = lsum (fun n => fk_rho N (Z.abs_nat n) * cos (IZR n * u)) (zrange N).
Proof.
  rewrite lsum_zrange. simpl (Z.abs_nat 0). rewrite fk_rho_0. simpl (IZR 0).
  rewrite Rmult_0_l, cos_0, Rmult_1_l. unfold fk_kernel. f_equal.
  rewrite <- rsum_scal. apply rsum_ext. intros k _.
  rewrite abs_nat_opp, Zabs2Nat.id, opp_IZR, <- INR_IZR_INZ.
  replace (- INR (S k) * u) with (- (INR (S k) * u)) by ring. rewrite cos_neg. ring.
Qed.

Lemma fk_kernel_sin_zrange (N : nat) (u : R) :
  lsum (fun n => fk_rho N (Z.abs_nat n) * sin (IZR n * u)) (zrange N) = 0.
Proof.
  rewrite lsum_zrange. simpl (IZR 0). rewrite Rmult_0_l, sin_0, Rmult_0_r, Rplus_0_l.
  rewrite <- (rsum_zero N). apply rsum_ext. intros k _.
  rewrite abs_nat_opp, opp_IZR.
  replace (- IZR (Z.of_nat (S k)) * u) with (- (IZR (Z.of_nat (S k)) * u)) by ring.
  rewrite sin_neg. ring.
Qed.

(** ** The product expansion of the m-dimensional kernel *)

Fixpoint prodK (N : nat) (u : list R) : R :=
  match u with
  | nil => 1
  | a :: u' => fk_kernel N a * prodK N u'
  end.

Lemma cube_expand (N : nat) (u : list R) :
  lsum (fun nu => fk_rhoZ N nu * cos (dotZ nu u)) (fk_cube N (length u)) = prodK N u
  /\ lsum (fun nu => fk_rhoZ N nu * sin (dotZ nu u)) (fk_cube N (length u)) = 0.
Proof.
  induction u as [|a u [IHc IHs]].
  - split; unfold lsum; simpl; [rewrite cos_0|rewrite sin_0]; ring.
  - simpl length. rewrite !lsum_cube_S. simpl prodK. split.
    + rewrite (lsum_ext_in _ (fun n => fk_rho N (Z.abs_nat n) * cos (IZR n * a)
                 * lsum (fun nu => fk_rhoZ N nu * cos (dotZ nu u)) (fk_cube N (length u))
                 - fk_rho N (Z.abs_nat n) * sin (IZR n * a)
                 * lsum (fun nu => fk_rhoZ N nu * sin (dotZ nu u)) (fk_cube N (length u)))).
      * rewrite IHc, IHs, lsum_minus.
        rewrite (lsum_ext_in (fun n => fk_rho N (Z.abs_nat n) * sin (IZR n * a) * 0) (fun _ => 0))
          by (intros; ring).
        rewrite lsum_zero, Rminus_0_r, fk_kernel_zrange.
        rewrite (lsum_ext_in _ (fun n => prodK N u * (fk_rho N (Z.abs_nat n) * cos (IZR n * a))))
          by (intros; ring).
        rewrite lsum_scal. ring.
      * intros n _. rewrite <- !lsum_scal, <- lsum_minus.
        apply lsum_ext_in. intros nu _. simpl. rewrite cos_plus. ring.
    + rewrite (lsum_ext_in _ (fun n => fk_rho N (Z.abs_nat n) * sin (IZR n * a)
                 * lsum (fun nu => fk_rhoZ N nu * cos (dotZ nu u)) (fk_cube N (length u))
                 + fk_rho N (Z.abs_nat n) * cos (IZR n * a)
                 * lsum (fun nu => fk_rhoZ N nu * sin (dotZ nu u)) (fk_cube N (length u)))).
      * rewrite IHc, IHs, lsum_plus.
        rewrite (lsum_ext_in (fun n => fk_rho N (Z.abs_nat n) * cos (IZR n * a) * 0) (fun _ => 0))
          by (intros; ring).
        rewrite lsum_zero, Rplus_0_r.
        rewrite (lsum_ext_in _ (fun n => prodK N u * (fk_rho N (Z.abs_nat n) * sin (IZR n * a))))
          by (intros; ring).
        rewrite lsum_scal, fk_kernel_sin_zrange. ring.
      * intros n _. rewrite <- !lsum_scal, <- lsum_plus.
        apply lsum_ext_in. intros nu _. simpl. rewrite sin_plus. ring.
Qed.

Fixpoint fk_diffs (N : nat) (x : list R) (J : list nat) : list R :=
  match x, J with
  | y :: x', j :: J' => (PI * y - fk_tau N j) :: fk_diffs N x' J'
  | _, _ => nil
  end.

Lemma fk_diffs_length (N : nat) (x : list R) (J : list nat) :
  length J = length x -> length (fk_diffs N x J) = length x.
Proof.
  revert J. induction x as [|y x IH]; intros [|j J] H; simpl in *; try reflexivity; try discriminate.
  injection H as H. rewrite IH by exact H. reflexivity.
Qed.

Lemma fk_W_prodK (N : nat) (x : list R) (J : list nat) :
  length J = length x -> fk_W N x J = / INR (N + 2) ^ length x * prodK N (fk_diffs N x J).
Proof.
  revert J. induction x as [|y x IH]; intros [|j J] H; simpl in *; try discriminate.
  - rewrite Rinv_1. ring.
  - injection H as H. rewrite IH by exact H. unfold fk_w, Rdiv. rewrite Rinv_mult. ring.
Qed.

Lemma dotZ_diffs (N : nat) (nu : list Z) (x : list R) (J : list nat) :
  length J = length x -> dotZ nu (fk_diffs N x J) = PI * dotZ nu x - dotZ nu (fk_taus N J).
Proof.
  revert x J. induction nu as [|n nu IH]; intros x J H; [simpl; ring|].
  destruct x as [|y x]; destruct J as [|j J]; simpl in *; try discriminate; [ring|].
  injection H as H. rewrite IH by exact H. ring.
Qed.

Theorem fk_W_expand (N : nat) (x : list R) (J : list nat) : length J = length x ->
  fk_W N x J = / INR (N + 2) ^ length x *
    lsum (fun nu => fk_rhoZ N nu * cos (PI * dotZ nu x - dotZ nu (fk_taus N J))) (fk_cube N (length x)).
Proof.
  intros H. rewrite fk_W_prodK by exact H. f_equal.
  destruct (cube_expand N (fk_diffs N x J)) as [Hc _]. rewrite fk_diffs_length in Hc by exact H.
  rewrite <- Hc. apply lsum_ext_in. intros nu _. rewrite dotZ_diffs by exact H. reflexivity.
Qed.

(** ** The reflection τ ↦ −τ (mod 2π) of the grid *)

Definition fk_refl (N j : nat) : nat := match j with O => O | S _ => (N + 2 - j)%nat end.

Lemma rsum_refl (N : nat) (h : nat -> R) : rsum h (N + 2) = rsum (fun j => h (fk_refl N j)) (N + 2).
Proof.
  replace (N + 2)%nat with (S (N + 1)) by lia. rewrite !rsum_shift. simpl (fk_refl N 0). f_equal.
  rewrite rsum_reflect. apply rsum_ext. intros j Hj. unfold fk_refl. f_equal. lia.
Qed.

Lemma lsum_grid_refl (N m : nat) (f : list nat -> R) :
  lsum f (fk_grid (N + 2) m) = lsum (fun J => f (map (fk_refl N) J)) (fk_grid (N + 2) m).
Proof.
  revert f. induction m as [|m IH]; intros f; [reflexivity|].
  rewrite !lsum_grid_S. simpl map.
  rewrite (rsum_ext (fun j => lsum (fun J => f (fk_refl N j :: map (fk_refl N) J)) (fk_grid (N + 2) m))
             (fun j => lsum (fun J => f (fk_refl N j :: J)) (fk_grid (N + 2) m)))
    by (intros j _; symmetry; apply (IH (fun J => f (fk_refl N j :: J)))).
  apply (rsum_refl N (fun j => lsum (fun J => f (j :: J)) (fk_grid (N + 2) m))).
Qed.

Lemma fk_node_refl (N j : nat) : (j < N + 2)%nat -> fk_node N (fk_refl N j) = fk_node N j.
Proof. intros Hj. destruct j as [|j]; [reflexivity|]. apply fk_node_reflect. lia. Qed.

Lemma fk_tau_refl (N j : nat) : (j < N + 2)%nat ->
  exists b : Z, fk_tau N (fk_refl N j) = 2 * IZR b * PI - fk_tau N j.
Proof.
  intros Hj. destruct j as [|j].
  - exists 0%Z. simpl. unfold fk_tau. simpl INR. field. apply Rgt_not_eq, INR_M_pos.
  - exists 1%Z. unfold fk_refl. rewrite fk_tau_reflect by lia. ring.
Qed.

Lemma dotZ_refl (N : nat) (nu : list Z) (J : list nat) : Forall (fun j => (j < N + 2)%nat) J ->
  exists z : Z, dotZ nu (fk_taus N (map (fk_refl N) J)) = 2 * IZR z * PI - dotZ nu (fk_taus N J).
Proof.
  revert J. induction nu as [|n nu IH]; intros J HJ.
  - exists 0%Z. simpl. ring.
  - destruct J as [|j J]; [exists 0%Z; simpl; ring|]. inversion HJ; subst.
    destruct (IH J ltac:(assumption)) as [z Hz]. destruct (fk_tau_refl N j ltac:(assumption)) as [b Hb].
    exists (n * b + z)%Z.
    change (dotZ (n :: nu) (fk_taus N (map (fk_refl N) (j :: J))))
      with (IZR n * fk_tau N (fk_refl N j) + dotZ nu (fk_taus N (map (fk_refl N) J))).
    change (dotZ (n :: nu) (fk_taus N (j :: J))) with (IZR n * fk_tau N j + dotZ nu (fk_taus N J)).
    rewrite Hz, Hb, plus_IZR, mult_IZR. ring.
Qed.

Theorem fk_grid_sin_zero (N m : nat) (g : list R -> R) (nu : list Z) :
  lsum (fun J => g (fk_nodes N J) * sin (dotZ nu (fk_taus N J))) (fk_grid (N + 2) m) = 0.
Proof.
  set (S0 := lsum (fun J => g (fk_nodes N J) * sin (dotZ nu (fk_taus N J))) (fk_grid (N + 2) m)).
  assert (H : S0 + S0 = 0).
  { unfold S0 at 2. rewrite lsum_grid_refl. unfold S0. rewrite <- lsum_plus.
    rewrite <- (lsum_zero (fk_grid (N + 2) m)). apply lsum_ext_in.
    intros J HJ. destruct (fk_grid_in _ _ _ HJ) as [_ Hf].
    assert (Hn : fk_nodes N (map (fk_refl N) J) = fk_nodes N J).
    { unfold fk_nodes. rewrite map_map. apply map_ext_in. intros j Hj.
      apply fk_node_refl. rewrite Forall_forall in Hf. apply Hf. exact Hj. }
    rewrite Hn. destruct (dotZ_refl N nu J Hf) as [z Hz]. rewrite Hz.
    replace (2 * IZR z * PI - dotZ nu (fk_taus N J)) with (- dotZ nu (fk_taus N J) + 2 * IZR z * PI) by ring.
    rewrite sin_period_Z, sin_neg. ring. }
  lra.
Qed.

(** ** The operator as a sum over the cube *)

Theorem fk_op_cube (N : nat) (g : list R -> R) (x : list R) :
  fk_op N g x = lsum (fun nu => fk_rhoZ N nu * fk_D N (length x) g nu * cos (PI * dotZ nu x))
                     (fk_cube N (length x)).
Proof.
  unfold fk_op, fk_D. set (m := length x). set (G := fk_grid (N + 2) m). set (C := fk_cube N m).
  rewrite (lsum_ext_in _ (fun J => lsum (fun nu => / INR (N + 2) ^ m * fk_rhoZ N nu * g (fk_nodes N J)
             * (cos (PI * dotZ nu x) * cos (dotZ nu (fk_taus N J))
                + sin (PI * dotZ nu x) * sin (dotZ nu (fk_taus N J)))) C)).
  2:{ intros J HJ. destruct (fk_grid_in _ _ _ HJ) as [Hl _]. rewrite fk_W_expand by exact Hl.
      fold m C. rewrite Rmult_assoc, (Rmult_comm (lsum _ _)), <- Rmult_assoc, <- lsum_scal.
      apply lsum_ext_in. intros nu _. rewrite cos_minus. ring. }
  rewrite lsum_swap. apply lsum_ext_in. intros nu _.
  rewrite (lsum_ext_in _ (fun J => (/ INR (N + 2) ^ m * fk_rhoZ N nu * cos (PI * dotZ nu x))
                                    * (g (fk_nodes N J) * cos (dotZ nu (fk_taus N J)))
                                  + (/ INR (N + 2) ^ m * fk_rhoZ N nu * sin (PI * dotZ nu x))
                                    * (g (fk_nodes N J) * sin (dotZ nu (fk_taus N J))))) by (intros; ring).
  rewrite lsum_plus, !lsum_scal. unfold G. rewrite fk_grid_sin_zero. ring.
Qed.

(** ** Pairing ν with −ν *)

Lemma lsum_zrange_opp (N : nat) (f : Z -> R) :
  lsum (fun n => f (- n)%Z) (zrange N) = lsum f (zrange N).
Proof.
  rewrite !lsum_zrange. simpl (- 0)%Z. f_equal. apply rsum_ext. intros. rewrite Z.opp_involutive. ring.
Qed.

Lemma lsum_cube_opp (N m : nat) (f : list Z -> R) :
  lsum (fun nu => f (map Z.opp nu)) (fk_cube N m) = lsum f (fk_cube N m).
Proof.
  revert f. induction m as [|m IH]; intros f; [reflexivity|].
  rewrite !lsum_cube_S. simpl map.
  rewrite (lsum_ext_in _ (fun n => lsum (fun nu => f ((- n)%Z :: nu)) (fk_cube N m)))
    by (intros n _; apply (IH (fun nu => f ((- n)%Z :: nu)))).
  rewrite lsum_swap, (lsum_swap (fun n nu => f (n :: nu))). apply lsum_ext_in. intros nu _.
  apply (lsum_zrange_opp N (fun n => f (n :: nu))).
Qed.

Theorem cube_pairing (N m : nat) (f : list Z -> R) : (forall nu, f (map Z.opp nu) = f nu) ->
  lsum f (fk_cube N m) = f (repeat 0%Z m) + 2 * lsum f (fk_lam_plus N m).
Proof.
  revert f. induction m as [|m IH]; intros f Hf.
  - unfold lsum. simpl. ring.
  - rewrite lsum_cube_S, lsum_zrange.
    rewrite (IH (fun nu => f (0%Z :: nu))) by (intros nu; exact (Hf (0%Z :: nu))).
    assert (Hneg : forall k, lsum (fun nu => f ((- Z.of_nat (S k))%Z :: nu)) (fk_cube N m)
                             = lsum (fun nu => f (Z.of_nat (S k) :: nu)) (fk_cube N m)).
    { intros k. rewrite <- (lsum_cube_opp N m (fun nu => f ((- Z.of_nat (S k))%Z :: nu))).
      apply lsum_ext_in. intros nu _. rewrite <- (Hf (Z.of_nat (S k) :: nu)). reflexivity. }
    rewrite (rsum_ext _ (fun k => 2 * lsum (fun nu => f (Z.of_nat (S k) :: nu)) (fk_cube N m)))
      by (intros k _; rewrite Hneg; ring).
    rewrite rsum_scal.
    change (fk_lam_plus N (S m)) with (map (cons 0%Z) (fk_lam_plus N m)
            ++ flat_map (fun k => map (cons (Z.of_nat (S k))) (fk_cube N m)) (seq 0 N)).
    rewrite lsum_app, lsum_map, lsum_flat_map, lsum_seq.
    rewrite (rsum_ext (fun k => lsum f (map (cons (Z.of_nat (S k))) (fk_cube N m)))
               (fun k => lsum (fun nu => f (Z.of_nat (S k) :: nu)) (fk_cube N m)))
      by (intros; apply lsum_map).
    change (repeat 0%Z (S m)) with (0%Z :: repeat 0%Z m). ring.
Qed.

(** ** The coefficient form is the operator form *)

Lemma fk_rhoZ_opp (N : nat) (nu : list Z) : fk_rhoZ N (map Z.opp nu) = fk_rhoZ N nu.
Proof. induction nu as [|n nu IH]; [reflexivity|]. simpl. rewrite abs_nat_opp, IH. reflexivity. Qed.

Lemma dotZ_opp (nu : list Z) (u : list R) : dotZ (map Z.opp nu) u = - dotZ nu u.
Proof.
  revert u. induction nu as [|n nu IH]; intros [|a u]; simpl; try ring.
  rewrite IH, opp_IZR. ring.
Qed.

Lemma dotZ_zero (m : nat) (u : list R) : dotZ (repeat 0%Z m) u = 0.
Proof.
  revert u. induction m as [|m IH]; intros [|a u]; simpl; try reflexivity. rewrite IH. ring.
Qed.

Lemma fk_rhoZ_zero (N m : nat) : fk_rhoZ N (repeat 0%Z m) = 1.
Proof. induction m as [|m IH]; [reflexivity|]. simpl. rewrite IH, fk_rho_0. ring. Qed.

Lemma fk_D_opp (N m : nat) (g : list R -> R) (nu : list Z) : fk_D N m g (map Z.opp nu) = fk_D N m g nu.
Proof.
  unfold fk_D. f_equal. apply lsum_ext_in. intros J _. rewrite dotZ_opp, cos_neg. reflexivity.
Qed.

Theorem fk_P_op (N : nat) (g : list R -> R) (x : list R) : fk_P N g x = fk_op N g x.
Proof.
  rewrite fk_op_cube. set (m := length x).
  rewrite (cube_pairing N m (fun nu => fk_rhoZ N nu * fk_D N m g nu * cos (PI * dotZ nu x))).
  - unfold fk_P, fk_c0, fk_coef. fold m. rewrite dotZ_zero, Rmult_0_r, cos_0, <- lsum_scal. f_equal; [ring|].
    apply lsum_ext_in. intros. ring.
  - intros nu. rewrite fk_rhoZ_opp, fk_D_opp, dotZ_opp.
    replace (PI * - dotZ nu x) with (- (PI * dotZ nu x)) by ring. rewrite cos_neg. reflexivity.
Qed.

(** c_0 = D_0 (ρ_0 = 1). *)
Lemma fk_c0_D0 (N m : nat) (g : list R -> R) : fk_c0 N m g = fk_D N m g (repeat 0%Z m).
Proof. unfold fk_c0. rewrite fk_rhoZ_zero. ring. Qed.

(** ** The frequencies of Λ⁺ *)

Lemma fk_cube_props (N m : nat) (nu : list Z) : In nu (fk_cube N m) ->
  length nu = m /\ Forall (fun n => (Z.abs n <= Z.of_nat N)%Z) nu.
Proof.
  revert nu. induction m as [|m IH]; intros nu Hnu.
  - destruct Hnu as [<-|[]]. split; [reflexivity| constructor].
  - change (fk_cube N (S m)) with (flat_map (fun n => map (cons n) (fk_cube N m)) (zrange N)) in Hnu.
    apply in_flat_map in Hnu. destruct Hnu as [n [Hn Hnu]]. apply in_map_iff in Hnu.
    destruct Hnu as [nu' [<- Hnu']]. destruct (IH nu' Hnu') as [Hl Hf].
    split; [simpl; rewrite Hl; reflexivity|]. constructor; [|exact Hf].
    unfold zrange in Hn. destruct Hn as [<-|Hn]; [lia|].
    apply in_flat_map in Hn. destruct Hn as [k [Hk Hn]]. apply in_seq in Hk.
    destruct Hn as [<-|[<-|[]]]; lia.
Qed.

(** Every ν ∈ Λ⁺ has m coordinates, |ν_k| ≤ N, and ν ≠ 0. *)
Lemma fk_lam_plus_props (N m : nat) (nu : list Z) : In nu (fk_lam_plus N m) ->
  length nu = m /\ Forall (fun n => (Z.abs n <= Z.of_nat N)%Z) nu /\ nu <> repeat 0%Z m.
Proof.
  revert nu. induction m as [|m IH]; intros nu Hnu; [destruct Hnu|].
  simpl in Hnu. apply in_app_or in Hnu. destruct Hnu as [Hnu|Hnu].
  - apply in_map_iff in Hnu. destruct Hnu as [nu' [<- Hnu']]. destruct (IH nu' Hnu') as (Hl & Hf & Hz).
    split; [simpl; rewrite Hl; reflexivity|]. split; [constructor; [lia| exact Hf]|].
    intros E. injection E as E. exact (Hz E).
  - apply in_flat_map in Hnu. destruct Hnu as [k [Hk Hnu]]. apply in_seq in Hk.
    apply in_map_iff in Hnu. destruct Hnu as [nu' [<- Hnu']]. destruct (fk_cube_props N m nu' Hnu') as [Hl Hf].
    split; [simpl; rewrite Hl; reflexivity|]. split; [constructor; [lia| exact Hf]|].
    intros E. injection E as E _. lia.
Qed.

Lemma lsum_permutation {A : Type} (f : A -> R) (l l' : list A) : Permutation l l' -> lsum f l = lsum f l'.
Proof. induction 1; unfold lsum in *; simpl; lra. Qed.
