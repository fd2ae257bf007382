(** * [lem:fk-trig] in m dimensions: the product grid, the operator form and its bound
    (helper for [LemFkTrig.v]; proofs/lem-fk-trig.md Steps 2, 4 and 6 for general m).

    Points of [0,1]^m are lists of m reals, grid points lists of m node indices j_k < M = N + 2.
    The m-dimensional weight of the grid point J at x̃ is the product
      W(x̃, J) = Π_k w_{j_k}(π x̃_k) = M^{-m} K(πx̃ − τ_J),  K(θ) = Π_k k_N(θ_k)   ([fk_W]),
    and the operator is P[F](πx̃) = Σ_J W(x̃, J) g(x_J) with x_J the normalised nodes ([fk_op]).

    - [fk_W_nonneg], [fk_W_sum]: W ≥ 0 and Σ_J W = 1 (product of the one-dimensional facts);
    - [fk_W_moment]: Σ_J W(x̃, J) Σ_k (1 − cos(πx̃_k − τ_{j_k})) = m (1 − cos α);
    - [fk_op_bound]: |P[F](πx̃) − g(x̃)| ≤ fk_trig_term L m N for g Euclidean-Lipschitz with
      constant L on [0,1]^m. *)
Require Import Reals Lra Lia List ZArith.
From Uat Require Import Terms FkSums RidgeConvex FkKernel FkOneDim.
Open Scope R_scope.

(** ** Euclidean distance of two points (lists) *)

Fixpoint sqdist (y z : list R) : R :=
  match y, z with
  | a :: y', b :: z' => (a - b) ^ 2 + sqdist y' z'
  | _, _ => 0
  end.

Definition dist2 (y z : list R) : R := sqrt (sqdist y z).

Lemma sqdist_nonneg (y z : list R) : 0 <= sqdist y z.
Proof.
  revert z. induction y as [|a y IH]; intros [|b z]; simpl; try lra.
  pose proof (pow2_ge_0 (a - b)). pose proof (IH z). lra.
Qed.

(** ** The product grid {0..M−1}^m *)

Fixpoint fk_grid (M m : nat) : list (list nat) :=
  match m with
  | O => nil :: nil
  | S m' => flat_map (fun j => map (cons j) (fk_grid M m')) (seq 0 M)
  end.

Lemma lsum_grid_S (M m : nat) (f : list nat -> R) :
  lsum f (fk_grid M (S m)) = rsum (fun j => lsum (fun J => f (j :: J)) (fk_grid M m)) M.
Proof.
  simpl. rewrite lsum_flat_map, lsum_seq. apply rsum_ext. intros. rewrite lsum_map. reflexivity.
Qed.

Lemma fk_grid_in (M m : nat) (J : list nat) :
  In J (fk_grid M m) -> length J = m /\ Forall (fun j => (j < M)%nat) J.
Proof.
  revert J. induction m as [|m IH]; intros J HJ.
  - destruct HJ as [<-|[]]. split; [reflexivity| constructor].
  - simpl in HJ. apply in_flat_map in HJ. destruct HJ as [j [Hj HJ]].
    apply in_map_iff in HJ. destruct HJ as [J' [<- HJ']].
    destruct (IH J' HJ') as [Hl Hf]. apply in_seq in Hj.
    split; [simpl; rewrite Hl; reflexivity| constructor; [lia| exact Hf]].
Qed.

(** ** Weights, nodes, the operator *)

Fixpoint fk_W (N : nat) (x : list R) (J : list nat) : R :=
  match x, J with
  | y :: x', j :: J' => fk_w N (PI * y) j * fk_W N x' J'
  | _, _ => 1
  end.

Definition fk_nodes (N : nat) (J : list nat) : list R := map (fk_node N) J.

(** P[F](πx̃) = Σ_{J ∈ grid} W(x̃, J) g(x_J). *)
Definition fk_op (N : nat) (g : list R -> R) (x : list R) : R :=
  lsum (fun J => fk_W N x J * g (fk_nodes N J)) (fk_grid (N + 2) (length x)).

(** Σ_k (1 − cos(πx̃_k − τ_{j_k})). *)
Fixpoint fk_Q (N : nat) (x : list R) (J : list nat) : R :=
  match x, J with
  | y :: x', j :: J' => (1 - cos (PI * y - fk_tau N j)) + fk_Q N x' J'
  | _, _ => 0
  end.

