(** * [lem:equivariance] — without positions the layer is permutation-equivariant
    (proofs/lem-equivariance.md), and its corollary [claim:no-positions].

    The layer is [Model.layer]: either layout, any LayerNorm placement, arbitrary row maps for the
    embedding, projections, W_O, FFN(s), LayerNorm and readout. A permutation of the tokens is a
    bijection π of [0, n) (with inverse σ), acting by (ΠX)_i = X_{π(i)}. Real arithmetic. *)
Require Import Reals Lra Lia FunctionalExtensionality.
Require Import Uat.Sums Uat.Model.
Open Scope R_scope.

Definition permute (pi : nat -> nat) (Z : Mat) : Mat := fun i => Z (pi i).

(** F commutes with Π on the tokens 0 … n−1 (and reads no other token). *)
Definition commutes (n : nat) (pi : nat -> nat) (F : Mat -> Mat) : Prop :=
  forall Z Z', (forall i, (i < n)%nat -> Z' i = Z (pi i)) -> forall i, (i < n)%nat -> F Z' i = F Z (pi i).

Lemma attend_ext (n : nat) (s1 s2 v1 v2 : nat -> R) :
  (forall j, (j < n)%nat -> s1 j = s2 j) -> (forall j, (j < n)%nat -> v1 j = v2 j) ->
  attend n s1 v1 = attend n s2 v2.
Proof.
  intros Hs Hv. unfold attend, softmax.
  rewrite (rsum_ext (fun k => exp (s1 k)) (fun k => exp (s2 k)) n) by (intros; rewrite Hs; auto).
  apply rsum_ext. intros j Hj. rewrite Hs, Hv by exact Hj. reflexivity.
Qed.

(** Softmax attention commutes with permuting the keys and values together. *)
Lemma attend_perm (n : nat) (pi sigma : nat -> nat) (s v : nat -> R) :
  is_perm n pi sigma -> attend n (fun j => s (pi j)) (fun j => v (pi j)) = attend n s v.
Proof.
  intros Hp. unfold attend, softmax.
  rewrite (rsum_perm n pi sigma (fun k => exp (s k))) by exact Hp.
  apply (rsum_perm n pi sigma (fun j => exp (s j) / rsum (fun k => exp (s k)) n * v j)). exact Hp.
Qed.

Section Commutation.
Variables (n : nat) (pi sigma : nat -> nat).
Hypothesis Hp : is_perm n pi sigma.

Lemma pi_lt (i : nat) : (i < n)%nat -> (pi i < n)%nat.
Proof. intros Hi. apply Hp. exact Hi. Qed.

Lemma rowwise_commutes (phi : Row -> Row) : commutes n pi (rowwise phi).
Proof. intros Z Z' H i Hi. unfold rowwise. rewrite H by exact Hi. reflexivity. Qed.

Lemma compose_commutes (F G : Mat -> Mat) :
  commutes n pi F -> commutes n pi G -> commutes n pi (fun Z => F (G Z)).
Proof. intros HF HG Z Z' H i Hi. apply HF; [|exact Hi]. intros j Hj. apply HG; assumption. Qed.

Lemma id_commutes : commutes n pi (fun Z => Z).
Proof. intros Z Z' H i Hi. apply H. exact Hi. Qed.

Lemma madd_commutes (F G : Mat -> Mat) :
  commutes n pi F -> commutes n pi G -> commutes n pi (fun Z => madd (F Z) (G Z)).
Proof. intros HF HG Z Z' H i Hi. unfold madd. rewrite (HF Z Z' H i Hi), (HG Z Z' H i Hi). reflexivity. Qed.

Lemma mscale_commutes (s : R) (F : Mat -> Mat) : commutes n pi F -> commutes n pi (fun Z => mscale s (F Z)).
Proof. intros HF Z Z' H i Hi. unfold mscale. rewrite (HF Z Z' H i Hi). reflexivity. Qed.

Lemma sublayer_commutes (p : LNPlace) (ln : Row -> Row) (s : R) (F : Mat -> Mat) :
  commutes n pi F -> commutes n pi (sublayer p ln s F).
Proof.
  intros HF. destruct p; unfold sublayer.
  - apply (madd_commutes (fun Z => Z)); [apply id_commutes | apply mscale_commutes; exact HF].
  - apply (madd_commutes (fun Z => Z)); [apply id_commutes|].
    apply mscale_commutes, (compose_commutes F (rowwise ln)); [exact HF | apply rowwise_commutes].
  - apply (compose_commutes (rowwise ln) (fun Z => madd Z (mscale s (F Z)))); [apply rowwise_commutes|].
    apply (madd_commutes (fun Z => Z)); [apply id_commutes | apply mscale_commutes; exact HF].
Qed.

