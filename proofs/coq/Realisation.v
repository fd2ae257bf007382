(** * [thm:main], steps 1–4: the FFN of the construction computes c₀ + Σ_ν c_ν ℓ_ν(t_ν)
    (proofs/thm-main.md, "Proof", steps 1–4). Real arithmetic.

    Input X (token h, feature c) in the box Π [lo_hc, hi_hc]; the m = n·d_in normalised
    coordinates x̃_hc = (X_hc − lo_hc)/(hi_hc − lo_hc); a frequency ν (integers ν_hc) has the
    phase t_ν = π ν·x̃ ∈ [t_lo(ν), t_hi(ν)]. The routed vector y = (A⊗I)X is what every token's
    m-slot holds after the attention ([routed_is_attention], from lem:routing claims 1–2). The
    hidden neuron (i₀, ν, j) has first-layer weights [w_inv] on the m-slot (the normalisation and
    A⁻¹ folded in, variant [inverse]) or [w_leak] (variant [leak]), bias β_ν − t_j and the gate
    −G·Σ_{i'≠i₀}(e_i)_{i'}; the output layer maps it to c_ν·a_j, and the constant neuron
    ReLU((e_i)_{i₀}) to c₀ + Σ_ν c_ν cos t₀(ν). [ffn_out] is the output slot (i, c) of the FFN;
    the residual adds 0 there and the readout copies it (that bookkeeping of def:model is prose). *)
Require Import Reals Lra Lia List ZArith.
Require Import Uat.Sums Uat.Terms Uat.Model Uat.LemRouting Uat.LemGating Uat.LemRidgePl.
Open Scope R_scope.

Section Box.
Variables (n din : nat) (lo hi : nat -> nat -> R).

Definition in_box (X : nat -> nat -> R) : Prop :=
  forall h c, (h < n)%nat -> (c < din)%nat -> lo h c <= X h c <= hi h c.
Definition box_ok : Prop := forall h c, (h < n)%nat -> (c < din)%nat -> lo h c < hi h c.

(** Σ over the m input coordinates (h, c), feature by feature. *)
Definition msum (f : nat -> nat -> R) : R := rsum (fun c => rsum (fun h => f h c) n) din.

Lemma msum_ext (f g : nat -> nat -> R) :
  (forall h c, (h < n)%nat -> (c < din)%nat -> f h c = g h c) -> msum f = msum g.
Proof. intros H. unfold msum. apply rsum_ext. intros c Hc. apply rsum_ext. intros h Hh. apply H; assumption. Qed.

Lemma msum_plus (f g : nat -> nat -> R) : msum (fun h c => f h c + g h c) = msum f + msum g.
Proof. unfold msum. rewrite <- rsum_plus. apply rsum_ext. intros. apply rsum_plus. Qed.

Lemma msum_scal (k : R) (f : nat -> nat -> R) : msum (fun h c => k * f h c) = k * msum f.
Proof. unfold msum. rewrite <- rsum_scal. apply rsum_ext. intros. apply rsum_scal. Qed.

Lemma msum_le (f g : nat -> nat -> R) :
  (forall h c, (h < n)%nat -> (c < din)%nat -> f h c <= g h c) -> msum f <= msum g.
Proof. intros H. unfold msum. apply rsum_le. intros c Hc. apply rsum_le. intros h Hh. apply H; assumption. Qed.

Lemma msum_abs (f : nat -> nat -> R) : Rabs (msum f) <= msum (fun h c => Rabs (f h c)).
Proof.
  unfold msum. eapply Rle_trans; [apply rsum_abs|]. apply rsum_le. intros c _. apply rsum_abs.
Qed.

Definition xt (X : nat -> nat -> R) (h c : nat) : R := (X h c - lo h c) / (hi h c - lo h c).

(** t_ν = π ν·x̃ and its range over the box. *)
Definition phase (nu : nat -> nat -> Z) (X : nat -> nat -> R) : R := PI * msum (fun h c => IZR (nu h c) * xt X h c).
Definition t_lo (nu : nat -> nat -> Z) : R := PI * msum (fun h c => IZR (Z.min (nu h c) 0)).
Definition t_hi (nu : nat -> nat -> Z) : R := PI * msum (fun h c => IZR (Z.max (nu h c) 0)).

Lemma phase_range (nu : nat -> nat -> Z) (X : nat -> nat -> R) :
  box_ok -> in_box X -> t_lo nu <= phase nu X <= t_hi nu.
