(** * [lem:fk-trig] — Fejér–Korovkin trigonometric approximation (proofs/lem-fk-trig.md)

    N ≥ 1, M = N + 2 nodes τ_j = 2πj/M per axis, α = π/(N+2), the weights
      ρ_k = [(N−k+3) sin((k+1)α) − (N−k+1) sin((k−1)α)] / (2(N+2) sin α)          ([fk_rho])
    (the closed form the code uses), F(θ) = g(|θ_1|/π, …, |θ_m|/π) sampled at the grid of M^m
    nodes (node coordinates [fk_node], grid [fk_grid]), D_ν = M^{-m} Σ_τ F(τ) cos(ν·τ) ([fk_D]),
    ρ_ν = Π_k ρ_{|ν_k|} ([fk_rhoZ]), Λ⁺ = the ν ∈ {−N..N}^m \ {0} whose first nonzero coordinate
    is positive ([fk_lam_plus]), and
      P(x̃) = c_0 + Σ_{ν∈Λ⁺} c_ν cos(π ν·x̃),  c_0 = ρ_0^m D_0,  c_ν = 2 ρ_ν D_ν            ([fk_P]).

    [fk_trig_bound]: for g Lipschitz with constant L for the Euclidean norm on [0,1]^m
    ([fk_lipschitz]) and every x̃ ∈ [0,1]^m,  |P(x̃) − g(x̃)| ≤ fk_trig_term L m N = L√m sin(π/(2N+4)).
    [fk_trig_bound_m1]: the same for m = 1 with functions of one real variable and
    P(x) = ρ_0 D_0 + Σ_{ν=1}^{N} 2 ρ_ν D_ν cos(πνx) ([fk_P1]).

    The steps of the prose proof, each a theorem of the helper files (re-exported here):
    Step 1 [fk_rho_acorr], [fk_acorr_0], [fk_rho_0], [fk_rho_1] (FkKernel);
    Step 2 [fk_kernel_sq], [fk_kernel_nonneg] (FkKernel), [fk_W_nonneg] (FkMulti);
    Step 3 [fk_P1_op] (FkOneDim), [fk_W_expand], [fk_grid_sin_zero], [cube_pairing], [fk_P_op] (FkCoef);
    Step 4 [grid_cos_sum_zero], [fk_w_sum], [fk_w_moment] (FkKernel), [fk_W_sum], [fk_W_moment] (FkMulti);
    Step 5 [jordan], [fk_sq_le] (FkKernel), [cos_dist_le], [fk_node_dist] (FkOneDim);
    Step 6 [lsum_cauchy_schwarz] (FkSums), [fk_op1_bound] (FkOneDim), [fk_W_dist_bound], [fk_op_bound] (FkMulti);
    Step 7 [fk_op_bound_omega] (FkMulti).

    [fk_trig_bound_omega]: claim 2 of the prose, |P − g| ≤ 2ω(√m sin(π/(2N+4))), for any ω with
    |g(y) − g(z)| ≤ ω(|y − z|₂) on the cube and ω(λδ) ≤ (1 + λ)ω(δ); that the Euclidean modulus of
    continuity (a supremum) has these properties is Step 7 of the prose and is not formalized.
    Real arithmetic: the float evaluation of ρ, the samples and the transform is the float term
    of thm:main, not covered here. *)
Require Import Reals Lra Lia List ZArith Permutation.
Require Export Uat.Terms Uat.FkSums Uat.RidgeConvex Uat.FkKernel Uat.FkOneDim Uat.FkMulti Uat.FkCoef.
Open Scope R_scope.

(** [lem:fk-trig], m = 1. *)
Theorem fk_trig_bound_m1 (N : nat) (L : R) (g : R -> R) (x : R) :
  (1 <= N)%nat -> 0 <= L ->
  (forall y z, 0 <= y <= 1 -> 0 <= z <= 1 -> Rabs (g y - g z) <= L * Rabs (y - z)) ->
  0 <= x <= 1 ->
  Rabs (fk_P1 N g x - g x) <= fk_trig_term L 1 N.
