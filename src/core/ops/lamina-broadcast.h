/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-broadcast.h: NumPy multidirectional broadcasting for elementwise
 * kernels (private to src/core/ops).
 *
 * lamina_broadcast_shape() computes the output shape of up to
 * LAMINA_BROADCAST_MAX_IN inputs. lamina_broadcast_plan() then describes how
 * each input is walked while the output is written in row-major order: the
 * dimensions are coalesced (adjacent dims merge when every input walks them
 * the same way), so equal shapes become one long row, a scalar becomes
 * stride 0 and a per-channel vector [C,1,1] against [N,C,H,W] becomes rows of
 * H×W elements with a constant operand. lamina_broadcast_run() calls a row
 * function for each innermost row, in parallel over rows for big outputs.
 */
#pragma once

#include "lamina-value.h"
#include "lamina-parallel.h"

G_BEGIN_DECLS

#define LAMINA_BROADCAST_MAX_IN 3

typedef struct {
  int    rank;                      /* ≥ 1 after coalescing */
  gint64 dims[LAMINA_MAX_RANK];
  gint64 strides[LAMINA_BROADCAST_MAX_IN][LAMINA_MAX_RANK];  /* in elements; 0 = repeated */
  guint  n_in;
  gint64 numel;
} LaminaBroadcast;

/* One innermost row: n output elements starting at element out_offset;
 * input k starts at element offsets[k] and advances by strides[k]
 * (0 or 1 in the common cases, any value in general). */
typedef void (*LaminaBroadcastRow) (gint64 out_offset, const gint64 *offsets, const gint64 *strides,
                                    gint64 n, gpointer data);

/* Output shape of broadcasting inputs[0..n) (NULL entries are skipped).
 * FALSE with a message in *error_message (free it) when two dims differ and
 * neither is 1. */
gboolean lamina_broadcast_shape (const LaminaValue *const *inputs, guint n, int *rank,
                                 gint64 *dims, char **error_message);
/* Plans walking inputs[0..n) (all non-NULL, broadcastable to out_dims). */
void     lamina_broadcast_plan  (LaminaBroadcast *b, int out_rank, const gint64 *out_dims,
                                 const LaminaValue *const *inputs, guint n);
/* Calls row for every row; uses p (may be NULL) when the output is big. */
void     lamina_broadcast_run   (const LaminaBroadcast *b, LaminaParallel *p,
                                 LaminaBroadcastRow row, gpointer data);

/* Elements per parallel chunk for cheap elementwise work: smaller chunks
 * cost more in wake-ups than they gain. */
#define LAMINA_ELEMENTWISE_GRAIN 32768

G_END_DECLS