Lemma fk_W_nonneg (N : nat) (x : list R) (J : list nat) : 0 <= fk_W N x J.
Proof.
  revert J. induction x as [|y x IH]; intros [|j J]; simpl; try lra.
  apply Rmult_le_pos; [apply fk_w_nonneg| apply IH].
Qed.

Lemma fk_W_sum (N : nat) (x : list R) : lsum (fk_W N x) (fk_grid (N + 2) (length x)) = 1.
Proof.
  induction x as [|y x IH].
  - simpl. unfold lsum. simpl. ring.
  - simpl length. rewrite lsum_grid_S. simpl fk_W.
    rewrite (rsum_ext _ (fun j => fk_w N (PI * y) j)).
    + apply fk_w_sum.
    + intros j _. rewrite lsum_scal, IH. ring.
Qed.

Theorem fk_W_moment (N : nat) (x : list R) : (1 <= N)%nat ->
  lsum (fun J => fk_W N x J * fk_Q N x J) (fk_grid (N + 2) (length x))
  = INR (length x) * (1 - cos (fk_alpha N)).
Proof.
  intros HN. induction x as [|y x IH].
  - simpl. unfold lsum. simpl. ring.
  - simpl length. rewrite lsum_grid_S. simpl fk_W. simpl fk_Q.
    rewrite (rsum_ext _ (fun j => fk_w N (PI * y) j * (1 - cos (PI * y - fk_tau N j))
                                  + fk_w N (PI * y) j * (INR (length x) * (1 - cos (fk_alpha N))))).
    + rewrite rsum_plus, fk_w_moment by exact HN.
      rewrite (rsum_ext (fun j => fk_w N (PI * y) j * (INR (length x) * (1 - cos (fk_alpha N))))
                 (fun j => (INR (length x) * (1 - cos (fk_alpha N))) * fk_w N (PI * y) j)) by (intros; ring).
      rewrite rsum_scal, fk_w_sum, S_INR. ring.
    + intros j _.
      rewrite (lsum_ext_in _ (fun J => fk_w N (PI * y) j * (1 - cos (PI * y - fk_tau N j)) * fk_W N x J
                                       + fk_w N (PI * y) j * (fk_W N x J * fk_Q N x J))) by (intros; ring).
      rewrite lsum_plus, !lsum_scal, fk_W_sum, IH. ring.
Qed.

(** The nodes of a grid point lie in the cube, and the squared distance to them is at most
    ½ Σ_k (1 − cos(πx̃_k − τ_{j_k})). *)
Lemma fk_nodes_cube (N : nat) (J : list nat) :
  Forall (fun j => (j < N + 2)%nat) J -> in_unit_cube (fk_nodes N J).
Proof.
  induction J as [|j J IH]; intros H; [constructor|]. inversion H; subst.
  constructor; [apply fk_node_range; assumption| apply IH; assumption].
Qed.

Lemma fk_nodes_length (N : nat) (J : list nat) : length (fk_nodes N J) = length J.
Proof. apply map_length. Qed.

Lemma fk_nodes_dist (N : nat) (x : list R) (J : list nat) :
  in_unit_cube x -> Forall (fun j => (j < N + 2)%nat) J -> length J = length x ->
  sqdist (fk_nodes N J) x <= / 2 * fk_Q N x J.
Proof.
  revert J. induction x as [|y x IH]; intros J Hx HJ Hl.
  - destruct J; simpl; lra.
  - destruct J as [|j J]; [discriminate|]. inversion Hx; subst. inversion HJ; subst.
    simpl. simpl in Hl. injection Hl as Hl.
    assert (Hd1 := fk_node_dist N j y ltac:(assumption) ltac:(assumption)).
    assert (Hd2 := IH J ltac:(assumption) ltac:(assumption) Hl). lra.
Qed.

(** ** The bound in m dimensions (operator form) *)

Definition fk_lipschitz (m : nat) (L : R) (g : list R -> R) : Prop :=
  forall y z, length y = m -> length z = m -> in_unit_cube y -> in_unit_cube z ->
  Rabs (g y - g z) <= L * dist2 y z.

