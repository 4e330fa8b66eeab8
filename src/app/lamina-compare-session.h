/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-compare-session.h: the window's compare mode, headless. A float
 * model and its fixed counterpart (two LaminaDocuments; the presets are
 * found as the Image page and the CLI find them) run on one image in a
 * worker thread (quant/lamina-compare.h: every matched tensor kept, the
 * metrics of every pair, both detection lists and their matching). The UI
 * sees the result on the main thread once the "finished" signal came.
 *
 * Results: everything returned by the getters belongs to the session and
 * stays valid until the next "finished" (a new run replaces the result as
 * a whole; until then the previous one stays readable, also while a run is
 * in progress) or until set_models. Detections also change on
 * "detections-changed" (new thresholds: decoded again on the main thread,
 * a few milliseconds).
 *
 * For the widgets of compare mode (the metrics table, graph colouring,
 * histograms, suggestions): get_result gives the whole LaminaCompare
 * (match, layers with metrics, pipelines); get_layer/find_layer the
 * metrics of a pair; get_values the two values of a pair.
 */
#pragma once

#include <gio/gio.h>
#include "lamina-document.h"
#include "quant/lamina-compare.h"

G_BEGIN_DECLS

#define LAMINA_TYPE_COMPARE_SESSION (lamina_compare_session_get_type ())
G_DECLARE_FINAL_TYPE (LaminaCompareSession, lamina_compare_session, LAMINA, COMPARE_SESSION, GObject)

LaminaCompareSession *lamina_compare_session_new (void);

/* The pair (either NULL clears both); cancels a run, forgets the result
 * and the image (thresholds set stay). Emits "notify::ready". */
void            lamina_compare_session_set_models (LaminaCompareSession *self, LaminaDocument *flt,
                                                   LaminaDocument *fixed);
LaminaDocument *lamina_compare_session_get_float (LaminaCompareSession *self);
LaminaDocument *lamina_compare_session_get_fixed (LaminaCompareSession *self);
/* TRUE when both models are set. */
gboolean        lamina_compare_session_is_ready (LaminaCompareSession *self);

/* Runs both models on a copy of image (a run in progress is cancelled
 * first); FALSE + error without models. Progress: "fraction", "running". */
gboolean        lamina_compare_session_run    (LaminaCompareSession *self, const LaminaImage *image,
                                               GError **error);
void            lamina_compare_session_cancel (LaminaCompareSession *self);
gboolean        lamina_compare_session_is_running (LaminaCompareSession *self);
double          lamina_compare_session_get_fraction (LaminaCompareSession *self);
/* The image of the last run started (NULL before). */
const LaminaImage *lamina_compare_session_get_image (LaminaCompareSession *self);

/* ---- the result (NULL / 0 / FALSE before the first successful run) ---- */

const LaminaCompare      *lamina_compare_session_get_result   (LaminaCompareSession *self);
const LaminaMatch        *lamina_compare_session_get_match    (LaminaCompareSession *self);
guint                     lamina_compare_session_get_n_layers (LaminaCompareSession *self);
const LaminaCompareLayer *lamina_compare_session_get_layer    (LaminaCompareSession *self, guint i);
/* By float or fixed tensor name. */
const LaminaCompareLayer *lamina_compare_session_find_layer   (LaminaCompareSession *self, const char *name);
gboolean                  lamina_compare_session_get_values   (LaminaCompareSession *self,
                                                               const LaminaMatchPair *pair,
                                                               const LaminaValue **flt,
                                                               const LaminaValue **fixed);
/* The float (fixed = FALSE) or fixed model's detections, and their
 * matching; NULL when a preset has no decoder. */
const LaminaDetections     *lamina_compare_session_get_detections (LaminaCompareSession *self, gboolean fixed);
const LaminaDetectionMatch *lamina_compare_session_get_detection_match (LaminaCompareSession *self);
/* The float model's preprocessing geometry (error maps are drawn with it). */
const LaminaTransform      *lamina_compare_session_get_transform (LaminaCompareSession *self);
/* The error map of a pair (channel < 0: mean over channels). */
LaminaErrorMap             *lamina_compare_session_error_map (LaminaCompareSession *self,
                                                              const LaminaMatchPair *pair, int channel,
                                                              GError **error);
/* A message about a preset (missing, no decoder) or a decode, else NULL. */
const char                 *lamina_compare_session_get_problem (LaminaCompareSession *self);

/* Score and NMS IoU thresholds applied to both models (see
 * lamina_postprocess_config_with_thresholds); a negative value leaves that
 * one as it is, and one never set is each model's preset's (get: the float
 * preset's). Decodes again at once when there is a result; they stay for
 * the next runs. */
void     lamina_compare_session_set_thresholds (LaminaCompareSession *self, double score, double iou);
void     lamina_compare_session_get_thresholds (LaminaCompareSession *self, double *score, double *iou);

/* Signals:
 *   "finished" (const char *error): a run ended: NULL when it succeeded
 *              (the result is new), else the message (the result is the
 *              previous one). Not emitted for a cancelled run.
 *   "detections-changed": the detections were decoded again.
 * Properties (read-only): "running", "fraction" (0…1), "ready". */

G_END_DECLS
