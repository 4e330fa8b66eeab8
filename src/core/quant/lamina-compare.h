/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-compare.h: a float model and its fixed (quantized) counterpart on
 * one image (issue 6) — what `lamina-cli compare` prints and the window's
 * compare mode shows:
 *
 *  - each model through its own pipeline (preset, preprocessing, simulator:
 *    vision/lamina-pipeline.h; the fixed model's input may be quantized);
 *  - every tensor pair of quant/lamina-match.h kept while both run;
 *  - per pair the metrics of quant/lamina-metrics.h;
 *  - both sets of detections (when both presets decode), paired within a
 *    class at IoU ≥ LAMINA_COMPARE_MIN_IOU (lamina_detections_match).
 *
 * The kept values stay readable until the comparison is freed, so error
 * maps of any pair (quant/lamina-heatmap.h) can be drawn afterwards and the
 * detections decoded again with other thresholds (milliseconds).
 *
 * Threads: one comparison is used from one thread at a time; the
 * GCancellable may be cancelled from any.
 */
#pragma once

#include "quant/lamina-heatmap.h"
#include "quant/lamina-match.h"
#include "quant/lamina-metrics.h"
#include "vision/lamina-pipeline.h"

G_BEGIN_DECLS

#define LAMINA_COMPARE_MIN_IOU 0.5

typedef struct {
  const LaminaMatchPair *pair;      /* in the comparison's match */
  LaminaMetrics          metrics;
} LaminaCompareLayer;

typedef struct {
  LaminaPipeline       *flt, *fixed;
  LaminaMatch          *match;
  GArray               *layers;     /* LaminaCompareLayer: the pairs measured, fixed graph order */
  GPtrArray            *left_out;   /* char*: pairs that could not be measured, with the reason */
  LaminaDetectionMatch *dets;       /* float (ref) vs fixed; NULL unless both decode */
} LaminaCompare;

/* fraction 0…1 of the work done (both runs); called in the running thread. */
typedef void (*LaminaCompareProgress) (double fraction, gpointer data);

/* Takes both presets (either may be NULL: default preprocessing, no
 * detections); the models must outlive the comparison. Plans both
 * simulators with `threads` workers each (<= 0: all cores). */
LaminaCompare *lamina_compare_new (LaminaModel *flt, LaminaPreset *flt_preset,
                                   LaminaModel *fixed, LaminaPreset *fixed_preset,
                                   int threads, GError **error);
void           lamina_compare_free (LaminaCompare *c);

/* Runs both models on image, measures every pair and decodes and matches
 * the detections with the presets' own settings. Cancelling fails with
 * G_IO_ERROR_CANCELLED. progress may be NULL. */
gboolean       lamina_compare_run (LaminaCompare *c, const LaminaImage *image,
                                   LaminaCompareProgress progress, gpointer progress_data,
                                   GCancellable *cancellable, GError **error);

/* After a run: decodes both again with these settings (NULL: the preset's
 * own) and matches the detections again. */
gboolean       lamina_compare_decode (LaminaCompare *c, const LaminaPostprocessConfig *flt_post,
                                      const LaminaPostprocessConfig *fixed_post, GError **error);

/* The measured layer whose float or fixed tensor is called name, or NULL. */
const LaminaCompareLayer *lamina_compare_find_layer (const LaminaCompare *c, const char *name);
/* TRUE when the pair's values are a feature map of the image: rank 4,
 * batch 1, at least 2 × 2, and the float model's input scaled down by
 * about the same factor both ways (not, say, a detection head reshaped to
 * [1, 6400, 3, 2]). Only those have an error map. */
gboolean       lamina_compare_has_error_map (const LaminaCompare *c, const LaminaMatchPair *pair);
/* The measured layer with the lowest SQNR among those that have an error
 * map, or NULL. */
const LaminaCompareLayer *lamina_compare_worst_layer (const LaminaCompare *c);
/* The two values of a pair after a run (borrowed from the simulators);
 * FALSE when either was not computed. */
gboolean       lamina_compare_get_values (const LaminaCompare *c, const LaminaMatchPair *pair,
                                          const LaminaValue **flt, const LaminaValue **fixed);
/* The error map of a pair (channel < 0: the mean over channels), in the
 * float model's input geometry: draw it with c->flt->transform. Fails
 * unless lamina_compare_has_error_map. */
LaminaErrorMap *lamina_compare_error_map (const LaminaCompare *c, const LaminaMatchPair *pair,
                                          int channel, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaCompare, lamina_compare_free)

G_END_DECLS
