/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-metrics.h: how far a fixed tensor is from its float counterpart
 * (issue 6). The fixed tensor is dequantized with its own scale and zero
 * point (per tensor, or per axis) and compared element by element with
 * the float one; both must have the same shape and layout.
 *
 * Several inputs: the accumulator pools the sums over every element of
 * every input (as if all inputs were one long tensor), so an input with
 * large values weighs more than one with small values; mean of per-input
 * figures is not what these are.
 */
#pragma once

#include "ops/lamina-value.h"

G_BEGIN_DECLS

typedef struct {
  double  sum_ff, sum_qq, sum_fq, sum_ee;   /* Σf², Σq², Σf·q, Σ(f−q)² */
  double  max_abs;                          /* max |f − q| */
  guint64 n, n_clipped;                     /* elements, elements that saturate */
  guint   n_inputs;                         /* lamina_metrics_add calls */
} LaminaMetricsAcc;

typedef struct {
  double cosine;    /* Σf·q / √(Σf²·Σq²); 1 when both are all zero, 0 when one is */
  double sqnr_db;   /* 10·log10(Σf² / Σ(f−q)²); +inf when equal */
  double mse;       /* Σ(f−q)² / n */
  double max_abs;
  double clipped;   /* fraction of float values whose quantization saturates */
} LaminaMetrics;

void     lamina_metrics_acc_init (LaminaMetricsAcc *acc);

/* Adds one input: `flt` (any float dtype) against `fixed` dequantized with
 * `quant` (NULL: fixed is compared as it is, nothing clips). A float value
 * clips when round(f / scale) + zero_point falls outside fixed's integer
 * dtype range (it saturates). Fails when the element counts differ, a
 * dtype cannot be read, or quant's axis does not fit fixed's shape. */
gboolean lamina_metrics_add (LaminaMetricsAcc *acc, const LaminaValue *flt,
                             const LaminaValue *fixed, const LaminaQuant *quant, GError **error);

/* fixed's elements dequantized with quant (NULL: converted as they are)
 * into a new array of fixed->numel floats; NULL + error when the dtype
 * cannot be read or quant's axis does not fit. */
float   *lamina_dequantize (const LaminaValue *fixed, const LaminaQuant *quant, GError **error);

/* The figures of everything added so far (all zero and cosine 1 when empty). */
void     lamina_metrics_compute (const LaminaMetricsAcc *acc, LaminaMetrics *out);

G_END_DECLS
