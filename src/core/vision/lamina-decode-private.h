/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-decode-private.h: helpers shared by the decoders (one file per
 * decoder family) and their entry points, called by lamina_decode().
 */
#pragma once

#include "vision/lamina-decode.h"

G_BEGIN_DECLS

/* An output as float32 with its shape, leading 1-dims removed (so [1,1,H,W]
 * becomes [H,W]; at least one dim is kept). data is borrowed from the value
 * when it already is float32, else a converted copy owned here. */
typedef struct {
  const float *data;
  float       *owned;
  int          rank;
  gint64       dims[LAMINA_MAX_RANK];
  gint64       numel;
  char        *describe;   /* owned: "float32[1,3,80,80]" for messages */
} DecodeTensor;

gboolean decode_tensor_init  (DecodeTensor *t, const LaminaValue *v, GError **error);
/* Views t with exactly `rank` dims by putting back leading 1s ([7] as
 * [1,7]: one row). FALSE when t has more dims than that. */
gboolean decode_tensor_view  (DecodeTensor *t, int rank);
void     decode_tensor_clear (DecodeTensor *t);
/* Sets a LAMINA_DECODE_ERROR_SHAPE error naming the decoder, the output and
 * what was expected. Always returns FALSE. */
gboolean decode_shape_error  (GError **error, const char *decoder, const DecodeTensor *t,
                              const char *expected);
gboolean decode_config_error (GError **error, const char *decoder, const char *what);

/* The model input size: the transform's, else [POSTPROCESS] input_size. */
gboolean decode_input_size (const LaminaPostprocessConfig *config, const LaminaTransform *transform,
                            int *width, int *height, GError **error);

/* Maps a point in model-input pixels to image pixels (identity without a transform). */
LaminaPoint decode_map_point (const LaminaTransform *transform, double x, double y);
/* Appends a detection whose box x0,y0,x1,y1 is in model-input pixels; the
 * box is mapped to image pixels and clipped to the image when clip is set.
 * Returns NULL (and adds nothing) when the box is not finite. */
LaminaDetection *decode_add_box (LaminaDetections *dets, const LaminaTransform *transform,
                                 gboolean clip, int class_id, float score,
                                 double x0, double y0, double x1, double y1);

/* Index of the largest finite value of v[0..n) (-1 when none is). */
int   decode_argmax (const float *v, gint64 n);
float decode_sigmoid (float x);

/* Keeps the max_candidates best, runs the config's NMS (method given by the
 * caller when the decoder has a fixed one, else config->nms) and sets labels. */
void decode_finish (LaminaDetections *dets, const LaminaPostprocessConfig *config,
                    LaminaNmsMethod method, gboolean class_aware);
/* Labels of the config and their count. */
guint decode_n_labels (const LaminaPostprocessConfig *config);
/* TRUE when [POSTPROCESS] has the key (to tell "set to false" from "unset"). */
gboolean decode_has_key (const LaminaPostprocessConfig *config, const char *key);

/* Decoders: outputs already converted; each appends to dets. */
gboolean decode_yolov5        (const LaminaPostprocessConfig *c, DecodeTensor *outs, guint n,
                               const LaminaTransform *t, LaminaDetections *dets, GError **error);
gboolean decode_yolo_fastestv2 (const LaminaPostprocessConfig *c, DecodeTensor *outs, guint n,
                               const LaminaTransform *t, LaminaDetections *dets, GError **error);
gboolean decode_ultraface     (const LaminaPostprocessConfig *c, DecodeTensor *outs, guint n,
                               const LaminaTransform *t, LaminaDetections *dets, GError **error);
gboolean decode_blazeface     (const LaminaPostprocessConfig *c, DecodeTensor *outs, guint n,
                               const LaminaTransform *t, LaminaDetections *dets, GError **error);
gboolean decode_dbnet         (const LaminaPostprocessConfig *c, DecodeTensor *outs, guint n,
                               const LaminaTransform *t, LaminaDetections *dets, GError **error);
gboolean decode_ctc           (const LaminaPostprocessConfig *c, DecodeTensor *outs, guint n,
                               const LaminaTransform *t, LaminaDetections *dets, GError **error);
gboolean decode_classify      (const LaminaPostprocessConfig *c, DecodeTensor *outs, guint n,
                               const LaminaTransform *t, LaminaDetections *dets, GError **error);

G_END_DECLS