(** Σ_J W(x̃, J) |x_J − x̃|₂ ≤ √m sin(π/(2N+4)) (Cauchy–Schwarz, Step 5, the first moment). *)
Lemma fk_W_dist_bound (N : nat) (x : list R) : (1 <= N)%nat -> in_unit_cube x ->
  lsum (fun J => fk_W N x J * dist2 (fk_nodes N J) x) (fk_grid (N + 2) (length x))
  <= sqrt (INR (length x)) * sin (PI / (2 * INR N + 4)).
Proof.
  intros HN Hx. set (G := fk_grid (N + 2) (length x)). set (W := fk_W N x).
  assert (Hw : forall J, In J G -> 0 <= W J) by (intros; apply fk_W_nonneg).
  assert (H1 : lsum W G = 1) by apply fk_W_sum.
  eapply Rle_trans.
  { apply lsum_cauchy_schwarz_sqrt; [exact Hw| exact H1| intros; apply sqrt_pos]. }
  rewrite <- (sqrt_pow2 (sin (PI / (2 * INR N + 4)))) by apply fk_sin_half_nonneg.
  rewrite <- sqrt_mult_alt by apply pos_INR.
  apply sqrt_le_1.
  - apply lsum_nonneg. intros J HJ. apply Rmult_le_pos; [apply Hw; exact HJ| apply pow2_ge_0].
  - apply Rmult_le_pos; [apply pos_INR| apply pow2_ge_0].
  - rewrite <- fk_moment_sin.
    replace (INR (length x) * (/ 2 * (1 - cos (fk_alpha N))))
      with (/ 2 * (INR (length x) * (1 - cos (fk_alpha N)))) by ring.
    rewrite <- (fk_W_moment N x HN), <- lsum_scal. fold G W.
    apply lsum_le. intros J HJ. destruct (fk_grid_in _ _ _ HJ) as [Hl Hf].
    unfold dist2. rewrite pow2_sqrt by apply sqdist_nonneg.
    replace (/ 2 * (W J * fk_Q N x J)) with (W J * (/ 2 * fk_Q N x J)) by ring.
    apply Rmult_le_compat_l; [apply Hw; exact HJ|].
    apply fk_nodes_dist; [exact Hx| exact Hf| exact Hl].
Qed.

(** P[F](πx̃) − g(x̃) = Σ_J W(x̃, J)(g(x_J) − g(x̃)) (reproduction of constants). *)
Lemma fk_op_minus (N : nat) (g : list R -> R) (x : list R) :
  fk_op N g x - g x
  = lsum (fun J => fk_W N x J * (g (fk_nodes N J) - g x)) (fk_grid (N + 2) (length x)).
Proof.
  unfold fk_op.
  rewrite (lsum_ext_in (fun J => fk_W N x J * (g (fk_nodes N J) - g x))
             (fun J => fk_W N x J * g (fk_nodes N J) - g x * fk_W N x J)) by (intros; ring).
  rewrite lsum_minus, lsum_scal, fk_W_sum. ring.
Qed.

Theorem fk_op_bound (N m : nat) (L : R) (g : list R -> R) (x : list R) :
  (1 <= N)%nat -> 0 <= L -> fk_lipschitz m L g -> length x = m -> in_unit_cube x ->
  Rabs (fk_op N g x - g x) <= fk_trig_term L m N.
Proof.
  intros HN HL Hg Hm Hx. rewrite fk_op_minus. eapply Rle_trans; [apply lsum_abs|].
  eapply Rle_trans.
  { apply (lsum_le _ (fun J => L * (fk_W N x J * dist2 (fk_nodes N J) x))). intros J HJ.
    destruct (fk_grid_in _ _ _ HJ) as [Hl Hf].
    rewrite Rabs_mult, (Rabs_right (fk_W N x J)) by (apply Rle_ge, fk_W_nonneg).
    replace (L * (fk_W N x J * dist2 (fk_nodes N J) x))
      with (fk_W N x J * (L * dist2 (fk_nodes N J) x)) by ring.
    apply Rmult_le_compat_l; [apply fk_W_nonneg|].
    apply Hg; [rewrite fk_nodes_length; lia| exact Hm| apply fk_nodes_cube; exact Hf| exact Hx]. }
  rewrite lsum_scal. unfold fk_trig_term. rewrite Rmult_assoc, <- Hm.
  apply Rmult_le_compat_l; [exact HL|]. apply fk_W_dist_bound; assumption.
