/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-match.h: which tensor of a fixed graph stands for which tensor of
 * its float graph (issue 6), so the two can be compared layer by layer.
 *
 * Only activations take part: tensors that depend on a graph input (not
 * weights, not subgraphs of constants). On the fixed side, the quantized
 * ones: a tensor with quantization parameters, or the output of a
 * QuantizeLinear node (its scale and zero point dequantize it); on the
 * float side, those of a float dtype.
 *
 *  - Provenance: a graph Lamina quantized records "lamina.float_of"
 *    (lamina-quantize.h); each fixed tensor pairs with the float tensor
 *    listed there (unlisted ones keep their name).
 *  - Otherwise (pairs made elsewhere, e.g. TFLite fp16 vs int8 from one
 *    exporter): the float tensor of the same name, when its shape is the
 *    same and it is produced the same way: both graph inputs, the same
 *    operator, or the fixed one by a (re)quantize node that stands for it.
 *
 * Nothing is guessed: tensors that do not pair are listed as unmatched.
 */
#pragma once

#include "graph/lamina-graph.h"

G_BEGIN_DECLS

typedef struct {
  const LaminaTensor *flt;     /* in the float graph (borrowed) */
  const LaminaTensor *fixed;   /* in the fixed graph (borrowed) */
  LaminaQuant        *quant;   /* dequantizes fixed (owned) */
} LaminaMatchPair;

typedef struct {
  GArray    *pairs;            /* LaminaMatchPair, in the fixed graph's topological order */
  GPtrArray *unmatched_float;  /* const LaminaTensor*: float activations without a partner */
  GPtrArray *unmatched_fixed;  /* const LaminaTensor*: quantized tensors without a partner */
  gboolean   by_provenance;    /* the fixed model had "lamina.float_of" */
} LaminaMatch;

/* The main graphs of both models; fails only on a cyclic graph. The
 * models must outlive the result. */
LaminaMatch *lamina_match_tensors (const LaminaModel *flt, const LaminaModel *fixed, GError **error);
void         lamina_match_free (LaminaMatch *match);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaMatch, lamina_match_free)

G_END_DECLS