Lemma head_commutes (dk : nat) (tau : R) (q k v : Row -> Row) : commutes n pi (head n dk tau q k v).
Proof.
  intros Z Z' H i Hi. unfold head. apply functional_extensionality. intros c.
  rewrite (H i Hi).
  rewrite (attend_ext n _ (fun j => (fun j' => tau * dot dk (q (Z (pi i))) (k (Z j'))) (pi j))
                         _ (fun j => (fun j' => v (Z j') c) (pi j))).
  - exact (attend_perm n pi sigma (fun j' => tau * dot dk (q (Z (pi i))) (k (Z j'))) (fun j' => v (Z j') c) Hp).
  - intros j Hj. rewrite H by exact Hj. reflexivity.
  - intros j Hj. rewrite H by exact Hj. reflexivity.
Qed.

Lemma mha_commutes (dk : nat) (tau : R) (q k v : nat -> Row -> Row) (wo : (nat -> Row) -> Row) :
  commutes n pi (mha n dk tau q k v wo).
Proof.
  intros Z Z' H i Hi. unfold mha. f_equal. apply functional_extensionality. intros hh.
  apply head_commutes; assumption.
Qed.

Lemma embed_commutes (P : Layer) : no_positions P -> commutes n pi (embed n P).
Proof.
  intros H0 Z Z' H i Hi. unfold embed. apply functional_extensionality. intros c.
  rewrite H by exact Hi. rewrite !H0. reflexivity.
Qed.

End Commutation.

Theorem lem_equivariance (n : nat) (P : Layer) (pi sigma : nat -> nat) :
  is_perm n pi sigma -> no_positions P ->
  forall X i, (i < n)%nat -> layer n P (permute pi X) i = layer n P X (pi i).
