(** * [thm:main] with lem:fk-trig discharged: the label's theorem [thm_main_full].

    [ThmMain.thm_main] takes lem:fk-trig's conclusion for the entry as the hypothesis [fk_entry].
    Here it is derived from [LemFkTrig.fk_trig_bound_relabel]: the entry (i, c) of the target is
    g(x̃) for a function g on [0,1]^m that is L-Lipschitz for the Euclidean norm, and the
    construction's c₀ and c_ν are the Fejér–Korovkin coefficients of g for the degree N over Λ⁺.
    The box coordinates (h, c) are flattened token-major, k = h·d_in + c, into the lists of
    LemFkTrig (x̃ as [list R], ν as [list Z]). Real arithmetic. *)
Require Import Reals Lra Lia List ZArith Permutation.
Require Import Uat.Sums Uat.Terms Uat.LemFkTrig Uat.Realisation Uat.ThmMain.
Open Scope R_scope.

(** ** Flattening (h, c) ↦ h·d + c *)

Lemma rsum_add_range (F : nat -> R) (a b : nat) : rsum F (a + b) = rsum F a + rsum (fun c => F (a + c)%nat) b.
Proof.
  induction b as [|b IH]; simpl; [rewrite Nat.add_0_r; ring|].
  rewrite Nat.add_succ_r. simpl. rewrite IH. ring.
Qed.

Lemma rsum_pair (F : nat -> R) (n d : nat) : rsum F (n * d) = rsum (fun h => rsum (fun c => F (h * d + c)%nat) d) n.
Proof.
  induction n as [|n IH]; [reflexivity|].
  replace (S n * d)%nat with (n * d + d)%nat by lia. rewrite rsum_add_range, IH. reflexivity.
Qed.

Lemma dotZ_seq (f : nat -> Z) (g : nat -> R) (s k : nat) :
  dotZ (map f (seq s k)) (map g (seq s k)) = lsum (fun j => IZR (f j) * g j) (seq s k).
Proof.
  revert s. induction k as [|k IH]; intros s; [reflexivity|]. simpl. rewrite IH. reflexivity.
Qed.

Section Flatten.
Variable C : construction.
Let n := cn_n C.
Let din := cn_din C.

Definition flat_x (X : nat -> nat -> R) : list R :=
  map (fun k => xt (cn_lo C) (cn_hi C) X (k / din) (k mod din)) (seq 0 (n * din)).
Definition flat_nu (a : cn_A C) : list Z :=
  map (fun k => cn_nu C a (k / din) (k mod din)) (seq 0 (n * din)).

Lemma div_mod_pair (h c : nat) : (c < din)%nat -> ((h * din + c) / din = h /\ (h * din + c) mod din = c)%nat.
Proof.
  intros Hc. split.
  - rewrite Nat.add_comm, Nat.div_add by lia. rewrite Nat.div_small by exact Hc. lia.
  - rewrite Nat.add_comm, Nat.mod_add by lia. apply Nat.mod_small. exact Hc.
Qed.

Lemma phase_flat (a : cn_A C) (X : nat -> nat -> R) :
  phase n din (cn_lo C) (cn_hi C) (cn_nu C a) X = PI * dotZ (flat_nu a) (flat_x X).
Proof.
  unfold phase, flat_nu, flat_x. f_equal. rewrite dotZ_seq, lsum_seq, rsum_pair.
  unfold msum. fold n din. rewrite rsum_swap. apply rsum_ext. intros h Hh. apply rsum_ext. intros c Hc.
  destruct (div_mod_pair h c Hc) as [-> ->]. reflexivity.
Qed.

Lemma flat_x_length (X : nat -> nat -> R) : length (flat_x X) = (n * din)%nat.
Proof. unfold flat_x. rewrite map_length, seq_length. reflexivity. Qed.

Lemma flat_x_cube (X : nat -> nat -> R) :
  box_ok n din (cn_lo C) (cn_hi C) -> cn_in_box C X -> in_unit_cube (flat_x X).
