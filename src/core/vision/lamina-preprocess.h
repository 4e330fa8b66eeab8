/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-preprocess.h: turns a LaminaImage into the input tensor of a model
 * the way the model's own reference pipeline does (OpenCV INTER_LINEAR
 * resize, YOLOv5 letterbox, PaddleOCR's long-side limit, (x - mean) / std),
 * and keeps the geometric transform so results map back to image pixels.
 */
#pragma once

#include "vision/lamina-image.h"
#include "ops/lamina-value.h"

G_BEGIN_DECLS

#define LAMINA_PREPROCESS_ERROR (lamina_preprocess_error_quark ())
GQuark lamina_preprocess_error_quark (void);

typedef enum {
  LAMINA_PREPROCESS_ERROR_INPUT,     /* the model input cannot take an image */
  LAMINA_PREPROCESS_ERROR_CONFIG,    /* inconsistent configuration */
} LaminaPreprocessError;

typedef enum {
  LAMINA_RESIZE_STRETCH = 0,   /* plain resize to the input size */
  LAMINA_RESIZE_LETTERBOX,     /* keep aspect, centre, pad (Ultralytics letterbox) */
  LAMINA_RESIZE_LONG_SIDE,     /* PaddleOCR det: limit long side, round to a multiple */
  LAMINA_RESIZE_FIT_HEIGHT,    /* PaddleOCR rec: fixed height, keep aspect, pad right */
} LaminaResizeMode;

typedef enum {
  LAMINA_CHANNELS_RGB = 0,
  LAMINA_CHANNELS_BGR,
  LAMINA_CHANNELS_GRAY,
} LaminaChannelOrder;

typedef enum {
  LAMINA_DATA_LAYOUT_AUTO = 0,   /* from the input shape: [N,C,H,W] if dims[1] is 1 or 3 */
  LAMINA_DATA_LAYOUT_NCHW,
  LAMINA_DATA_LAYOUT_NHWC,
} LaminaDataLayout;

typedef struct {
  /* Channel order of the model tensor (SigmaStar training_input_formats,
   * falling back to input_formats). mean/std are listed in this order. */
  LaminaChannelOrder channels;
  double             mean[3];          /* SigmaStar: value = (pixel - mean) / std */
  double             std[3];
  LaminaResizeMode   resize;
  guint8             pad[3];           /* pad colour in R,G,B (letterbox, fit-height) */
  gboolean           pad_is_value;     /* TRUE: pad_value (normalised space) is used instead */
  double             pad_value;
  int                width, height;    /* target size; 0 = from the model input shape */
  int                max_side;         /* LONG_SIDE: limit of the long side (960) */
  int                multiple;         /* LONG_SIDE: sides rounded to a multiple of (32) */
  LaminaDataLayout   layout;
} LaminaPreprocessConfig;

/* Defaults: RGB, mean 0, std 1, stretch, pad 114, sizes from the model, NCHW auto. */
void lamina_preprocess_config_init (LaminaPreprocessConfig *config);

/* Geometry from an original image to the model input. Placement: the image
 * was resized to resized_width x resized_height and put at (pad_left,
 * pad_top) of a dst_width x dst_height input. Mapping (what the reference
 * pipelines use to scale results back, e.g. Ultralytics' scale_boxes):
 * model = image * scale + offset, per axis. */
typedef struct {
  int    src_width, src_height;
  int    dst_width, dst_height;
  int    resized_width, resized_height;
  int    pad_left, pad_top;
  double scale_x, scale_y;
  double offset_x, offset_y;
} LaminaTransform;

/* Model-input pixel coordinates → original image pixel coordinates (and back).
 * Continuous coordinates: (0,0) is the top-left corner of the first pixel. */
void lamina_transform_to_image (const LaminaTransform *t, double mx, double my,
                                double *ix, double *iy);
void lamina_transform_to_model (const LaminaTransform *t, double ix, double iy,
                                double *mx, double *my);
/* Maps a box x0,y0,x1,y1 in model pixels to image pixels, clipped to the image. */
void lamina_transform_box_to_image (const LaminaTransform *t, float box[4]);

/* Bilinear resize bit-exact with OpenCV's cv::resize (INTER_LINEAR) on 8-bit
 * images: half-pixel centres, 11-bit fixed-point weights, border clamping. */
LaminaImage *lamina_image_resize_linear (const LaminaImage *src, int width, int height,
                                         GError **error);

/* The geometry a config gives for an image and a model input of
 * model_w x model_h (<= 0 where the model's dimension is dynamic). */
gboolean lamina_preprocess_plan (const LaminaPreprocessConfig *config,
                                 int image_w, int image_h, int model_w, int model_h,
                                 LaminaTransform *transform, GError **error);

/* Builds the input value of `input` (rank 4, [1,C,H,W] or [1,H,W,C], C 1 or 3)
 * from an image. float inputs get (x - mean) / std; uint8/int8 inputs of
 * fixed models get that value quantized with the tensor's scale and zero
 * point. out must be zero-initialised or hold a previous value (it is
 * cleared first); it owns its buffer afterwards and borrows input->quant.
 * transform may be NULL. */
gboolean lamina_preprocess_image (const LaminaImage *image,
                                  const LaminaPreprocessConfig *config,
                                  const LaminaTensor *input,
                                  LaminaValue *out,
                                  LaminaTransform *transform,
                                  GError **error);

G_END_DECLS
