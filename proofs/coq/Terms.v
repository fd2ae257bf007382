(** * The certificate's term formulas (docs/math.md §2), one definition each.

    This file is the interface between the lemma files and the composition [ThmMain.v]:
    each lemma concludes a bound expressed with the definition of its term here, and
    [certificate.v] files instantiate these definitions with a certificate's numbers.
    Real arithmetic only: the float64 term of a certificate is not formalized here. *)
Require Import Reals List.
Open Scope R_scope.

(** [lem:fk-trig]: L·√m·sin(π/(2N+4)) for a target Euclidean-Lipschitz with constant L in the
    normalised coordinates of [0,1]^m. *)
Definition fk_trig_term (L : R) (m N : nat) : R :=
  L * sqrt (INR m) * sin (PI / (2 * INR N + 4)).

(** [lem:ridge-pl], one global knot step h: h²/8 · S with S = Σ_ν |c_ν|. *)
Definition ridge_pl_term (h S : R) : R := h ^ 2 / 8 * S.

(** [lem:ridge-pl] applied per frequency: Σ_ν |c_ν|·h_ν²/8 over the list of pairs (c_ν, h_ν). *)
Definition ridge_pl_nu_term (ch : list (R * R)) : R :=
  fold_right (fun p acc => Rabs (fst p) * (snd p) ^ 2 / 8 + acc) 0 ch.

(** Certified truncation: Σ_{ν ∈ Ω} |c_ν| over the dropped coefficients. *)
Definition truncation_term (dropped : list R) : R :=
  fold_right (fun c acc => Rabs c + acc) 0 dropped.

(** [lem:routing], variant leak: the leak factor β = (n−1)/(e^λ + n − 1). *)
Definition routing_leak_factor (n : nat) (lambda : R) : R :=
  (INR n - 1) / (exp lambda + INR n - 1).

(** [lem:routing], variant leak, the budget term: β·π·W with W = Σ_ν |c_ν|·Σ_k |ν_k|·R̃_k. *)
Definition routing_leak_term (n : nat) (lambda W : R) : R :=
  routing_leak_factor n lambda * PI * W.