Proof.
  intros Hb HX. unfold in_unit_cube, flat_x. apply Forall_forall. intros y Hy.
  apply in_map_iff in Hy as [k [<- Hk]]. apply in_seq in Hk.
  assert (Hd : (0 < din)%nat) by (destruct din; [lia | lia]).
  assert (Hh : (k / din < n)%nat) by (apply Nat.div_lt_upper_bound; lia).
  assert (Hc : (k mod din < din)%nat) by (apply Nat.mod_upper_bound; lia).
  specialize (Hb _ _ Hh Hc). specialize (HX _ _ Hh Hc). unfold xt. split.
  - apply Rmult_le_pos; [lra | left; apply Rinv_0_lt_compat; lra].
  - apply (Rmult_le_reg_r (cn_hi C (k / din) (k mod din) - cn_lo C (k / din) (k mod din))); [lra|].
    unfold Rdiv. rewrite Rmult_assoc, Rinv_l by lra. lra.
Qed.

(** The entry (i, c) of f is g(x̃) for an L-Lipschitz g, and the construction uses the
    Fejér–Korovkin coefficients of g for the degree N over Λ⁺ (every ν of Λ⁺ once). *)
Definition fk_data (f : nat -> nat -> (nat -> nat -> R) -> R) (i c : nat) (L : R) (N : nat) : Prop :=
  (1 <= N)%nat /\ 0 <= L /\
  exists g : list R -> R,
    fk_lipschitz (n * din) L g /\
    (forall X, cn_in_box C X -> f i c X = g (flat_x X)) /\
    Permutation (map flat_nu (cn_l C)) (fk_lam_plus N (n * din)) /\
    cn_c0 C i c = fk_c0 N (n * din) g /\
    (forall a, In a (cn_l C) -> cn_coef C i c a = fk_coef N (n * din) g (flat_nu a)).

(** lem:fk-trig gives the hypothesis [fk_entry] of [ThmMain.thm_main]. *)
Theorem fk_entry_of_data (f : nat -> nat -> (nat -> nat -> R) -> R) (i c : nat) (L : R) (N : nat) :
  box_ok n din (cn_lo C) (cn_hi C) -> fk_data f i c L N -> fk_entry C f i c L N.
Proof.
  intros Hb (HN & HL & g & Hg & Hf & Hp & H0 & Hc) X HX. unfold cn_poly.
  rewrite Hf by exact HX. rewrite H0.
  rewrite (lsum_ext_in _ (fun a => fk_coef N (n * din) g (flat_nu a) * cos (PI * dotZ (flat_nu a) (flat_x X))) (cn_l C)).
  - apply (fk_trig_bound_relabel (cn_l C) flat_nu N (n * din) L g (flat_x X) Hp HN HL Hg).
    + apply flat_x_length.
    + apply flat_x_cube; assumption.
  - intros a Ha. rewrite Hc by exact Ha. f_equal. f_equal. apply phase_flat.
Qed.

End Flatten.

(** ** The label: thm:main in real arithmetic, every lemma discharged

    For a construction with the choices [construction_ok] (n ≥ 1, λ > 0, lo < hi, G above every
    ungated pre-activation, π|ν|₁ ≤ K_ν h_ν, and for [leak] the spreads R̃), at every entry
    (i, c), i < n, c < d_out, whose coefficients
    are the Fejér–Korovkin coefficients of the L-Lipschitz g_{i,c} ([fk_data]): at every X of the
    box, the FFN's output slot (i, c) — the layer's output T(X)_{i,c} — is within
    fk_trig_term L m N + ridge_pl_nu_term (kept) + truncation_term (dropped) (+ the leak term)
    of f(X)_{i,c}. *)
Theorem thm_main_full (C : construction) (f : nat -> nat -> (nat -> nat -> R) -> R) (i c : nat) (L : R) (N : nat) :
  construction_ok C -> fk_data C f i c L N -> (i < cn_n C)%nat -> (c < cn_dout C)%nat ->
  forall X, cn_in_box C X -> Rabs (cn_out C i c X - f i c X) <= entry_bound C i c L N.
Proof.
  intros Hok Hfk Hi Hc. apply thm_main; [exact Hok | | exact Hi | exact Hc].
  apply fk_entry_of_data; [apply Hok | exact Hfk].
Qed.