Proof.
  intros Hb HX. pose proof PI_RGT_0. unfold t_lo, t_hi, phase.
  assert (Hc : forall h c, (h < n)%nat -> (c < din)%nat ->
            IZR (Z.min (nu h c) 0) <= IZR (nu h c) * xt X h c <= IZR (Z.max (nu h c) 0)).
  { intros h c Hh Hc. specialize (Hb h c Hh Hc). specialize (HX h c Hh Hc).
    assert (Hx : 0 <= xt X h c <= 1).
    { unfold xt. split.
      - apply Rmult_le_pos; [lra | left; apply Rinv_0_lt_compat; lra].
      - apply (Rmult_le_reg_r (hi h c - lo h c)); [lra|]. unfold Rdiv.
        rewrite Rmult_assoc, Rinv_l by lra. lra. }
    destruct (Z.le_gt_cases 0 (nu h c)) as [Hn|Hn].
    - rewrite Z.min_r, Z.max_l by lia. assert (0 <= IZR (nu h c)) by (apply IZR_le; lia). nra.
    - rewrite Z.min_l, Z.max_r by lia. assert (IZR (nu h c) < 0) by (apply IZR_lt; lia). nra. }
  split; apply Rmult_le_compat_l; try lra; apply msum_le; intros h c Hh Hc'; apply Hc; assumption.
Qed.

(** t_hi − t_lo = π·|ν|₁ > 0 for ν ≠ 0. *)
Lemma phase_length (nu : nat -> nat -> Z) : t_hi nu - t_lo nu = PI * msum (fun h c => IZR (Z.abs (nu h c))).
Proof.
  unfold t_hi, t_lo. rewrite <- Rmult_minus_distr_l. f_equal.
  unfold msum. rewrite <- rsum_minus. apply rsum_ext. intros c _. rewrite <- rsum_minus.
  apply rsum_ext. intros h _. rewrite <- minus_IZR. f_equal. lia.
Qed.

Definition nonzero_freq (nu : nat -> nat -> Z) : Prop :=
  exists h c, (h < n)%nat /\ (c < din)%nat /\ nu h c <> 0%Z.

Lemma phase_length_pos (nu : nat -> nat -> Z) : nonzero_freq nu -> t_lo nu < t_hi nu.
Proof.
  intros [h0 [c0 [Hh [Hc Hnz]]]].
  enough (0 < msum (fun h c => IZR (Z.abs (nu h c)))).
  { pose proof (phase_length nu). pose proof PI_RGT_0. nra. }
  assert (Hpos : forall h c, 0 <= IZR (Z.abs (nu h c))) by (intros; apply IZR_le; lia).
  assert (H1 : 0 < IZR (Z.abs (nu h0 c0))) by (apply IZR_lt; lia).
  unfold msum.
  (* one term is positive, all are non-negative *)
  assert (Hsplit : forall (f : nat -> R) k p, (k < p)%nat -> (forall i, (i < p)%nat -> 0 <= f i) -> 0 < f k -> 0 < rsum f p).
  { intros f k p Hk Hf Hfk. induction p as [|p IH]; [lia|]. rewrite rsum_S.
    destruct (Nat.eq_dec k p) as [->|Hne].
    - assert (0 <= rsum f p) by (apply rsum_nonneg; intros; apply Hf; lia). lra.
    - assert (0 < rsum f p) by (apply IH; [lia | intros; apply Hf; lia]). assert (0 <= f p) by (apply Hf; lia). lra. }
  apply (Hsplit _ c0); [exact Hc | | ].
  - intros c _. apply rsum_nonneg. intros; apply Hpos.
  - apply (Hsplit _ h0); [exact Hh | intros; apply Hpos | exact H1].
Qed.

(** ** Step 2: the first layer computes the phase *)

Definition qn (nu : nat -> nat -> Z) (h c : nat) : R := IZR (nu h c) / (hi h c - lo h c).
Definition beta_in (nu : nat -> nat -> Z) : R := - PI * msum (fun h c => qn nu h c * lo h c).

