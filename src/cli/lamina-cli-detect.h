/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-cli-detect.h: the steps of `detect` that `compare` runs too —
 * model, preset and simulator; the image preprocessed into the model's
 * input; the preset's decoder on the outputs after a run.
 */
#pragma once

#include "lamina-json.h"
#include "sim/lamina-sim.h"
#include "vision/lamina-decode.h"
#include "vision/lamina-preset.h"

G_BEGIN_DECLS

/* Everything one detection run holds; freed by lamina_cli_detect_clear. */
typedef struct {
  LaminaModel      *model;
  LaminaPreset     *preset;
  LaminaImage      *image;
  LaminaSim        *sim;
  LaminaValue       input;
  LaminaTransform   transform;
  LaminaDetections *dets;
} LaminaCliDetect;

/* Loads the model, its preset (`preset`: a name or .ini, NULL: found from
 * the model), a simulator with `threads` workers and the image. */
gboolean lamina_cli_detect_load       (LaminaCliDetect *d, const char *model_path, const char *image_path,
                                       const char *preset, int threads, GError **error);
/* The image into the model's input (set on the simulator). */
gboolean lamina_cli_detect_preprocess (LaminaCliDetect *d, GError **error);
/* After a run: the preset's decoder on the graph outputs into d->dets. */
gboolean lamina_cli_detect_decode     (LaminaCliDetect *d, GError **error);
void     lamina_cli_detect_clear      (LaminaCliDetect *d);

/* One detection as a JSON object (class_id, label, score, box ...). */
void     lamina_cli_json_detection    (LaminaJson *json, const LaminaDetection *d);

/* The preset `name` (a name or an .ini), else the model's own or a shipped
 * one; and the graph input an image feeds (the preset's inputs=, else the
 * only input). Used by `run --image` too. */
LaminaPreset       *lamina_cli_find_preset (const char *model_path, LaminaModel *model, const char *name,
                                            GError **error);
const LaminaTensor *lamina_cli_image_input (LaminaGraph *graph, const LaminaPreset *preset, GError **error);

G_END_DECLS