Proof. exact (fk_trig_bound_m1_proof N L g x). Qed.

(** [lem:fk-trig], general m (claim 1 of the prose). *)
Theorem fk_trig_bound (N m : nat) (L : R) (g : list R -> R) (x : list R) :
  (1 <= N)%nat -> 0 <= L -> fk_lipschitz m L g -> length x = m -> in_unit_cube x ->
  Rabs (fk_P N g x - g x) <= fk_trig_term L m N.
Proof.
  intros HN HL Hg Hm Hx. rewrite fk_P_op. apply fk_op_bound; assumption.
Qed.

(** [lem:fk-trig], claim 2 (general modulus, with ω's properties as hypotheses). *)
Theorem fk_trig_bound_omega (N m : nat) (omega : R -> R) (g : list R -> R) (x : list R) :
  (1 <= N)%nat -> (1 <= m)%nat ->
  (forall y z, length y = m -> length z = m -> in_unit_cube y -> in_unit_cube z ->
     Rabs (g y - g z) <= omega (dist2 y z)) ->
  (forall d l, 0 < d -> 0 <= l -> omega (l * d) <= (1 + l) * omega d) ->
  length x = m -> in_unit_cube x ->
  Rabs (fk_P N g x - g x) <= 2 * omega (sqrt (INR m) * sin (PI / (2 * INR N + 4))).
Proof.
  intros. rewrite fk_P_op. apply fk_op_bound_omega; assumption.
Qed.

(** [fk_trig_bound] with the frequencies carried by any index type: if ν maps the list [l] onto
    Λ⁺ (a permutation of [fk_lam_plus N m]), the sum over [l] is the sum over Λ⁺. *)
Corollary fk_trig_bound_relabel {A : Type} (l : list A) (nu : A -> list Z) (N m : nat) (L : R)
    (g : list R -> R) (x : list R) :
  Permutation (map nu l) (fk_lam_plus N m) ->
  (1 <= N)%nat -> 0 <= L -> fk_lipschitz m L g -> length x = m -> in_unit_cube x ->
  Rabs (fk_c0 N m g + lsum (fun a => fk_coef N m g (nu a) * cos (PI * dotZ (nu a) x)) l - g x)
  <= fk_trig_term L m N.
Proof.
  intros Hp HN HL Hg Hm Hx.
  replace (lsum (fun a => fk_coef N m g (nu a) * cos (PI * dotZ (nu a) x)) l)
    with (lsum (fun v => fk_coef N m g v * cos (PI * dotZ v x)) (fk_lam_plus N m)).
  - rewrite <- Hm. apply (fk_trig_bound N (length x) L g x HN HL); [rewrite Hm; exact Hg| reflexivity| exact Hx].
  - rewrite <- (lsum_permutation _ _ _ Hp), lsum_map. reflexivity.
Qed.

(** The general statement specialises to m = 1: for g of one variable, the list form with the
    single coordinate x gives the same bound (a consistency check of the two formulations). *)
Corollary fk_trig_bound_m1_list (N : nat) (L : R) (g : R -> R) (x : R) :
  (1 <= N)%nat -> 0 <= L ->
  (forall y z, 0 <= y <= 1 -> 0 <= z <= 1 -> Rabs (g y - g z) <= L * Rabs (y - z)) ->
  0 <= x <= 1 ->
  Rabs (fk_P N (fun v => g (hd 0 v)) (x :: nil) - g x) <= fk_trig_term L 1 N.
Proof.
  intros HN HL Hg Hx. apply (fk_trig_bound N 1 L (fun v => g (hd 0 v)) (x :: nil) HN HL).
  - intros [|y [|y' ys]] [|z [|z' zs]] Hy Hz Cy Cz; simpl in Hy, Hz; try discriminate.
    inversion Cy; inversion Cz; subst. simpl. unfold dist2, sqdist.
    replace ((y - z) ^ 2 + 0) with ((y - z) ^ 2) by ring. rewrite <- pow2_abs, sqrt_pow2 by apply Rabs_pos.
    apply Hg; assumption.
  - reflexivity.
  - constructor; [exact Hx| constructor].
Qed.