(** The routed vector (A⊗I)X: what every token's m-slot holds. *)
Definition routed (lam : R) (X : nat -> nat -> R) (h c : nat) : R := matvec n (route_A n lam) (fun j => X j c) h.

(** Variant [inverse]: π (q_hc − b·Σ_j q_jc)/(a − b), i.e. π q pushed through A⁻¹. *)
Definition w_inv (lam : R) (nu : nat -> nat -> Z) (h c : nat) : R :=
  PI * (qn nu h c - route_b n lam * rsum (fun j => qn nu j c) n) / (route_a n lam - route_b n lam).
(** Variant [leak]: π q, reading y as if it were x. *)
Definition w_leak (nu : nat -> nat -> Z) (h c : nat) : R := PI * qn nu h c.

Lemma first_layer_affine (nu : nat -> nat -> Z) (X : nat -> nat -> R) :
  box_ok -> msum (fun h c => PI * qn nu h c * X h c) + beta_in nu = phase nu X.
Proof.
  intros Hb. unfold beta_in, phase.
  rewrite (msum_ext (fun h c => IZR (nu h c) * xt X h c)
                    (fun h c => qn nu h c * X h c + (-1) * (qn nu h c * lo h c)))
    by (intros h c Hh Hc; specialize (Hb h c Hh Hc); unfold qn, xt; field; lra).
  rewrite msum_plus, msum_scal.
  rewrite (msum_ext (fun h c => PI * qn nu h c * X h c) (fun h c => PI * (qn nu h c * X h c))) by (intros; ring).
  rewrite msum_scal. ring.
Qed.

(** Per feature: Σ_h (q_h − b·Σ_j q_j)/(a − b)·(A x)_h = Σ_h q_h x_h. *)
Lemma inverse_fold (lam : R) (q x : nat -> R) :
  (1 <= n)%nat -> 0 < lam ->
  rsum (fun h => (q h - route_b n lam * rsum q n) / (route_a n lam - route_b n lam) * matvec n (route_A n lam) x h) n
  = rsum (fun h => q h * x h) n.
Proof.
  intros Hn Hl. pose proof (route_gap_pos n lam Hn Hl) as Hg. pose proof (route_one_minus_nb n lam Hn) as Hnb.
  set (a := route_a n lam) in *. set (b := route_b n lam) in *.
  rewrite (rsum_ext _ (fun h => (q h * x h - b * rsum q n * x h)
                                 + (b * rsum x n / (a - b)) * (q h - b * rsum q n)) n).
  2: { intros h Hh. rewrite route_A_apply by exact Hh. fold a b. field. lra. }
  rewrite rsum_plus, rsum_minus, !rsum_scal, rsum_minus, rsum_const.
  replace (rsum q n - INR n * (b * rsum q n)) with ((1 - INR n * b) * rsum q n) by ring.
  rewrite Hnb. field. lra.
Qed.

Theorem first_layer_inverse (lam : R) (nu : nat -> nat -> Z) (X : nat -> nat -> R) :
  (1 <= n)%nat -> 0 < lam -> box_ok ->
  msum (fun h c => w_inv lam nu h c * routed lam X h c) + beta_in nu = phase nu X.
Proof.
  intros Hn Hl Hb. rewrite <- (first_layer_affine nu X Hb). f_equal.
  unfold msum, w_inv, routed. apply rsum_ext. intros c Hc.
  rewrite (rsum_ext _ (fun h => PI * ((qn nu h c - route_b n lam * rsum (fun j => qn nu j c) n)
                                       / (route_a n lam - route_b n lam) * matvec n (route_A n lam) (fun j => X j c) h)) n)
    by (intros; unfold Rdiv; ring).
  rewrite rsum_scal, inverse_fold by assumption.
  rewrite <- rsum_scal. apply rsum_ext. intros; ring.
Qed.

Theorem first_layer_leak (lam : R) (nu : nat -> nat -> Z) (X : nat -> nat -> R) :
  box_ok -> msum (fun h c => w_leak nu h c * routed lam X h c) + beta_in nu = phase nu (routed lam X).
Proof. intros Hb. rewrite <- (first_layer_affine nu (routed lam X) Hb). reflexivity. Qed.

(** Step 1: the routed vector is what the attention writes (lem:routing, claims 1–2). *)
Theorem routed_is_attention (lam : R) (X z : nat -> nat -> R) :
  (1 <= n)%nat -> token_layout n din X z ->
  forall h i c, (h < n)%nat -> (i < n)%nat -> (c < din)%nat -> routing_head n din lam z h i c = routed lam X h c.
Proof.
  intros Hn Hz h i c Hh Hi Hc. destruct (lem_routing_content_free n din lam X z Hn Hz) as [_ H].
  rewrite H by assumption. unfold routed. rewrite lem_routing_matrix_form by exact Hh. reflexivity.
Qed.

(** ** Steps 3–4: the gated hidden layer and the output *)

Section Network.
Variables (A : Type) (l : list A) (nu : A -> nat -> nat -> Z) (K : A -> nat).
(** keep i₀ ν: whether position i₀ has neurons for ν; coef i₀ c ν: c_ν^{(i₀,c)}; c0 i₀ c: c₀. *)
Variables (keep : nat -> A -> bool) (coef : nat -> nat -> A -> R) (c0 : nat -> nat -> R).
Variables (lam G : R) (w : (nat -> nat -> Z) -> nat -> nat -> R).

Definition knots (a : A) : nat -> R := ridge_knots (t_lo (nu a)) (t_hi (nu a)) (K a).
Definition kept (i0 : nat) : list A := filter (keep i0) l.

(** The ungated pre-activation of neuron (ν, j) (any position) on input X. *)
Definition ungated (a : A) (j : nat) (X : nat -> nat -> R) : R :=
  msum (fun h c => w (nu a) h c * routed lam X h c) + beta_in (nu a) - knots a j.

(** The output slot c of the FFN at token i. *)
Definition ffn_out (i c : nat) (X : nat -> nat -> R) : R :=
  rsum (fun i0 => relu (delta i i0) * (c0 i0 c + lsum (fun a => coef i0 c a * cos (knots a O)) (kept i0))) n
  + rsum (fun i0 => lsum (fun a => coef i0 c a *
                            rsum (fun j => ridge_coef (knots a) j * relu (gated n G i0 (ungated a j X) i)) (K a))
                         (kept i0)) n.

Definition gate_ok (X : nat -> nat -> R) : Prop :=
  forall i0 a j, (i0 < n)%nat -> In a (kept i0) -> (j < K a)%nat -> ungated a j X <= G.

Theorem ffn_realises (X : nat -> nat -> R) (i0 c : nat) :
  gate_ok X -> (i0 < n)%nat ->
  ffn_out i0 c X
  = c0 i0 c + lsum (fun a => coef i0 c a *
                       ridge_pl (knots a) (K a) (msum (fun h c' => w (nu a) h c' * routed lam X h c') + beta_in (nu a)))
                   (kept i0).
Proof.
  intros Hg Hi0. unfold ffn_out.
  (* the constant neurons: ReLU((e_{i₀})_{i'}) = δ_{i₀ i'} *)
  rewrite (rsum_ext (fun i' => relu (delta i0 i') * _) (fun i' => delta i0 i' * (c0 i' c + lsum (fun a => coef i' c a * cos (knots a O)) (kept i'))) n).
  2: { intros i' _. f_equal. unfold delta. destruct (Nat.eqb i0 i'); [apply relu_pos | apply relu_neg]; lra. }
  rewrite (rsum_delta_l n i0 (fun i' => c0 i' c + lsum (fun a => coef i' c a * cos (knots a O)) (kept i'))) by exact Hi0.
  (* the ridge neurons: those of the other positions are 0 (lem:gating), those of i₀ ungated *)
  rewrite (rsum_ext _ (fun i' => delta i0 i' * lsum (fun a => coef i' c a *
             rsum (fun j => ridge_coef (knots a) j * relu (ungated a j X)) (K a)) (kept i')) n).
  2: { intros i' Hi'. unfold delta. destruct (Nat.eqb_spec i0 i') as [<-|Hne].
       - rewrite Rmult_1_l. apply lsum_ext_in. intros a _. f_equal. apply rsum_ext. intros j _.
         f_equal. unfold gated. rewrite gate_sum_eq by assumption. unfold delta. rewrite Nat.eqb_refl. f_equal. ring.
       - rewrite Rmult_0_l. rewrite <- (lsum_zero (kept i')). apply lsum_ext_in. intros a Ha.
         rewrite <- (rsum_zero (K a)), <- rsum_scal. apply rsum_ext. intros j Hj.
         destruct (lem_gating (fun _ : unit => True) n G i' (fun _ i => ungated a j X) Hi'
                     (fun _ _ _ _ => Hg i' a j Hi' Ha Hj)) as (_ & _ & H0 & _).
         rewrite (H0 tt i0 I Hi0 Hne). ring. }
  rewrite (rsum_delta_l n i0 (fun i' => lsum (fun a => coef i' c a *
             rsum (fun j => ridge_coef (knots a) j * relu (ungated a j X)) (K a)) (kept i'))) by exact Hi0.
  rewrite Rplus_assoc. f_equal. rewrite <- lsum_plus. apply lsum_ext_in. intros a _.
  unfold ridge_pl, ungated. ring_simplify. f_equal.
Qed.

End Network.
End Box.
