/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-tensor-stats.h: the numbers the side panel shows for a weight:
 * min, max, mean, std, zero fraction, a histogram and the first values.
 *
 * Every numeric dtype is read: float32/16/64, bfloat16, int8…int64,
 * uint8…uint64, bool and the packed int4/uint4 (low nibble first).
 * string, complex and float8 tensors have no statistics.
 */
#pragma once

#include "lamina-graph.h"
#include "ops/lamina-value.h"

G_BEGIN_DECLS

#define LAMINA_HISTOGRAM_BINS 64

typedef struct {
  gint64  count;          /* all elements, NaN and inf included */
  gint64  n_nan, n_inf;
  double  min, max;       /* over finite values; NaN when there is none */
  double  mean, std;      /* population std (divides by n), finite values only */
  double  zero_fraction;  /* exact zeros / count (0 for an empty tensor) */
  /* finite values, uniform bins over [min, max]; the last bin includes max,
   * and when min == max every value is in bin 0 */
  guint64 histogram[LAMINA_HISTOGRAM_BINS];
} LaminaTensorStats;

/* Statistics of a constant tensor's values (tensor->data GBytes, row-major,
 * little-endian); with dequantize and a tensor->quant, integer values are
 * mapped to real values (value - zero_point) × scale (per-tensor or
 * per-axis scale/zero point). min/max/mean/std over finite values;
 * histogram uniform over [min,max]; zero_fraction = exact zeros / count.
 * FALSE + GError (LAMINA_GRAPH_ERROR) for no data, a string or other
 * non-numeric dtype, a non-static shape, data size not matching shape, or
 * quantization parameters that do not fit the shape. */
gboolean lamina_tensor_stats_compute (const LaminaTensor *t, gboolean dequantize,
                                      LaminaTensorStats *stats, GError **error);

/* The same statistics of a runtime value of the simulator (raw values: a
 * quantized value is not dequantized). FALSE + GError for a dtype without
 * statistics. */
gboolean lamina_value_stats (const LaminaValue *v, LaminaTensorStats *stats, GError **error);

/* Two histograms over one range, for a float tensor against its
 * dequantized fixed counterpart (issue 6): a[] and b[] count the values of
 * each in the same LAMINA_HISTOGRAM_BINS uniform bins over [lo, hi] (the
 * last bin includes hi; NaN lo/hi when both are empty). */
typedef struct {
  double  lo, hi;
  guint64 a[LAMINA_HISTOGRAM_BINS];
  guint64 b[LAMINA_HISTOGRAM_BINS];
} LaminaHistogramPair;

/* Bins a (n_a values) and b (n_b values) over the union of their finite
 * ranges and, when both are finite, [span_lo, span_hi] (pass the
 * quantization range so that unused range shows). Non-finite values are
 * not counted. */
void     lamina_histogram_pair_compute (const float *a, gsize n_a, const float *b, gsize n_b,
                                        double span_lo, double span_hi, LaminaHistogramPair *out);

/* The real values a tensor of integer dtype with quant represents:
 * [s·(qmin − z), s·(qmax − z)], the widest over the channels of per-axis
 * parameters. FALSE without quant or for a dtype that is not int8, uint8,
 * int16, uint16 or int32. */
gboolean lamina_quant_real_range (const LaminaQuant *quant, LaminaDType dtype, double *lo, double *hi);

/* Reads up to n elements from index start as doubles (raw values, no
 * dequantization); returns how many were read (bounded by the data size,
 * and by the shape when it is static). 0 for non-numeric tensors. */
gsize    lamina_tensor_read_doubles (const LaminaTensor *t, gsize start, gsize n, double *out);

/* "0.125, -1.5, 3, …": the first max_values values for display (%.6g, always
 * with a '.' decimal point), "…" when there are more; string tensors give
 * quoted strings. NULL when there is no data. */
char    *lamina_tensor_format_values (const LaminaTensor *t, guint max_values);

G_END_DECLS
