(** * [thm:main] — the composition (proofs/thm-main.md, "Proof", step 5, and "The budget").

    1. [Composition]: a Section whose hypotheses are the lemma conclusions in the shapes of
       [Terms] — lem:fk-trig for the full trigonometric polynomial, the realisation of T as the
       kept ridge sums (steps 1–4), lem:ridge-pl per frequency — concludes
       |T − f| ≤ fk_trig_term + ridge_pl_nu_term (kept) + truncation_term (dropped), and with
       the leak variant also + Σ_ν |c_ν|·δ_ν.
    2. [thm_main]: the same for the FFN of [Realisation] (the construction's weights), both
       routing variants, where steps 1–4 (lem:routing, lem:gating) and lem:ridge-pl are
       discharged by their theorems; lem:fk-trig for the target entry is the hypothesis
       [fk_entry] here and is discharged in ThmMainFk.v ([thm_main_full], the label's theorem).
       What stays a hypothesis there: [construction_ok] (the construction's choices) and
       [ThmMainFk.fk_data] (the target entry is an L-Lipschitz g of x̃, the coefficients are g's
       Fejér–Korovkin coefficients over Λ⁺).
    3. [thm_main_certified]: the budget — with the certificate's numbers bounding the terms and
       their sum, |T − f| ≤ ε − E_float. [certificate.v] files instantiate it.
    Real arithmetic; E_float (the float64 term) is a number of the certificate, bounded in prose. *)
Require Import Reals Lra Lia List ZArith Permutation.
Require Import Uat.Sums Uat.Terms Uat.LemRouting Uat.LemGating Uat.LemRidgePl Uat.LemRidgePlNu
  Uat.LemTruncation Uat.Realisation.
Open Scope R_scope.

(** ** 1. The composition from the lemma conclusions *)
Section Composition.
Variables (Input : Type) (inK : Input -> Prop) (A : Type) (l : list A) (keep : A -> bool).
(** c_ν, the knot step h_ν, the phase t_ν(X), the ReLU sum ℓ_ν and its interval [lo_ν, hi_ν]. *)
Variables (c hs : A -> R) (phi : A -> Input -> R) (ell : A -> R -> R) (lo hi : A -> R).
Variables (c0 : R) (f T : Input -> R) (L : R) (m N : nat).

(** lem:fk-trig: P = c₀ + Σ_{ν∈Λ⁺} c_ν cos t_ν is within fk_trig_term of the target entry. *)
Hypothesis H_fk : forall X, inK X -> Rabs (c0 + lsum (fun a => c a * cos (phi a X)) l - f X) <= fk_trig_term L m N.
(** lem:ridge-pl, per kept frequency: |ℓ_ν − cos| ≤ h_ν²/8 on [lo_ν, hi_ν] … *)
Hypothesis H_pl : forall a, In a l -> keep a = true -> forall t, lo a <= t <= hi a -> Rabs (ell a t - cos t) <= hs a ^ 2 / 8.
(** … which holds every phase of the box. *)
Hypothesis H_range : forall a X, In a l -> keep a = true -> inK X -> lo a <= phi a X <= hi a.

Let kept := filter keep l.
Let dropped := filter (fun a => negb (keep a)) l.

(** The realised sum against P: ridge_pl_nu_term (kept) + truncation_term (dropped). *)
Lemma composition_core (X : Input) : inK X ->
  Rabs (lsum (fun a => c a * ell a (phi a X)) kept - lsum (fun a => c a * cos (phi a X)) l)
  <= ridge_pl_nu_term (map (fun a => (c a, hs a)) kept) + truncation_term (map c dropped).
Proof.
  intros HX.
  replace (lsum (fun a => c a * ell a (phi a X)) kept - lsum (fun a => c a * cos (phi a X)) l)
    with (lsum (fun a => c a * (ell a (phi a X) - cos (phi a X))) kept
          - (lsum (fun a => c a * cos (phi a X)) l - lsum (fun a => c a * cos (phi a X)) kept)).
  2: { rewrite (lsum_ext_in (fun a => c a * (ell a (phi a X) - cos (phi a X)))
                  (fun a => c a * ell a (phi a X) - c a * cos (phi a X))) by (intros; ring).
       rewrite lsum_minus. ring. }
  unfold Rminus at 1. eapply Rle_trans; [apply Rabs_triang|]. apply Rplus_le_compat.
  - rewrite ridge_pl_nu_term_lsum.
    eapply Rle_trans.
    + apply (weighted_error_sum kept c (fun a => ell a (phi a X) - cos (phi a X)) (fun a => hs a ^ 2 / 8)).
      intros a Ha. unfold kept in Ha. apply filter_In in Ha as [Ha Hk].
      apply H_pl; [exact Ha | exact Hk | apply H_range; assumption].
    + right. apply lsum_ext_in. intros. unfold Rdiv. ring.
  - rewrite Rabs_Ropp. apply (truncation_bound l keep c (fun a => phi a X)).
Qed.

(** Steps 1–4 (routing, gating, output layer): T = c₀ + Σ_{kept} c_ν ℓ_ν(t_ν). *)
Hypothesis H_real : forall X, inK X -> T X = c0 + lsum (fun a => c a * ell a (phi a X)) kept.

Theorem thm_main_composition (X : Input) : inK X ->
  Rabs (T X - f X) <= fk_trig_term L m N + ridge_pl_nu_term (map (fun a => (c a, hs a)) kept)
                      + truncation_term (map c dropped).
Proof.
  intros HX. rewrite H_real by exact HX.
  replace (c0 + lsum (fun a => c a * ell a (phi a X)) kept - f X)
    with ((lsum (fun a => c a * ell a (phi a X)) kept - lsum (fun a => c a * cos (phi a X)) l)
          + (c0 + lsum (fun a => c a * cos (phi a X)) l - f X)) by ring.
  eapply Rle_trans; [apply Rabs_triang|].
  pose proof (composition_core X HX). pose proof (H_fk X HX). lra.
Qed.

(** Variant leak: the network evaluates ℓ_ν at a perturbed phase φ'_ν with |φ'_ν − φ_ν| ≤ d_ν, and
    every ℓ_ν is 1-Lipschitz (lem:ridge-pl, claim 3). *)
Variables (phi' : A -> Input -> R) (d : A -> R).
Hypothesis H_real' : forall X, inK X -> T X = c0 + lsum (fun a => c a * ell a (phi' a X)) kept.
Hypothesis H_lip : forall a, In a l -> keep a = true -> forall s t, Rabs (ell a s - ell a t) <= Rabs (s - t).
Hypothesis H_leak : forall a X, In a l -> keep a = true -> inK X -> Rabs (phi' a X - phi a X) <= d a.

Theorem thm_main_composition_leak (X : Input) : inK X ->
  Rabs (T X - f X) <= fk_trig_term L m N + ridge_pl_nu_term (map (fun a => (c a, hs a)) kept)
                      + truncation_term (map c dropped) + lsum (fun a => Rabs (c a) * d a) kept.
Proof.
  intros HX. rewrite H_real' by exact HX.
  replace (c0 + lsum (fun a => c a * ell a (phi' a X)) kept - f X)
    with (lsum (fun a => c a * (ell a (phi' a X) - ell a (phi a X))) kept
          + ((lsum (fun a => c a * ell a (phi a X)) kept - lsum (fun a => c a * cos (phi a X)) l)
             + (c0 + lsum (fun a => c a * cos (phi a X)) l - f X))).
  2: { rewrite (lsum_ext_in (fun a => c a * (ell a (phi' a X) - ell a (phi a X)))
                  (fun a => c a * ell a (phi' a X) - c a * ell a (phi a X))) by (intros; ring).
       rewrite lsum_minus. ring. }
  eapply Rle_trans; [apply Rabs_triang|].
  assert (Hl : Rabs (lsum (fun a => c a * (ell a (phi' a X) - ell a (phi a X))) kept) <= lsum (fun a => Rabs (c a) * d a) kept).
  { apply weighted_error_sum. intros a Ha. unfold kept in Ha. apply filter_In in Ha as [Ha Hk].
    eapply Rle_trans; [apply H_lip; assumption | apply H_leak; assumption]. }
  eapply Rle_trans; [apply Rplus_le_compat; [exact Hl | apply Rabs_triang]|].
  pose proof (composition_core X HX). pose proof (H_fk X HX). lra.
Qed.

End Composition.

(** ** 2. The construction's FFN: steps 1–4 and lem:ridge-pl discharged *)

(** The data of a construction (docs/math.md §2): the box, d_out, the frequencies Λ⁺ with their
    integer vectors ν and neuron counts K_ν, which frequencies each entry (i, c) keeps (position i
    has the neurons of ν when some channel keeps ν; a channel that drops ν gets output weight 0),
    the coefficients c_ν^{(i,c)} and c₀^{(i,c)}, λ, G, the knot steps h_ν, the routing variant,
    and for the leak variant the normalised spreads R̃_(h,c). *)
Record construction := {
  cn_n : nat; cn_din : nat; cn_dout : nat; cn_lo : nat -> nat -> R; cn_hi : nat -> nat -> R;
  cn_A : Type; cn_l : list cn_A; cn_nu : cn_A -> nat -> nat -> Z; cn_K : cn_A -> nat;
  cn_keep : nat -> nat -> cn_A -> bool; cn_coef : nat -> nat -> cn_A -> R; cn_c0 : nat -> nat -> R;
  cn_lam : R; cn_G : R; cn_hs : cn_A -> R;
  cn_inverse : bool;                 (** true: A⁻¹ folded into W_1; false: variant leak *)
  cn_Rt : nat -> nat -> R
}.

Section Construction.
Variable C : construction.
Let n := cn_n C.
Let din := cn_din C.
Let lo := cn_lo C.
Let hi := cn_hi C.
Let nu := cn_nu C.

Definition cn_w : (nat -> nat -> Z) -> nat -> nat -> R :=
  if cn_inverse C then w_inv n lo hi (cn_lam C) else w_leak lo hi.

Definition cn_in_box : (nat -> nat -> R) -> Prop := in_box n din lo hi.
Definition cn_kept (i c : nat) : list (cn_A C) := filter (cn_keep C i c) (cn_l C).
Definition cn_dropped (i c : nat) : list (cn_A C) := filter (fun a => negb (cn_keep C i c a)) (cn_l C).

(** Position i has the neurons of ν when some channel keeps ν; channel c's output weight. *)
Definition cn_neuron (i : nat) (a : cn_A C) : bool := existsb (fun c => cn_keep C i c a) (seq 0 (cn_dout C)).
Definition cn_outw (i c : nat) (a : cn_A C) : R := if cn_keep C i c a then cn_coef C i c a else 0.

(** T(X)_{i,c}: the FFN's output slot (i, c) on the routed input. *)
Definition cn_out (i c : nat) (X : nat -> nat -> R) : R :=
  ffn_out n din lo hi (cn_A C) (cn_l C) nu (cn_K C) cn_neuron cn_outw (cn_c0 C) (cn_lam C) (cn_G C) cn_w i c X.

(** The trigonometric polynomial P_{i,c} of lem:fk-trig over all of Λ⁺. *)
Definition cn_poly (i c : nat) (X : nat -> nat -> R) : R :=
  cn_c0 C i c + lsum (fun a => cn_coef C i c a * cos (phase n din lo hi (nu a) X)) (cn_l C).

(** What the construction guarantees by its choices (checked by the code, assumed here):
    n ≥ 1, λ > 0, lo < hi, G above every ungated pre-activation on the box, every ν ≠ 0 with
    π|ν|₁ ≤ K_ν·h_ν, and (leak) |X_jc − X_hc| ≤ R̃_hc·(hi_hc − lo_hc) on the box. *)
Definition construction_ok : Prop :=
  (1 <= n)%nat /\ 0 < cn_lam C /\ box_ok n din lo hi /\
  (forall X, cn_in_box X -> gate_ok n din lo hi (cn_A C) (cn_l C) nu (cn_K C) cn_neuron (cn_lam C) (cn_G C) cn_w X) /\
  (forall a, In a (cn_l C) -> nonzero_freq n din (nu a) /\ t_hi n din (nu a) - t_lo n din (nu a) <= INR (cn_K C a) * cn_hs C a) /\
  (cn_inverse C = false -> forall X, cn_in_box X -> forall j h c, (j < n)%nat -> (h < n)%nat -> (c < din)%nat ->
     Rabs (X j c - X h c) <= cn_Rt C h c * (hi h c - lo h c)).

(** lem:fk-trig for the entry (i, c), with the Lipschitz constant L of the target entry f_{i,c}
    in normalised coordinates, m = n·d_in and the degree N. *)
Definition fk_entry (f : nat -> nat -> (nat -> nat -> R) -> R) (i c : nat) (L : R) (N : nat) : Prop :=
  forall X, cn_in_box X -> Rabs (cn_poly i c X - f i c X) <= fk_trig_term L (n * din) N.

(** The leak's weight W_{i,c} = Σ_{ν kept} |c_ν|·Σ_k |ν_k|·R̃_k. *)
Definition cn_leak_weight (i c : nat) : R :=
  lsum (fun a => Rabs (cn_coef C i c a) * msum n din (fun h c' => IZR (Z.abs (nu a h c')) * cn_Rt C h c')) (cn_kept i c).

(** The bound of the entry (i, c): the certificate's real-arithmetic terms. *)
Definition entry_bound (i c : nat) (L : R) (N : nat) : R :=
  fk_trig_term L (n * din) N
  + ridge_pl_nu_term (map (fun a => (cn_coef C i c a, cn_hs C a)) (cn_kept i c))
  + truncation_term (map (cn_coef C i c) (cn_dropped i c))
  + (if cn_inverse C then 0 else routing_leak_term n (cn_lam C) (cn_leak_weight i c)).

(** The neurons of position i weighted by channel c's output weights are channel c's kept sum. *)
Lemma kept_outw (i c : nat) (F : cn_A C -> R) :
  (c < cn_dout C)%nat ->
  lsum (fun a => cn_outw i c a * F a) (filter (cn_neuron i) (cn_l C)) = lsum (fun a => cn_coef C i c a * F a) (cn_kept i c).
Proof.
  intros Hc. unfold cn_kept. induction (cn_l C) as [|a l IH]; [reflexivity|].
  cbn [filter]. destruct (cn_keep C i c a) eqn:Hk.
  - assert (Hn : cn_neuron i a = true).
    { unfold cn_neuron. apply existsb_exists. exists c. split; [apply in_seq; lia | exact Hk]. }
    rewrite Hn, !lsum_cons, IH. unfold cn_outw. rewrite Hk. reflexivity.
  - destruct (cn_neuron i a).
    + rewrite lsum_cons, IH. unfold cn_outw. rewrite Hk. ring.
    + exact IH.
Qed.

Lemma knots_facts (a : cn_A C) :
  box_ok n din lo hi -> nonzero_freq n din (nu a) ->
  t_hi n din (nu a) - t_lo n din (nu a) <= INR (cn_K C a) * cn_hs C a ->
  let t := knots n din (cn_A C) nu (cn_K C) a in
  knots_increasing t (cn_K C a) /\ t O = t_lo n din (nu a) /\ t (cn_K C a) = t_hi n din (nu a) /\
  forall x, t_lo n din (nu a) <= x <= t_hi n din (nu a) ->
    Rabs (ridge_pl t (cn_K C a) x - cos x) <= cn_hs C a ^ 2 / 8.
Proof.
  intros Hb Hnz Hcov t.
  pose proof (phase_length_pos n din (nu a) Hnz) as Hlt.
  assert (HK : (0 < cn_K C a)%nat).
  { destruct (cn_K C a) eqn:E; [|lia]. simpl INR in Hcov. lra. }
  assert (HKR : 0 < INR (cn_K C a)) by (apply lt_0_INR; exact HK).
  split; [apply ridge_knots_increasing; assumption|].
  split; [unfold t, knots, ridge_knots; simpl INR; ring|].
  split; [unfold t, knots, ridge_knots; field; lra|].
  intros x Hx. apply ridge_pl_uniform_bound; assumption.
Qed.

Theorem thm_main (f : nat -> nat -> (nat -> nat -> R) -> R) (i c : nat) (L : R) (N : nat) :
  construction_ok -> fk_entry f i c L N -> (i < n)%nat -> (c < cn_dout C)%nat ->
  forall X, cn_in_box X -> Rabs (cn_out i c X - f i c X) <= entry_bound i c L N.
Proof.
  intros (Hn & Hl & Hb & Hg & Hk & Hr) Hfk Hi Hc X HX.
  set (A := cn_A C).
  set (kp := cn_keep C i c).
  set (phi := fun (a : A) (Y : nat -> nat -> R) => phase n din lo hi (nu a) Y).
  set (ell := fun a => ridge_pl (knots n din A nu (cn_K C) a) (cn_K C a)).
  set (lo' := fun a : A => t_lo n din (nu a)).
  set (hi' := fun a : A => t_hi n din (nu a)).
  assert (Hpl : forall a, In a (cn_l C) -> kp a = true -> forall t, lo' a <= t <= hi' a ->
            Rabs (ell a t - cos t) <= cn_hs C a ^ 2 / 8).
  { intros a Ha _ t Ht. destruct (Hk a Ha) as [Hnz Hcov].
    destruct (knots_facts a Hb Hnz Hcov) as (_ & _ & _ & H). apply H. exact Ht. }
  assert (Hrange : forall a Y, In a (cn_l C) -> kp a = true -> cn_in_box Y -> lo' a <= phi a Y <= hi' a).
  { intros a Y _ _ HY. apply phase_range; assumption. }
  (* the FFN evaluates ℓ_ν at w·y + β *)
  assert (Hreal : forall Y, cn_in_box Y ->
            cn_out i c Y = cn_c0 C i c + lsum (fun a => cn_coef C i c a *
               ell a (msum n din (fun h c' => cn_w (nu a) h c' * routed n (cn_lam C) Y h c') + beta_in n din lo hi (nu a)))
               (cn_kept i c)).
  { intros Y HY. unfold cn_out. rewrite ffn_realises by (try apply Hg; assumption). f_equal.
    apply kept_outw. exact Hc. }
  unfold entry_bound. destruct (cn_inverse C) eqn:Hinv.
  - (* variant inverse: w·y + β = t_ν exactly *)
    rewrite Rplus_0_r.
    apply (thm_main_composition (nat -> nat -> R) cn_in_box A (cn_l C) kp (cn_coef C i c) (cn_hs C) phi ell lo' hi'
             (cn_c0 C i c) (f i c) (cn_out i c) L (n * din) N); try assumption.
    + intros Y HY. rewrite Hreal by exact HY. f_equal. apply lsum_ext_in. intros a _. f_equal. f_equal.
      unfold cn_w. rewrite Hinv. apply first_layer_inverse; assumption.
  - (* variant leak: w·y + β = t_ν(y), within β·π·Σ|ν_k|R̃_k of t_ν(x) *)
    set (beta := routing_leak_factor n (cn_lam C)).
    set (dd := fun a : A => beta * PI * msum n din (fun h c' => IZR (Z.abs (nu a h c')) * cn_Rt C h c')).
    assert (Hbeta : 0 <= beta).
    { unfold beta, routing_leak_factor. pose proof (denom_pos n (cn_lam C) Hn).
      assert (1 <= INR n) by (apply le_INR in Hn; simpl in Hn; lra).
      apply Rmult_le_pos; [lra | left; apply Rinv_0_lt_compat; lra]. }
    assert (E : routing_leak_term n (cn_lam C) (cn_leak_weight i c) = lsum (fun a => Rabs (cn_coef C i c a) * dd a) (cn_kept i c)).
    { unfold routing_leak_term, cn_leak_weight, dd. fold beta.
      rewrite <- lsum_scal. apply lsum_ext_in. intros; ring. }
    rewrite E.
    apply (thm_main_composition_leak (nat -> nat -> R) cn_in_box A (cn_l C) kp (cn_coef C i c) (cn_hs C) phi ell lo' hi'
             (cn_c0 C i c) (f i c) (cn_out i c) L (n * din) N)
      with (phi' := fun a Y => phase n din lo hi (nu a) (routed n (cn_lam C) Y)) (d := dd); try assumption.
    + intros Y HY. rewrite Hreal by exact HY. f_equal. apply lsum_ext_in. intros a _. f_equal. f_equal.
      unfold cn_w. rewrite Hinv. apply first_layer_leak. exact Hb.
    + intros a Ha _ s t. destruct (Hk a Ha) as [Hnz Hcov].
      destruct (knots_facts a Hb Hnz Hcov) as (Hki & _). apply ridge_pl_lipschitz. exact Hki.
    + intros a Y _ _ HY. unfold phi, phase, dd.
      rewrite <- Rmult_minus_distr_l, Rabs_mult, Rabs_right by (left; apply PI_RGT_0).
      rewrite (Rmult_comm beta PI), Rmult_assoc. apply Rmult_le_compat_l; [left; apply PI_RGT_0|].
      rewrite <- msum_scal.
      unfold msum. rewrite <- rsum_minus. eapply Rle_trans; [apply rsum_abs|]. apply rsum_le. intros c' Hc'.
      rewrite <- rsum_minus. eapply Rle_trans; [apply rsum_abs|]. apply rsum_le. intros h Hh.
      specialize (Hb h c' Hh Hc').
      assert (Hlk : Rabs (routed n (cn_lam C) Y h c' - Y h c') <= beta * (cn_Rt C h c' * (hi h c' - lo h c'))).
      { apply (lem_routing_leak n (cn_lam C) (fun j => Y j c') h); [exact Hn | exact Hh |].
        intros j Hj. apply (Hr eq_refl Y HY j h c'); assumption. }
      set (r := routed n (cn_lam C) Y h c').
      replace (IZR (nu a h c') * xt lo hi (routed n (cn_lam C) Y) h c' - IZR (nu a h c') * xt lo hi Y h c')
        with (IZR (nu a h c') * (r - Y h c') * / (hi h c' - lo h c')) by (unfold xt, r; field; lra).
      rewrite !Rabs_mult, Rabs_inv, <- abs_IZR, (Rabs_right (hi h c' - lo h c')) by lra.
      apply (Rmult_le_reg_r (hi h c' - lo h c')); [lra|].
      replace (IZR (Z.abs (nu a h c')) * Rabs (r - Y h c') * / (hi h c' - lo h c') * (hi h c' - lo h c'))
        with (IZR (Z.abs (nu a h c')) * Rabs (r - Y h c')) by (field; lra).
      replace (beta * (IZR (Z.abs (nu a h c')) * cn_Rt C h c') * (hi h c' - lo h c'))
        with (IZR (Z.abs (nu a h c')) * (beta * (cn_Rt C h c' * (hi h c' - lo h c')))) by ring.
      apply Rmult_le_compat_l; [apply IZR_le; lia | exact Hlk].
Qed.

(** ** 3. The budget: the certificate's numbers *)

Lemma ridge_pl_nu_term_perm (l1 l2 : list (R * R)) : Permutation l1 l2 -> ridge_pl_nu_term l1 = ridge_pl_nu_term l2.
Proof. induction 1; simpl; lra. Qed.

Lemma truncation_term_perm (l1 l2 : list R) : Permutation l1 l2 -> truncation_term l1 = truncation_term l2.
Proof. induction 1; simpl; lra. Qed.

Lemma ridge_pl_nu_term_abs (ch : list (R * R)) :
  ridge_pl_nu_term (map (fun p => (Rabs (fst p), snd p)) ch) = ridge_pl_nu_term ch.
Proof. induction ch as [|[c h] ch IH]; simpl; [reflexivity|]. rewrite IH, Rabs_Rabsolu. reflexivity. Qed.

Lemma truncation_term_abs (cs : list R) : truncation_term (map Rabs cs) = truncation_term cs.
Proof. induction cs as [|x cs IH]; simpl; [reflexivity|]. rewrite IH, Rabs_Rabsolu. reflexivity. Qed.

(** One global knot step: every h_ν ≤ h and Σ|c_ν| ≤ S give ridge_pl_nu_term ≤ ridge_pl_term h S. *)
Lemma ridge_pl_nu_le_global (ch : list (R * R)) (h S : R) :
  (forall p, In p ch -> 0 <= snd p <= h) -> truncation_term (map fst ch) <= S ->
  ridge_pl_nu_term ch <= ridge_pl_term h S.
Proof.
  intros Hh HS. unfold ridge_pl_term.
  assert (Hle : ridge_pl_nu_term ch <= h ^ 2 / 8 * truncation_term (map fst ch)).
  { clear HS. induction ch as [|[c hc] ch IH]; simpl; [lra|].
    assert (H0 : 0 <= hc <= h) by exact (Hh (c, hc) (or_introl eq_refl)).
    assert (hc ^ 2 <= h ^ 2) by (apply pow_incr; exact H0).
    assert (Rabs c * hc ^ 2 <= Rabs c * h ^ 2) by (apply Rmult_le_compat_l; [apply Rabs_pos | assumption]).
    assert (IH' : ridge_pl_nu_term ch <= h ^ 2 / 8 * truncation_term (map fst ch))
      by (apply IH; intros p Hp; apply Hh; right; exact Hp).
    lra. }
  eapply Rle_trans; [exact Hle|]. apply Rmult_le_compat_l; [|exact HS].
  assert (0 <= h ^ 2) by apply pow2_ge_0. lra.
Qed.

(** The certificate's leak input is π·W (its [weight]); a bound on it bounds W. *)
Lemma leak_weight_pi (w Wpi : R) : PI * w <= Wpi -> w <= Wpi / PI.
Proof.
  intros H. pose proof PI_RGT_0. apply (Rmult_le_reg_l PI); [lra|].
  replace (PI * (Wpi / PI)) with Wpi by (field; lra). exact H.
Qed.

(** How the certificate's ridge-pl inputs bind the construction's kept frequencies of (i, c):
    one global step h with S ≥ Σ|c_ν|, or the list of (|c_ν|, h_ν) itself. *)
Inductive pl_cert :=
  | PlGlobal (h Ssum : R)
  | PlPerNu (chs : list (R * R)).

Definition pl_cert_value (p : pl_cert) : R :=
  match p with PlGlobal h Ssum => ridge_pl_term h Ssum | PlPerNu chs => ridge_pl_nu_term chs end.

Definition pl_binds (i c : nat) (p : pl_cert) : Prop :=
  match p with
  | PlGlobal h Ssum => (forall a, In a (cn_kept i c) -> 0 <= cn_hs C a <= h) /\
                    truncation_term (map (cn_coef C i c) (cn_kept i c)) <= Ssum
  | PlPerNu chs => Permutation (map (fun a => (Rabs (cn_coef C i c a), cn_hs C a)) (cn_kept i c)) chs
  end.

(** The truncation inputs: nothing dropped, or the list of the dropped |c_ν|. *)
Definition trunc_binds (i c : nat) (dropped : list R) : Prop :=
  Permutation (map (fun a => Rabs (cn_coef C i c a)) (cn_dropped i c)) dropped.

Lemma pl_binds_le (i c : nat) (p : pl_cert) :
  pl_binds i c p -> ridge_pl_nu_term (map (fun a => (cn_coef C i c a, cn_hs C a)) (cn_kept i c)) <= pl_cert_value p.
Proof.
  destruct p as [h Ssum | chs]; simpl.
  - intros [Hh HS]. apply ridge_pl_nu_le_global.
    + intros [c' hc] Hp. apply in_map_iff in Hp as [a [Ha Hin]]. injection Ha as <- <-. apply Hh. exact Hin.
    + rewrite map_map. exact HS.
  - intros Hp. rewrite <- (ridge_pl_nu_term_perm _ _ Hp).
    rewrite <- (ridge_pl_nu_term_abs (map (fun a => (cn_coef C i c a, cn_hs C a)) (cn_kept i c))), map_map. simpl. lra.
Qed.

Lemma trunc_binds_eq (i c : nat) (dropped : list R) :
  trunc_binds i c dropped -> truncation_term (map (cn_coef C i c) (cn_dropped i c)) = truncation_term dropped.
Proof.
  intros Hp. rewrite <- (truncation_term_perm _ _ Hp), <- truncation_term_abs, map_map. reflexivity.
Qed.

(** The certified budget of the entry (i, c): the term values V of the certificate bound the
    formulas, the float term E_float ≥ 0 and the gating term (0) are added, the sum is at most
    the entry's total and the total at most ε. Then the real-arithmetic construction is within
    ε − E_float of f at (i, c): with the (prose) float bound, the float64 layer is within ε. *)
Theorem thm_main_certified (f : nat -> nat -> (nat -> nat -> R) -> R) (i c : nat) (L : R) (N : nat)
    (p : pl_cert) (dropped : list R) (W Vfk Vpl Vtr Vrt Vg Vfl total eps : R) :
  construction_ok -> fk_entry f i c L N -> (i < n)%nat -> (c < cn_dout C)%nat ->
  pl_binds i c p -> trunc_binds i c dropped ->
  (cn_inverse C = false -> cn_leak_weight i c <= W) ->
  fk_trig_term L (n * din) N <= Vfk -> pl_cert_value p <= Vpl -> truncation_term dropped <= Vtr ->
  (if cn_inverse C then 0 else routing_leak_term n (cn_lam C) W) <= Vrt ->
  0 <= Vg -> 0 <= Vfl -> Vfk + Vpl + Vtr + Vrt + Vg + Vfl <= total -> total <= eps ->
  forall X, cn_in_box X -> Rabs (cn_out i c X - f i c X) <= eps - Vfl.
Proof.
  intros Hok Hfk Hi Hc Hp Ht HW Hvfk Hvpl Hvtr Hvrt Hvg Hvfl Htot Heps X HX.
  pose proof (thm_main f i c L N Hok Hfk Hi Hc X HX) as Hm. unfold entry_bound in Hm.
  pose proof (pl_binds_le i c p Hp). rewrite (trunc_binds_eq i c dropped Ht) in Hm.
  assert (Hr : (if cn_inverse C then 0 else routing_leak_term n (cn_lam C) (cn_leak_weight i c)) <= Vrt).
  { destruct (cn_inverse C) eqn:E; [exact Hvrt|].
    eapply Rle_trans; [|exact Hvrt]. unfold routing_leak_term.
    apply Rmult_le_compat_l; [|apply HW; reflexivity].
    destruct Hok as (Hn & _). unfold routing_leak_factor. pose proof (denom_pos n (cn_lam C) Hn).
    assert (1 <= INR n) by (apply le_INR in Hn; simpl in Hn; lra). pose proof PI_RGT_0.
    apply Rmult_le_pos; [apply Rmult_le_pos; [lra | left; apply Rinv_0_lt_compat; lra] | lra]. }
  lra.
Qed.

End Construction.
