/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-decode.h: model outputs → detections in original-image pixels, the
 * way each model's publisher post-processes them (YOLOv5, Yolo-FastestV2,
 * UltraFace, BlazeFace, PP-OCR DBNet and CTC, top-k classification).
 *
 * The parameters come from the preset's [POSTPROCESS] group
 * (LaminaPostprocessConfig), so a retrained model with other anchors or
 * classes needs only a new preset. Conventions:
 *  - Outputs are given in graph order; decoders that take several outputs
 *    recognise them by shape (UltraFace boxes: last dim 4; BlazeFace scores:
 *    last dim 1; YOLOv5 heads: by their grid size, any order).
 *  - Outputs may be float32, float16 or quantized integers (dequantized with
 *    their per-tensor scale and zero point).
 *  - class_id is the column of the class in the output, as the publishers'
 *    code reports it: columns before class_offset (UltraFace's background)
 *    are skipped but still counted, so UltraFace faces are class 1 and its
 *    labels read "background;face".
 *  - CTC and classification results have the whole image as their box.
 */
#pragma once

#include "ops/lamina-value.h"
#include "vision/lamina-detection.h"
#include "vision/lamina-preset.h"
#include "vision/lamina-preprocess.h"

G_BEGIN_DECLS

#define LAMINA_DECODE_ERROR (lamina_decode_error_quark ())
GQuark lamina_decode_error_quark (void);

typedef enum {
  LAMINA_DECODE_ERROR_SHAPE,    /* the outputs do not have the shapes the decoder needs */
  LAMINA_DECODE_ERROR_CONFIG,   /* the preset lacks or contradicts a parameter */
} LaminaDecodeError;

/* Decodes `outputs` (n_outputs pointers, graph order). transform maps model
 * input pixels to image pixels; NULL means the image is the model input,
 * whose size is then [POSTPROCESS] input_size (or the output's, for DBNet).
 * Returns the detections after thresholds and NMS, sorted by score (DBNet:
 * in reading order; CTC: batch order), or NULL + error. */
LaminaDetections *lamina_decode (const LaminaPostprocessConfig *config,
                                 const LaminaValue *const *outputs, guint n_outputs,
                                 const LaminaTransform *transform,
                                 GError **error);

/* MediaPipe's SsdAnchorsCalculator for the config's anchor options and an
 * input of input_w x input_h: 4 floats per anchor (x_center, y_center, w, h,
 * normalised). *n_anchors receives the count. NULL + error on bad options. */
float *lamina_decode_ssd_anchors (const LaminaPostprocessConfig *config,
                                  int input_w, int input_h, guint *n_anchors,
                                  GError **error);

/* Far above any real SSD head (BlazeFace full range has 2304 anchors). */
#define LAMINA_DECODE_MAX_ANCHORS 10000000

/* How many anchors lamina_decode_ssd_anchors() would build, without
 * building them (0 when the options are unusable). */
guint64 lamina_decode_ssd_anchor_count (const LaminaPostprocessConfig *config,
                                        int input_w, int input_h);

/* The minimum-area rectangle enclosing `points` (rotating calipers over the
 * convex hull): its 4 corners in PaddleOCR's order (top-left, top-right,
 * bottom-right, bottom-left) go to corners; returns the shorter side (0 when
 * fewer than 3 points are not collinear). */
float lamina_min_area_rect (const LaminaPoint *points, guint n_points, LaminaPoint corners[4]);

G_END_DECLS
