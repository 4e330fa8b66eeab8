/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-pipeline.h: a model with its preset and a simulator — an image in,
 * the preset's detections out. The steps `lamina-cli detect`, `run --image`,
 * `compare` and the window's compare mode share:
 *
 *   lamina_pipeline_new       the graph input the image feeds, a simulator
 *                             (accelerator-only custom operators refused
 *                             with a plain message);
 *   lamina_pipeline_set_image the image preprocessed into that input (the
 *                             transform kept to map results back);
 *   lamina_sim_run (p->sim)   or any other way of running it;
 *   lamina_pipeline_decode    the decoder on the graph outputs.
 *
 * Without a preset the image is fed with the default preprocessing and
 * nothing is decoded.
 */
#pragma once

#include "sim/lamina-sim.h"
#include "vision/lamina-decode.h"
#include "vision/lamina-preset.h"

G_BEGIN_DECLS

typedef struct {
  LaminaModel        *model;      /* borrowed: outlives the pipeline */
  LaminaPreset       *preset;     /* owned; NULL: default preprocessing, no decoder */
  const LaminaTensor *input;      /* the graph input the image feeds */
  LaminaSim          *sim;
  LaminaValue         value;      /* the preprocessed image, after set_image */
  LaminaTransform     transform;  /* image pixels ↔ model input, after set_image */
  LaminaDetections   *dets;       /* after decode; NULL without a decoder */
} LaminaPipeline;

/* The graph input an image feeds: the preset's [INPUT_CONFIG] inputs= when
 * the graph has it, else the only input (preset may be NULL). */
const LaminaTensor *lamina_pipeline_image_input (LaminaGraph *graph, const LaminaPreset *preset,
                                                 GError **error);

/* Takes preset (may be NULL; freed on failure too); plans model's main graph with `threads`
 * workers (<= 0: all cores). */
LaminaPipeline *lamina_pipeline_new       (LaminaModel *model, LaminaPreset *preset, int threads,
                                           GError **error);
void            lamina_pipeline_free      (LaminaPipeline *p);
/* The image into the model input (set on the simulator, which resets). */
gboolean        lamina_pipeline_set_image (LaminaPipeline *p, const LaminaImage *image, GError **error);
/* After a run: p->dets from the graph outputs with `post` (NULL: the
 * preset's own). Nothing without a preset decoder (TRUE, dets NULL). */
gboolean        lamina_pipeline_decode    (LaminaPipeline *p, const LaminaPostprocessConfig *post,
                                           GError **error);
/* TRUE when the preset has a decoder. */
gboolean        lamina_pipeline_can_decode (const LaminaPipeline *p);
/* The layout of the image input and, by extension, of the model's feature
 * maps: the preset's, else as the preprocessor guesses it ([N,C,H,W] when
 * dims[1] is 1 or 3). Meaningful after set_image. */
gboolean        lamina_pipeline_is_nhwc   (const LaminaPipeline *p);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaPipeline, lamina_pipeline_free)

G_END_DECLS
