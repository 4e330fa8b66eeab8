/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-tensor-view.h: the side panel's page for one tensor: name, dtype
 * and shape, statistics (min/max/mean/std, NaN/Inf, zeros), a histogram, the
 * feature-map grid of 4-D tensors, a virtualised table of every value and
 * saving as .npy. Works for computed activations and for weights alike:
 * it is given a LaminaValue (its own copy). Statistics and the feature map
 * are computed in a worker thread.
 *
 * Its buttons activate win.close-tensor and win.save-tensor.
 */
#pragma once

#include <adwaita.h>
#include "graph/lamina-tensor-stats.h"
#include "ops/lamina-value.h"

G_BEGIN_DECLS

#define LAMINA_TYPE_TENSOR_VIEW (lamina_tensor_view_get_type ())
G_DECLARE_FINAL_TYPE (LaminaTensorView, lamina_tensor_view, LAMINA, TENSOR_VIEW, AdwBin)

GtkWidget          *lamina_tensor_view_new (void);

/* Shows t. value: its data, taken over by the view (the struct is cleared);
 * NULL when it has none yet, then `status` says why. nhwc: 4-D values are
 * [N,H,W,C] (TFLite). t is borrowed and must outlive the page. */
void                lamina_tensor_view_show (LaminaTensorView *self, const LaminaTensor *t,
                                             LaminaValue *value, gboolean nhwc, const char *status);
/* Compare mode (issue 6): shows the fixed tensor t with its value `fixed`
 * as lamina_tensor_view_show does, and the histogram overlays the float
 * counterpart's value `flt` on `fixed` dequantized with quant (copied;
 * NULL: fixed is compared as it is), with quant's representable range
 * [s·(qmin−z), s·(qmax−z)] marked; a line under it gives the range, the
 * SQNR, the share of float values clipped and the share of the range no
 * float value uses. Both values are taken over (structs cleared). */
void                lamina_tensor_view_show_pair (LaminaTensorView *self, const LaminaTensor *t,
                                                  LaminaValue *fixed, const LaminaQuant *quant,
                                                  LaminaValue *flt, gboolean nhwc);
/* TRUE while the page shows a pair. */
gboolean            lamina_tensor_view_is_pair (LaminaTensorView *self);
const LaminaTensor *lamina_tensor_view_get_tensor (LaminaTensorView *self);
gboolean            lamina_tensor_view_has_value  (LaminaTensorView *self);
/* Statistics of the value, NULL while they are computed or without value. */
const LaminaTensorStats *lamina_tensor_view_get_stats (LaminaTensorView *self);
/* TRUE while statistics and the feature map are computed. */
gboolean            lamina_tensor_view_is_busy (LaminaTensorView *self);
/* Channels in the feature map (0 when none is shown). */
guint               lamina_tensor_view_get_n_channels (LaminaTensorView *self);

/* Writes the value as .npy (atomically) in a worker thread. */
void                lamina_tensor_view_save_async  (LaminaTensorView *self, const char *path,
                                                    GAsyncReadyCallback callback, gpointer user_data);
gboolean            lamina_tensor_view_save_finish (LaminaTensorView *self, GAsyncResult *result,
                                                    GError **error);

G_END_DECLS
