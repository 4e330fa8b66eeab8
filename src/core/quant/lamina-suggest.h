/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * "What to do" after quantizing: which single layer, promoted to int16 or
 * kept float, improves the final output most. Measured, not guessed: each
 * candidate is re-quantized twice with a one-layer rule (int16, then float)
 * from the same calibration statistics, each result run in the simulator
 * on the evaluation inputs, and its output SQNR against the float model's
 * output taken. Candidates are the layers with the worst per-layer SQNR in
 * the base fixed graph; each is suggested with the better of its two
 * promotions, and the list is ranked by that measured output SQNR.
 */
#pragma once

#include <gio/gio.h>
#include "ops/lamina-value.h"
#include "quant/lamina-quantize.h"

G_BEGIN_DECLS

#define LAMINA_SUGGEST_DEFAULT_CANDIDATES 8

/* done candidates of total measured; layer is the one being measured. */
typedef void (*LaminaSuggestProgress) (guint done, guint total, const char *layer, gpointer data);

typedef struct {
  char            *layer;          /* float tensor name, used as the rule */
  LaminaPrecision  precision;      /* the better promotion: INT16 (also on a tie) or FLOAT */
  double           layer_sqnr_db;  /* the layer's own SQNR in the base fixed graph */
  double           sqnr_db;        /* final output SQNR with this layer alone promoted as `precision` */
  double           int16_sqnr_db;  /* ... with it alone in int16; NAN when int16 gives it nothing
                                    * (no int16 tensor added) or cannot run */
  double           float_sqnr_db;  /* ... with it alone kept float */
} LaminaSuggestion;

typedef struct {
  double  base_sqnr_db;            /* final output SQNR of the base fixed graph */
  GArray *suggestions;             /* LaminaSuggestion, best output SQNR first */
} LaminaSuggestResult;

typedef struct {
  guint                  max_candidates;   /* 0: LAMINA_SUGGEST_DEFAULT_CANDIDATES */
  int                    threads;          /* simulator threads; <= 0: all cores */
  LaminaSuggestProgress  progress;
  gpointer               progress_data;
} LaminaSuggestOptions;

/* `model` is the float model `calib` observed, `base` the quantization
 * options, `inputs` preprocessed values for the model's (single) input.
 * options may be NULL. */
LaminaSuggestResult *lamina_suggest (LaminaModel *model, const LaminaCalibration *calib,
                                     const LaminaQuantizeOptions *base,
                                     const LaminaValue *const *inputs, guint n_inputs,
                                     const LaminaSuggestOptions *options,
                                     GCancellable *cancellable, GError **error);
void                 lamina_suggest_result_free (LaminaSuggestResult *r);

/* Re-quantizes with the first top_n suggestions promoted; before/after
 * (may be NULL) get the final output SQNR of base and of the result.
 * cancellable (may be NULL) stops it between runs (G_IO_ERROR_CANCELLED). */
LaminaModel *lamina_suggest_apply (LaminaModel *model, const LaminaCalibration *calib,
                                   const LaminaQuantizeOptions *base,
                                   const LaminaSuggestResult *result, guint top_n,
                                   const LaminaValue *const *inputs, guint n_inputs,
                                   int threads, double *before, double *after,
                                   GCancellable *cancellable, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaSuggestResult, lamina_suggest_result_free)

G_END_DECLS