Qed.

(** Claim 2 (general modulus), for any ω with |g(y) − g(z)| ≤ ω(|y − z|₂) on the cube and
    ω(λδ) ≤ (1 + λ) ω(δ) (λ ≥ 0, δ > 0) — the properties Step 7 of the prose derives for the
    Euclidean modulus of continuity on the convex cube; here they are hypotheses on ω. *)
Theorem fk_op_bound_omega (N m : nat) (omega : R -> R) (g : list R -> R) (x : list R) :
  (1 <= N)%nat -> (1 <= m)%nat ->
  (forall y z, length y = m -> length z = m -> in_unit_cube y -> in_unit_cube z ->
     Rabs (g y - g z) <= omega (dist2 y z)) ->
  (forall d l, 0 < d -> 0 <= l -> omega (l * d) <= (1 + l) * omega d) ->
  length x = m -> in_unit_cube x ->
  Rabs (fk_op N g x - g x) <= 2 * omega (sqrt (INR m) * sin (PI / (2 * INR N + 4))).
Proof.
  intros HN Hm1 Hg Hs Hm Hx. set (d := sqrt (INR m) * sin (PI / (2 * INR N + 4))).
  assert (Hd : 0 < d).
  { unfold d. apply Rmult_lt_0_compat.
    - apply sqrt_lt_R0. apply lt_0_INR. lia.
    - apply sin_gt_0; rewrite <- fk_half_alpha; destruct (fk_alpha_range N); pose proof PI_RGT_0; lra. }
  assert (Hom : 0 <= omega d).
  { assert (H0 := Hs d 0 Hd (Rle_refl 0)). rewrite Rmult_0_l, Rplus_0_r, Rmult_1_l in H0.
    assert (Hz := Hg x x Hm Hm Hx Hx). unfold dist2 in Hz.
    assert (sqdist x x = 0).
    { clear. induction x as [|a x IH]; [reflexivity|]. simpl. rewrite IH. ring. }
    rewrite H, sqrt_0, Rminus_eq_0, Rabs_R0 in Hz. lra. }
  rewrite fk_op_minus. eapply Rle_trans; [apply lsum_abs|].
  eapply Rle_trans.
  { apply (lsum_le _ (fun J => fk_W N x J * ((1 + dist2 (fk_nodes N J) x / d) * omega d))).
    intros J HJ. destruct (fk_grid_in _ _ _ HJ) as [Hl Hf].
    rewrite Rabs_mult, (Rabs_right (fk_W N x J)) by (apply Rle_ge, fk_W_nonneg).
    apply Rmult_le_compat_l; [apply fk_W_nonneg|].
    eapply Rle_trans.
    - apply Hg; [rewrite fk_nodes_length; lia| exact Hm| apply fk_nodes_cube; exact Hf| exact Hx].
    - replace (dist2 (fk_nodes N J) x) with (dist2 (fk_nodes N J) x / d * d) at 1 by (field; lra).
      apply Hs; [exact Hd|]. unfold Rdiv. apply Rmult_le_pos; [apply sqrt_pos| left; apply Rinv_0_lt_compat; exact Hd]. }
  rewrite (lsum_ext_in _ (fun J => omega d * fk_W N x J + omega d / d * (fk_W N x J * dist2 (fk_nodes N J) x)))
    by (intros; field; lra).
  rewrite lsum_plus, !lsum_scal, fk_W_sum.
  assert (HB := fk_W_dist_bound N x HN Hx). rewrite Hm in HB. fold d in HB.
  assert (omega d / d * lsum (fun J => fk_W N x J * dist2 (fk_nodes N J) x) (fk_grid (N + 2) (length x))
          <= omega d / d * d).
  { apply Rmult_le_compat_l; [unfold Rdiv; apply Rmult_le_pos; [exact Hom| left; apply Rinv_0_lt_compat; exact Hd]|].
    rewrite Hm. exact HB. }
  replace (omega d / d * d) with (omega d) in H by (field; lra). lra.
Qed.