Proof.
  intros Hp H0 X i Hi. unfold layer.
  assert (HE : commutes n pi (embed n P)) by (apply embed_commutes; assumption).
  assert (HM : commutes n pi (layer_mha n P)) by (apply mha_commutes with (sigma := sigma); exact Hp).
  assert (HX : forall j, (j < n)%nat -> permute pi X j = X (pi j)) by reflexivity.
  apply (rowwise_commutes n pi (ly_readout P)); [|exact Hi].
  intros j Hj. destruct (ly_layout P).
  - apply (sublayer_commutes n pi); [apply rowwise_commutes | |exact Hj].
    intros j' Hj'. apply (sublayer_commutes n pi); [exact HM | | exact Hj'].
    intros j'' Hj''. apply HE; assumption.
  - apply (sublayer_commutes n pi); [apply rowwise_commutes | |exact Hj].
    intros j' Hj'. apply (sublayer_commutes n pi); [exact HM | | exact Hj'].
    intros j'' Hj''. apply (sublayer_commutes n pi); [apply rowwise_commutes | | exact Hj''].
    intros k Hk. apply HE; assumption.
Qed.

(** ** [claim:no-positions]: n = 2, d_in = d_out = 1, f(X) = (x₁, x₁) on [0,1]² *)

Definition swap01 (i : nat) : nat := match i with 0 => 1 | 1 => 0 | _ => i end%nat.

Lemma swap01_perm : is_perm 2 swap01 swap01.
Proof. intros i Hi. destruct i as [|[|i]]; simpl; repeat split; lia. Qed.

(** The target f(X)_i = x₁ (channel 0 of token 0), for both tokens. *)
Definition f_copy_first (X : Mat) (i : nat) : R := X 0%nat 0%nat.

Definition in_unit_square (X : Mat) : Prop := 0 <= X 0%nat 0%nat <= 1 /\ 0 <= X 1%nat 0%nat <= 1.

(** At X and ΠX the layer errs by at least ½|x₁ − x₂| at one of the two tokens. *)
Theorem claim_no_positions_pointwise (P : Layer) :
  no_positions P ->
  forall X, Rmax (Rabs (layer 2 P X 0%nat 0%nat - f_copy_first X 0%nat))
                 (Rabs (layer 2 P (permute swap01 X) 1%nat 0%nat - f_copy_first (permute swap01 X) 1%nat))
            >= 1 / 2 * Rabs (X 0%nat 0%nat - X 1%nat 0%nat).
Proof.
  intros H0 X.
  rewrite (lem_equivariance 2 P swap01 swap01 swap01_perm H0 X 1%nat ltac:(lia)).
  unfold f_copy_first, permute. simpl swap01.
  set (t := layer 2 P X 0%nat 0%nat).
  assert (Rabs (X 0%nat 0%nat - X 1%nat 0%nat) <= Rabs (t - X 0%nat 0%nat) + Rabs (t - X 1%nat 0%nat)).
  { replace (X 0%nat 0%nat - X 1%nat 0%nat) with ((t - X 1%nat 0%nat) - (t - X 0%nat 0%nat)) by ring.
    eapply Rle_trans; [apply Rabs_triang|]. rewrite Rabs_Ropp. lra. }
  pose proof (Rmax_l (Rabs (t - X 0%nat 0%nat)) (Rabs (t - X 1%nat 0%nat))).
  pose proof (Rmax_r (Rabs (t - X 0%nat 0%nat)) (Rabs (t - X 1%nat 0%nat))).
  lra.
Qed.

(** The sup form: every position-free layer errs by ≥ ½ somewhere on [0,1]². *)
Theorem claim_no_positions (P : Layer) :
  no_positions P ->
  exists X, in_unit_square X /\ exists i, (i < 2)%nat /\ Rabs (layer 2 P X i 0%nat - f_copy_first X i) >= 1 / 2.
Proof.
  intros H0.
  set (X := fun i (c : nat) => match i with 0%nat => 0 | _ => 1 end).
  pose proof (claim_no_positions_pointwise P H0 X) as H.
  assert (E : Rabs (X 0%nat 0%nat - X 1%nat 0%nat) = 1) by (unfold X; simpl; rewrite Rminus_0_l, Rabs_Ropp, Rabs_R1; reflexivity).
  rewrite E in H.
  destruct (Rle_or_lt (Rabs (layer 2 P (permute swap01 X) 1%nat 0%nat - f_copy_first (permute swap01 X) 1%nat))
                      (Rabs (layer 2 P X 0%nat 0%nat - f_copy_first X 0%nat))) as [Hle|Hlt].
  - exists X. split; [unfold in_unit_square, X; simpl; lra|]. exists 0%nat. split; [lia|].
    rewrite Rmax_left in H by exact Hle. lra.
  - exists (permute swap01 X). split; [unfold in_unit_square, permute, X; simpl; lra|].
    exists 1%nat. split; [lia|]. rewrite Rmax_right in H by lra. lra.
Qed.

(** Sharpness: uniform attention writing the mean has error exactly ½|x₁ − x₂| at both tokens. *)
Definition uniform_layer : Layer := {|
  ly_layout := Standard; ly_ln := LNNone;
  ly_embed := fun r c => match c with 0%nat => r 0%nat | _ => 0 end;
  ly_pos := fun _ _ => 0;
  ly_dk := 1; ly_tau := 1;
  ly_q := fun _ _ _ => 0; ly_k := fun _ _ _ => 0; ly_v := fun _ r _ => r 0%nat;
  ly_wo := fun hs c => match c with 1%nat => hs 0%nat 0%nat | _ => 0 end;
  ly_ffn := fun _ _ => 0; ly_ffn_a := fun _ _ => 0;
  ly_ln1 := fun r => r; ly_ln2 := fun r => r; ly_ln3 := fun r => r;
  ly_readout := fun r _ => r 1%nat
|}.

Theorem claim_no_positions_sharp :
  no_positions uniform_layer /\
  forall X i, (i < 2)%nat ->
    layer 2 uniform_layer X i 0%nat = (X 0%nat 0%nat + X 1%nat 0%nat) / 2 /\
    Rabs (layer 2 uniform_layer X i 0%nat - f_copy_first X i) = 1 / 2 * Rabs (X 0%nat 0%nat - X 1%nat 0%nat).
Proof.
  split; [intros i c; reflexivity|].
  intros X i Hi.
  assert (E : layer 2 uniform_layer X i 0%nat = (X 0%nat 0%nat + X 1%nat 0%nat) / 2).
  { unfold layer, embed, sublayer, madd, mscale, rowwise, layer_mha, mha, head, attend, softmax, dot, rsum.
    simpl. rewrite !Rmult_0_l, !Rplus_0_l, !Rmult_0_r, !exp_0. field. }
  split; [exact E|]. rewrite E. unfold f_copy_first.
  replace ((X 0%nat 0%nat + X 1%nat 0%nat) / 2 - X 0%nat 0%nat) with (- (1 / 2) * (X 0%nat 0%nat - X 1%nat 0%nat)) by field.
  rewrite Rabs_mult, Rabs_Ropp, Rabs_right by lra. reflexivity.
Qed.

(** With positions the argument breaks: a layer whose positions are its output is not equivariant. *)
Definition position_layer : Layer := {|
  ly_layout := Standard; ly_ln := LNNone;
  ly_embed := fun _ _ => 0;
  ly_pos := fun i _ => match i with 0%nat => 1 | _ => 0 end;
  ly_dk := 1; ly_tau := 1;
  ly_q := fun _ _ _ => 0; ly_k := fun _ _ _ => 0; ly_v := fun _ _ _ => 0;
  ly_wo := fun _ _ => 0;
  ly_ffn := fun _ _ => 0; ly_ffn_a := fun _ _ => 0;
  ly_ln1 := fun r => r; ly_ln2 := fun r => r; ly_ln3 := fun r => r;
  ly_readout := fun r _ => r 0%nat
|}.

Theorem lem_equivariance_needs_no_positions :
  forall X, layer 2 position_layer (permute swap01 X) 0%nat 0%nat <> layer 2 position_layer X (swap01 0) 0%nat.
Proof.
  intros X. unfold layer, embed, sublayer, madd, mscale, rowwise, layer_mha, mha, permute. simpl.
  lra.
Qed.
