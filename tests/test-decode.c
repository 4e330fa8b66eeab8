/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-decode.c: every decoder on hand-made output tensors whose answers
 * are worked out here independently (by hand, in the comments), plus bad
 * shapes, bad presets and NaN scores.
 */
#define G_LOG_DOMAIN "test-decode"

#include <math.h>
#include <string.h>
#include "vision/lamina-decode.h"

#define EPS 1e-3

/* ---- helpers ----------------------------------------------------------- */

static LaminaPostprocessConfig *
config_new (LaminaDecoderKind kind)
{
  LaminaPostprocessConfig *c = g_new0 (LaminaPostprocessConfig, 1);

  c->decoder = kind;
  c->conf_threshold = 0.25;
  c->obj_threshold = 0.25;
  c->iou_threshold = 0.45;
  c->nms = LAMINA_NMS_HARD;
  c->class_aware = TRUE;
  c->params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return c;
}

static void
config_free (LaminaPostprocessConfig *c)
{
  g_free (c->anchors);
  g_free (c->format);
  g_free (c->score_mode);
  g_strfreev (c->labels);
  g_hash_table_unref (c->params);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaPostprocessConfig, config_free)

static void
config_set_key (LaminaPostprocessConfig *c, const char *key)
{
  g_hash_table_insert (c->params, g_strdup (key), g_strdup ("set"));
}

static void
config_set_anchors (LaminaPostprocessConfig *c, const int *strides, guint n, const float *anchors,
                    guint per_stride)
{
  c->n_strides = n;
  c->n_anchors = n * per_stride;
  c->anchors = g_memdup2 (anchors, c->n_anchors * 2 * sizeof (float));
  for (guint i = 0; i < n; i++)
    {
      c->strides[i] = strides[i];
      c->anchors_per_stride[i] = per_stride;
    }
}

static LaminaValue
value_f32 (float *data, int rank, const gint64 *dims)
{
  LaminaValue v = { 0 };

  g_assert_true (lamina_value_set_shape (&v, LAMINA_DTYPE_FLOAT32, rank, dims, NULL));
  v.data = data;
  v.nbytes = v.numel * sizeof (float);
  return v;
}

/* src image → model input by stretching (or with a vertical letterbox pad). */
static LaminaTransform
transform (int src_w, int src_h, int dst_w, int dst_h, double scale_x, double scale_y, double off_y)
{
  return (LaminaTransform) {
    .src_width = src_w, .src_height = src_h, .dst_width = dst_w, .dst_height = dst_h,
    .resized_width = (int) (src_w * scale_x), .resized_height = (int) (src_h * scale_y),
    .pad_top = (int) off_y, .scale_x = scale_x, .scale_y = scale_y, .offset_y = off_y,
  };
}

static LaminaDetections *
decode1 (const LaminaPostprocessConfig *c, LaminaValue *v, const LaminaTransform *t)
{
  const LaminaValue *outs[] = { v };
  g_autoptr (GError) error = NULL;
  LaminaDetections *d = lamina_decode (c, outs, 1, t, &error);

  g_assert_no_error (error);
  return d;
}

static void
assert_box (const LaminaDetection *d, double x0, double y0, double x1, double y1)
{
  g_assert_cmpfloat_with_epsilon (d->x0, x0, EPS);
  g_assert_cmpfloat_with_epsilon (d->y0, y0, EPS);
  g_assert_cmpfloat_with_epsilon (d->x1, x1, EPS);
  g_assert_cmpfloat_with_epsilon (d->y1, y1, EPS);
}

static void
assert_decode_fails (const LaminaPostprocessConfig *c, LaminaValue **values, guint n,
                     const LaminaTransform *t, int code)
{
  g_autoptr (GError) error = NULL;
  LaminaDetections *d = lamina_decode (c, (const LaminaValue *const *) values, n, t, &error);

  g_assert_null (d);
  g_assert_error (error, LAMINA_DECODE_ERROR, code);
  g_test_message ("expected error: %s", error->message);
}

/* ---- YOLOv5, decoded form ---------------------------------------------- */

/* A 200x100 image letterboxed into 64x64: scale 0.32, 16 pixels of padding
 * above. The box cx,cy,w,h = 32,32,16,32 input pixels is x 24..40, y
 * 16..48, i.e. x 75..125, y 0..100 in the image. */
static void
fill_yolov5_rows (float *rows, float unit)
{
  const float r[6][7] = {
    { .5f, .5f, .25f, .5f, .9f, .1f, .8f },   /* class 1, score .72 */
    { .5f, .5f, .25f, .5f, .1f, .1f, .8f },   /* objectness below .25 */
    { .5f, .5f, .25f, .5f, NAN, .9f, .9f },   /* NaN objectness */
    { .5f, .5f, .25f, .5f, .9f, NAN, NAN },   /* NaN class scores */
    { .5f, .5f, .25f, .5f, .9f, .1f, .7f },   /* class 1, .63: suppressed */
    { .5f, .5f, .25f, .5f, .9f, .5f, .2f },   /* class 0, .45: kept (per-class NMS) */
  };

  for (int i = 0; i < 6; i++)
    for (int k = 0; k < 7; k++)
      rows[i * 7 + k] = r[i][k] * (k < 4 ? unit : 1);
}

static void
test_yolov5_decoded (void)
{
  const char *units[] = { "normalised", "pixels", "pixels-declared" };

  for (guint u = 0; u < G_N_ELEMENTS (units); u++)
    {
      g_autoptr (LaminaPostprocessConfig) c = config_new (LAMINA_DECODER_YOLOV5);
      g_autoptr (LaminaDetections) d = NULL;
      LaminaTransform t = transform (200, 100, 64, 64, 0.32, 0.32, 16);
      float rows[6 * 7];
      gint64 dims[] = { 1, 6, 7 };
      LaminaValue v = value_f32 (rows, 3, dims);

      g_test_message ("coordinates: %s", units[u]);
      fill_yolov5_rows (rows, u == 0 ? 1 : 64);
      if (u == 2)
        config_set_key (c, "boxes_normalized");   /* boxes_normalized = FALSE */
      c->labels = g_strsplit ("a,b", ",", -1);
      d = decode1 (c, &v, &t);
      g_assert_cmpuint (d->len, ==, 2);
      g_assert_cmpint (d->items[0].class_id, ==, 1);
      g_assert_cmpstr (d->items[0].label, ==, "b");
      g_assert_cmpfloat_with_epsilon (d->items[0].score, 0.72, 1e-6);
      assert_box (&d->items[0], 75, 0, 125, 100);
      g_assert_cmpint (d->items[1].class_id, ==, 0);
      g_assert_cmpfloat_with_epsilon (d->items[1].score, 0.45, 1e-6);
    }
}

/* An int8 output with scale 1/200 and zero point -100 holds the same rows. */
static void
test_yolov5_quantized (void)
{
  g_autoptr (LaminaPostprocessConfig) c = config_new (LAMINA_DECODER_YOLOV5);
  g_autoptr (LaminaDetections) d = NULL;
  LaminaTransform t = transform (200, 100, 64, 64, 0.32, 0.32, 16);
  float scale = 1.0f / 200;
  gint64 zp = -100, dims[] = { 1, 1, 7 };
  LaminaQuant q = { .axis = -1, .n = 1, .scale = &scale, .zero_point = &zp };
  gint8 row[7] = { 0, 0, -50, 0, 80, -80, 60 };   /* .5 .5 .25 .5 .9 .1 .8 */
  LaminaValue v = { 0 };

  g_assert_true (lamina_value_set_shape (&v, LAMINA_DTYPE_INT8, 3, dims, NULL));
  v.data = row;
  v.quant = &q;
  d = decode1 (c, &v, &t);
  g_assert_cmpuint (d->len, ==, 1);
  g_assert_cmpfloat_with_epsilon (d->items[0].score, 0.72, 1e-5);
  assert_box (&d->items[0], 75, 0, 125, 100);
}

/* ---- YOLOv5, raw heads ------------------------------------------------- */

static const int yolo_strides[3] = { 8, 16, 32 };
static const float yolo_anchors[18] = { 10, 13, 16, 30, 33, 23, 30, 61, 62, 45, 59, 119,
                                        116, 90, 156, 198, 373, 326 };

/* Fills one head of a 64x64 input with C = 2 (7 values per anchor) in the
 * given layout; everything is logit -10 except, on the stride-16 head,
 * anchor 1 of cell (2,1): t = 0 for the box (sigmoid .5), objectness 2,
 * class-1 logit 3. Expected: cx = (.5*2 - .5 + 2)*16 = 40,
 * cy = (1 - .5 + 1)*16 = 24, w,h = (.5*2)^2 * (62,45) (the second anchor
 * of stride 16): x 9..71 (clipped to 64), y 1.5..46.5; score
 * sigmoid(2)*sigmoid(3) = .880797*.952574 = .839024. */
static float *
make_head (int stride, const char *layout, int *rank, gint64 *dims)
{
  int g = 64 / stride, a_n = 3, k_n = 7;
  float *data = g_new (float, a_n * k_n * g * g);

  for (int i = 0; i < a_n * k_n * g * g; i++)
    data[i] = -10;
  for (int a = 0; a < a_n; a++)
    for (int y = 0; y < g; y++)
      for (int x = 0; x < g; x++)
        for (int k = 0; k < k_n; k++)
          {
            float value = -10;
            gint64 idx;

            if (stride == 16 && a == 1 && x == 2 && y == 1)
              value = k < 4 ? 0 : k == 4 ? 2 : k == 6 ? 3 : -10;
            if (g_str_equal (layout, "nchw"))
              idx = ((gint64) (a * k_n + k) * g + y) * g + x;
            else if (g_str_equal (layout, "nhwc"))
              idx = ((gint64) y * g + x) * a_n * k_n + a * k_n + k;
            else
              idx = (((gint64) a * g + y) * g + x) * k_n + k;
            data[idx] = value;
          }
  if (g_str_equal (layout, "nchw"))
    {
      gint64 d[] = { 1, a_n * k_n, g, g };
      *rank = 4; memcpy (dims, d, sizeof d);
    }
  else if (g_str_equal (layout, "nhwc"))
    {
      gint64 d[] = { 1, g, g, a_n * k_n };
      *rank = 4; memcpy (dims, d, sizeof d);
    }
  else
    {
      gint64 d[] = { 1, a_n, g, g, k_n };
      *rank = 5; memcpy (dims, d, sizeof d);
    }
  return data;
}

static void
test_yolov5_raw (void)
{
  const char *layouts[] = { "nchw", "nhwc", "5d" };

  for (guint l = 0; l < G_N_ELEMENTS (layouts); l++)
    {
      g_autoptr (LaminaPostprocessConfig) c = config_new (LAMINA_DECODER_YOLOV5);
      g_autoptr (LaminaDetections) d = NULL;
      g_autoptr (GError) error = NULL;
      LaminaTransform t = transform (64, 64, 64, 64, 1, 1, 0);
      float *data[3];
      LaminaValue v[3];
      const LaminaValue *outs[3];

      config_set_anchors (c, yolo_strides, 3, yolo_anchors, 3);
      for (int h = 0; h < 3; h++)
        {
          int rank;
          gint64 dims[5];

          data[h] = make_head (yolo_strides[h], layouts[l], &rank, dims);
          v[h] = value_f32 (data[h], rank, dims);
          outs[(h + 1) % 3] = &v[h];   /* heads in another order than the strides */
        }
      d = lamina_decode (c, outs, 3, &t, &error);
      g_assert_no_error (error);
      g_test_message ("layout %s: %u detections", layouts[l], d->len);
      g_assert_cmpuint (d->len, ==, 1);
      g_assert_cmpint (d->items[0].class_id, ==, 1);
      g_assert_cmpfloat_with_epsilon (d->items[0].score, 0.880797 * 0.952574, 1e-5);
      assert_box (&d->items[0], 9, 1.5, 64, 46.5);
      for (int h = 0; h < 3; h++)
        g_free (data[h]);
    }
}

/* ---- Yolo-FastestV2 ---------------------------------------------------- */

/* 352x352 input: 22x22 cells at stride 16 then 11x11 at stride 32, 605 rows
 * of 3*4 + 3 + 80 = 95. Row 484 + 5*11 + 3 is cell (3,5) of stride 32;
 * anchor 2 there (279.92 x 258.87) with t = .6 .4 .3 .5, objectness .9 and
 * class 17 at .8:
 *   cx = (.6*2 - .5 + 3)*32 = 118.4      cy = (.4*2 - .5 + 5)*32 = 169.6
 *   w = (.3*2)^2*279.92 = 100.7712       h = (.5*2)^2*258.87 = 258.87
 * The image is 704x352 stretched (scale_x .5): x0 = (118.4 - 50.3856)/.5,
 * x1 = (118.4 + 50.3856)/.5, y0 = 169.6 - 129.435, y1 = 169.6 + 129.435. */
static void
test_yolo_fastestv2 (void)
{
  g_autoptr (LaminaPostprocessConfig) c = config_new (LAMINA_DECODER_YOLO_FASTESTV2);
  g_autoptr (LaminaDetections) d = NULL;
  g_autofree float *data = g_new0 (float, 605 * 95);
  const int strides[] = { 16, 32 };
  const float anchors[] = { 12.64, 19.39, 37.88, 51.48, 55.71, 138.31,
                            126.91, 78.23, 131.57, 214.55, 279.92, 258.87 };
  float *row = data + (484 + 5 * 11 + 3) * 95;
  LaminaTransform t = transform (704, 352, 352, 352, 0.5, 1, 0);
  gint64 dims[] = { 605, 95 }, bad_dims[] = { 604, 95 };
  LaminaValue v = value_f32 (data, 2, dims), bad = value_f32 (data, 2, bad_dims);
  LaminaValue *badp = &bad;

  c->conf_threshold = c->obj_threshold = 0.3;
  c->iou_threshold = 0.4;
  config_set_anchors (c, strides, 2, anchors, 3);
  row[8] = .6f; row[9] = .4f; row[10] = .3f; row[11] = .5f;
  row[12] = .1f; row[13] = .2f; row[14] = .9f;   /* anchors 0 and 1 below .3 */
  row[15 + 17] = .8f;
  row[15 + 3] = .7f;
  data[0 * 95 + 12] = NAN;                       /* NaN objectness elsewhere */
  data[0 * 95 + 15] = 1;
  d = decode1 (c, &v, &t);
  g_assert_cmpuint (d->len, ==, 1);
  g_assert_cmpint (d->items[0].class_id, ==, 17);
  g_assert_cmpfloat_with_epsilon (d->items[0].score, 0.72, 1e-5);
  assert_box (&d->items[0], (118.4 - 50.3856) / .5, 169.6 - 129.435,
              (118.4 + 50.3856) / .5, 169.6 + 129.435);
  assert_decode_fails (c, &badp, 1, &t, LAMINA_DECODE_ERROR_SHAPE);
}

/* ---- UltraFace --------------------------------------------------------- */

/* 640x480 image stretched to 320x240. Rows 1 and 2 are faces above .7
 * with IoU (.18*.2)/(.04 + .036 - .036 + .04 - ...) = .036/.044 = .82, so
 * only row 1 (.8) stays: .1,.2,.3,.4 of the input = 64,96,192,192 pixels. */
static void
test_ultraface (void)
{
  for (int swap = 0; swap < 2; swap++)
    {
      g_autoptr (LaminaPostprocessConfig) c = config_new (LAMINA_DECODER_ULTRAFACE);
      g_autoptr (LaminaDetections) d = NULL;
      g_autoptr (GError) error = NULL;
      float scores[] = { .9f, .1f, .2f, .8f, .25f, .75f, NAN, NAN };
      float boxes[] = { 0, 0, .5f, .5f, .1f, .2f, .3f, .4f, .12f, .2f, .32f, .4f, 0, 0, 1, 1 };
      gint64 sdims[] = { 1, 4, 2 }, bdims[] = { 1, 4, 4 };
      LaminaValue s = value_f32 (scores, 3, sdims), b = value_f32 (boxes, 3, bdims);
      const LaminaValue *outs[2] = { swap ? &b : &s, swap ? &s : &b };
      LaminaTransform t = transform (640, 480, 320, 240, 0.5, 0.5, 0);

      c->conf_threshold = 0.7;
      c->iou_threshold = 0.3;
      c->class_offset = 1;
      c->labels = g_strsplit ("background,face", ",", -1);
      d = lamina_decode (c, outs, 2, &t, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (d->len, ==, 1);
      g_assert_cmpint (d->items[0].class_id, ==, 1);
      g_assert_cmpstr (d->items[0].label, ==, "face");
      g_assert_cmpfloat_with_epsilon (d->items[0].score, 0.8, 1e-6);
      assert_box (&d->items[0], 64, 96, 192, 192);
    }
}

/* ---- BlazeFace --------------------------------------------------------- */

static LaminaPostprocessConfig *
blazeface_config (gboolean full_range)
{
  LaminaPostprocessConfig *c = config_new (LAMINA_DECODER_BLAZEFACE);

  c->num_layers = full_range ? 1 : 4;
  c->n_strides = c->num_layers;
  memcpy (c->strides, full_range ? (int[]) { 4 } : (int[]) { 8, 16, 16, 16 }, c->n_strides * sizeof (int));
  c->min_scale = 0.1484375;
  c->max_scale = 0.75;
  c->anchor_offset_x = c->anchor_offset_y = 0.5;
  c->aspect_ratios[0] = 1.0f;
  c->n_aspect_ratios = 1;
  c->interpolated_scale_aspect_ratio = full_range ? 0.0 : 1.0;
  c->fixed_anchor_size = TRUE;
  c->x_scale = c->y_scale = c->w_scale = c->h_scale = full_range ? 192 : 128;
  c->num_keypoints = 6;
  c->keypoint_values = 2;
  c->score_clip = 100;
  c->sigmoid_score = TRUE;
  c->conf_threshold = full_range ? 0.6 : 0.5;
  c->iou_threshold = 0.3;
  c->nms = LAMINA_NMS_WEIGHTED;
  return c;
}

/* Short range: 16x16 cells x 2 anchors at stride 8, then 8x8 cells x 6
 * anchors (three layers of stride 16 merged); centres (x + .5)/cells. */
static void
test_blazeface_anchors (void)
{
  g_autoptr (LaminaPostprocessConfig) shortr = blazeface_config (FALSE);
  g_autoptr (LaminaPostprocessConfig) full = blazeface_config (TRUE);
  g_autofree float *a = NULL, *b = NULL, *sized = NULL;
  guint n;

  a = lamina_decode_ssd_anchors (shortr, 128, 128, &n, NULL);
  g_assert_cmpuint (n, ==, 896);
  g_assert_cmpfloat_with_epsilon (a[0], 0.5 / 16, 1e-7);
  g_assert_cmpfloat_with_epsilon (a[1], 0.5 / 16, 1e-7);
  g_assert_cmpfloat (a[2], ==, 1.0f);
  g_assert_cmpfloat (a[4], ==, a[0]);               /* 2nd anchor of the same cell */
  g_assert_cmpfloat_with_epsilon (a[2 * 4], 1.5 / 16, 1e-7);
  g_assert_cmpfloat_with_epsilon (a[512 * 4], 0.5 / 8, 1e-7);   /* first stride-16 anchor */
  g_assert_cmpfloat_with_epsilon (a[517 * 4], 0.5 / 8, 1e-7);   /* 6 per cell */
  g_assert_cmpfloat_with_epsilon (a[518 * 4], 1.5 / 8, 1e-7);
  g_assert_cmpfloat_with_epsilon (a[895 * 4], 7.5 / 8, 1e-7);
  g_assert_cmpfloat_with_epsilon (a[895 * 4 + 1], 7.5 / 8, 1e-7);

  b = lamina_decode_ssd_anchors (full, 192, 192, &n, NULL);
  g_assert_cmpuint (n, ==, 2304);
  g_assert_cmpfloat_with_epsilon (b[0], 0.5 / 48, 1e-7);
  g_assert_cmpfloat_with_epsilon (b[2303 * 4], 47.5 / 48, 1e-7);
  g_assert_cmpfloat_with_epsilon (b[2303 * 4 + 1], 47.5 / 48, 1e-7);

  /* Without fixed sizes: layer 0 has scale .1484375 and the interpolated
   * anchor sqrt(.1484375 * s1), s1 = .1484375 + (.75 - .1484375)/3. */
  shortr->fixed_anchor_size = FALSE;
  sized = lamina_decode_ssd_anchors (shortr, 128, 128, &n, NULL);
  g_assert_cmpuint (n, ==, 896);
  g_assert_cmpfloat_with_epsilon (sized[2], 0.1484375, 1e-6);
  g_assert_cmpfloat_with_epsilon (sized[4 + 2], sqrt (0.1484375 * (0.1484375 + 0.6015625 / 3)), 1e-6);
  g_assert_cmpuint (lamina_decode_ssd_anchor_count (shortr, 128, 128), ==, 896);

  /* an odd input size at stride 1: an error, not gigabytes of anchors */
  {
    g_autoptr (GError) error = NULL;

    full->strides[0] = 1;
    g_assert_cmpuint (lamina_decode_ssd_anchor_count (full, 16384, 16384), ==, 16384u * 16384u);
    g_assert_null (lamina_decode_ssd_anchors (full, 16384, 16384, &n, &error));
    g_assert_error (error, LAMINA_DECODE_ERROR, LAMINA_DECODE_ERROR_CONFIG);
    g_assert_nonnull (strstr (error->message, "input_size"));
    g_assert_cmpuint (n, ==, 0);
  }
}

/* Anchors 0 and 1 share the centre (.03125, .03125), size 1. Anchor 0:
 * raw score 2 (sigmoid .880797), regressors 12.8 -6.4 25.6 38.4 → centre
 * .13125,-.01875, size .2 x .3 → 4.0,-21.6 .. 29.6,16.8 input pixels;
 * keypoint 0 at 6.4,6.4 → (.05 + .03125)*128 = 10.4. Anchor 1: raw 1
 * (.731059), the same box 1.28 pixels to the right, keypoint 0 at 11.68:
 * weighted NMS merges them. The image is the 128x128 input (scale 1). */
static void
test_blazeface_decode (void)
{
  g_autoptr (LaminaPostprocessConfig) c = blazeface_config (FALSE);
  g_autoptr (LaminaDetections) d = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree float *regs = g_new0 (float, 896 * 16);
  g_autofree float *scores = g_new (float, 896);
  gint64 rdims[] = { 1, 896, 16 }, sdims[] = { 1, 896, 1 }, bad_dims[] = { 1, 895, 16 };
  LaminaValue r = value_f32 (regs, 3, rdims), s = value_f32 (scores, 3, sdims);
  LaminaValue bad = value_f32 (regs, 3, bad_dims);
  const LaminaValue *outs[] = { &r, &s };
  LaminaValue *bad_outs[] = { &bad, &s };
  LaminaTransform t = transform (128, 128, 128, 128, 1, 1, 0);
  double w0 = 0.880797, w1 = 0.731059;
  const float box0[] = { 12.8f, -6.4f, 25.6f, 38.4f, 6.4f, 6.4f };

  for (int i = 0; i < 896; i++)
    scores[i] = -1000;   /* clipped to -100 */
  scores[0] = 2;
  scores[1] = 1;
  scores[2] = NAN;
  memcpy (regs, box0, sizeof box0);
  memcpy (regs + 16, box0, sizeof box0);
  regs[16] += 1.28f;
  regs[16 + 4] += 1.28f;
  d = lamina_decode (c, outs, 2, &t, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (d->len, ==, 1);
  g_assert_cmpfloat_with_epsilon (d->items[0].score, w0, 1e-5);
  assert_box (&d->items[0], (4.0 * w0 + 5.28 * w1) / (w0 + w1), -21.6,
              (29.6 * w0 + 30.88 * w1) / (w0 + w1), 16.8);
  g_assert_cmpuint (d->items[0].n_keypoints, ==, 6);
  g_assert_cmpfloat_with_epsilon (d->items[0].keypoints[0].x, (10.4 * w0 + 11.68 * w1) / (w0 + w1), EPS);
  g_assert_cmpfloat_with_epsilon (d->items[0].keypoints[0].y, 10.4, EPS);
  g_assert_cmpfloat_with_epsilon (d->items[0].keypoints[1].x, 4.0, EPS);   /* raw 0 → anchor centre */

  assert_decode_fails (c, bad_outs, 2, &t, LAMINA_DECODE_ERROR_CONFIG);
}

/* ---- DBNet ------------------------------------------------------------- */

/* The minimum-area rectangle of a rotated rectangle's outline is that
 * rectangle; on random sets it matches a brute force over hull edges. */
static void
test_min_area_rect (void)
{
  LaminaPoint pts[200], corners[4];
  double angle = G_PI / 6, ux = cos (angle), uy = sin (angle);
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  float side;

  for (int i = 0; i < 100; i++)   /* the outline of a 40 x 10 rectangle */
    {
      double s = (i % 25) / 25.0;
      double a = (i / 25 == 0) ? s * 40 : (i / 25 == 2) ? 40 - s * 40 : (i / 25 == 1) ? 40 : 0;
      double b = (i / 25 == 1) ? s * 10 : (i / 25 == 3) ? 10 - s * 10 : (i / 25 == 2) ? 10 : 0;

      pts[i] = (LaminaPoint) { 100 + a * ux - b * uy, 50 + a * uy + b * ux };
    }
  side = lamina_min_area_rect (pts, 100, corners);
  g_assert_cmpfloat_with_epsilon (side, 10, 1e-3);
  g_assert_cmpfloat_with_epsilon (hypot (corners[1].x - corners[0].x, corners[1].y - corners[0].y)
                                   * hypot (corners[3].x - corners[0].x, corners[3].y - corners[0].y),
                                   400, 0.05);

  for (int round = 0; round < 200; round++)
    {
      int n = g_rand_int_range (rand, 3, 200);
      double best = INFINITY, area;

      for (int i = 0; i < n; i++)
        pts[i] = (LaminaPoint) { g_rand_int_range (rand, 0, 50), g_rand_int_range (rand, 0, 30) };
      lamina_min_area_rect (pts, n, corners);
      area = hypot (corners[1].x - corners[0].x, corners[1].y - corners[0].y)
             * hypot (corners[3].x - corners[0].x, corners[3].y - corners[0].y);
      /* brute force: every direction defined by two points */
      for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
          {
            double dx = pts[j].x - pts[i].x, dy = pts[j].y - pts[i].y, len = hypot (dx, dy);
            double lo = INFINITY, hi = -INFINITY, lo2 = INFINITY, hi2 = -INFINITY;

            if (len == 0)
              continue;
            for (int k = 0; k < n; k++)
              {
                double p = (pts[k].x * dx + pts[k].y * dy) / len, q = (-pts[k].x * dy + pts[k].y * dx) / len;
                lo = MIN (lo, p); hi = MAX (hi, p); lo2 = MIN (lo2, q); hi2 = MAX (hi2, q);
              }
            best = MIN (best, (hi - lo) * (hi2 - lo2));
          }
      g_assert_cmpfloat_with_epsilon (area, best, 1e-3 * MAX (best, 1));
    }
}

static void
fill_rect (float *map, int w, int x0, int y0, int x1, int y1, float value)
{
  for (int y = y0; y <= y1; y++)
    for (int x = x0; x <= x1; x++)
      map[y * w + x] = value;
}

/* A 64x48 map of a 128x96 image (scale .5):
 *  A: x 5..24, y 5..14 at .9 → pixel centres span 19 x 9; unclip distance
 *     19*9*1.5/(2*28) = 4.580357 → 0.419643,0.419643 .. 28.580357,18.580357,
 *     doubled in the image.
 *  B: x 30..59, y 20..39, left half .9, right half .5 → mean .7; span
 *     29 x 19, distance 29*19*1.5/(2*48) = 8.609375 → 21.390625,11.390625 ..
 *     67.609375,47.609375, doubled and clipped to 127,95.
 *  C: a 2x2 blob (side 1 < 3), D: a 10x10 square at .4 (mean < .6): dropped. */
static void
test_dbnet (void)
{
  g_autoptr (LaminaPostprocessConfig) c = config_new (LAMINA_DECODER_DBNET);
  g_autoptr (LaminaDetections) d = NULL;
  g_autofree float *map = g_new0 (float, 64 * 48);
  gint64 dims[] = { 1, 1, 48, 64 };
  LaminaValue v = value_f32 (map, 4, dims);
  LaminaTransform t = transform (128, 96, 64, 48, 0.5, 0.5, 0);
  double da = 19 * 9 * 1.5 / (2 * 28.0), db = 29 * 19 * 1.5 / (2 * 48.0);

  c->bin_threshold = 0.3;
  c->box_threshold = 0.6;
  c->unclip_ratio = 1.5;
  c->min_size = 3;
  fill_rect (map, 64, 30, 20, 59, 39, .5f);
  fill_rect (map, 64, 30, 20, 44, 39, .9f);
  fill_rect (map, 64, 5, 5, 24, 14, .9f);
  fill_rect (map, 64, 50, 2, 51, 3, .9f);
  fill_rect (map, 64, 2, 30, 11, 39, .4f);
  map[47 * 64 + 0] = NAN;
  d = decode1 (c, &v, &t);

  g_assert_cmpuint (d->len, ==, 2);
  g_assert_cmpfloat_with_epsilon (d->items[0].score, 0.9, 1e-5);
  assert_box (&d->items[0], 2 * (5 - da), 2 * (5 - da), 2 * (24 + da), 2 * (14 + da));
  g_assert_cmpuint (d->items[0].n_polygon, ==, 4);
  g_assert_cmpfloat_with_epsilon (d->items[0].polygon[0].x, 2 * (5 - da), EPS);    /* top-left */
  g_assert_cmpfloat_with_epsilon (d->items[0].polygon[1].x, 2 * (24 + da), EPS);   /* top-right */
  g_assert_cmpfloat_with_epsilon (d->items[0].polygon[2].y, 2 * (14 + da), EPS);   /* bottom-right */
  g_assert_cmpfloat_with_epsilon (d->items[0].polygon[3].x, 2 * (5 - da), EPS);    /* bottom-left */
  g_assert_cmpfloat_with_epsilon (d->items[0].polygon[3].y, 2 * (14 + da), EPS);
  g_assert_cmpfloat_with_epsilon (d->items[1].score, (15 * .9 + 15 * .5) / 30, 1e-5);
  assert_box (&d->items[1], 2 * (30 - db), 2 * (20 - db), 127, 95);

  /* score_mode=slow averages the region itself: the same here. */
  g_clear_pointer (&d, lamina_detections_free);
  c->score_mode = g_strdup ("slow");
  d = decode1 (c, &v, &t);
  g_assert_cmpuint (d->len, ==, 2);
  g_assert_cmpfloat_with_epsilon (d->items[1].score, 0.7, 1e-5);
}

/* A region shaped like a ring (a hole) and one touching only diagonally
 * (8-connectivity joins them); a region as large as the whole map must not
 * need recursion. */
static void
test_dbnet_regions (void)
{
  g_autoptr (LaminaPostprocessConfig) c = config_new (LAMINA_DECODER_DBNET);
  g_autoptr (LaminaDetections) d = NULL;
  g_autofree float *map = g_new0 (float, 2000 * 1000);
  gint64 dims[] = { 1, 1, 40, 40 }, big_dims[] = { 1, 1, 1000, 2000 };
  LaminaValue v = value_f32 (map, 4, dims), big = value_f32 (map, 4, big_dims);

  c->bin_threshold = 0.3;
  c->box_threshold = 0.6;
  c->unclip_ratio = 1.5;
  c->min_size = 3;
  fill_rect (map, 40, 2, 2, 11, 11, .9f);
  fill_rect (map, 40, 12, 12, 21, 21, .9f);   /* touches the first at a corner */
  d = decode1 (c, &v, NULL);
  /* The best rectangle is diagonal (area 19*sqrt2 x 9*sqrt2 = 342 < 19*19)
   * and covers much background: its fast score (about .5) fails .6. */
  g_assert_cmpuint (d->len, ==, 0);
  g_clear_pointer (&d, lamina_detections_free);
  c->score_mode = g_strdup ("slow");
  d = decode1 (c, &v, NULL);
  g_assert_cmpuint (d->len, ==, 1);           /* one region, not two */
  g_assert_cmpfloat_with_epsilon (d->items[0].score, 0.9, 1e-5);
  g_assert_cmpfloat (d->items[0].x1 - d->items[0].x0, >, 20);

  g_clear_pointer (&d, lamina_detections_free);
  for (gint64 i = 0; i < 2000 * 1000; i++)
    map[i] = 0.95f;
  d = decode1 (c, &big, NULL);
  g_assert_cmpuint (d->len, ==, 1);
  g_assert_cmpfloat_with_epsilon (d->items[0].score, 0.95, 1e-4);
}

/* ---- CTC --------------------------------------------------------------- */

/* Keys a b c plus the space: classes blank a b c ' '. Best classes per
 * step 1 1 0 1 2 2 4 3 → "a", "a" (after a blank), "b", " ", "c". */
static void
fill_ctc (float *seq, gboolean logits)
{
  const int best[8] = { 1, 1, 0, 1, 2, 2, 4, 3 };
  const float p[8] = { .9f, .8f, .7f, .6f, .5f, .9f, .8f, .7f };

  for (int t = 0; t < 8; t++)
    for (int k = 0; k < 5; k++)
      {
        float prob = k == best[t] ? p[t] : (1 - p[t]) / 4;

        seq[t * 5 + k] = logits ? logf (prob) + 3 : prob;
      }
}

static void
test_ctc (void)
{
  for (int logits = 0; logits < 2; logits++)
    {
      g_autoptr (LaminaPostprocessConfig) c = config_new (LAMINA_DECODER_CTC);
      g_autoptr (LaminaDetections) d = NULL;
      float seq[2 * 8 * 5];
      gint64 dims[] = { 2, 8, 5 }, bad_dims[] = { 1, 8, 6 };
      LaminaValue v = value_f32 (seq, 3, dims), bad = value_f32 (seq, 3, bad_dims);
      LaminaValue *badp = &bad;

      fill_ctc (seq, logits);
      for (int t = 0; t < 8; t++)   /* the second sequence: all blank */
        for (int k = 0; k < 5; k++)
          seq[40 + t * 5 + k] = k == 0 ? 1 : 0;
      c->labels = g_strsplit ("a,b,c", ",", -1);
      c->append_space = TRUE;
      d = decode1 (c, &v, NULL);
      g_assert_cmpuint (d->len, ==, 2);
      g_assert_cmpstr (d->items[0].text, ==, "aab c");
      /* kept steps 0, 3, 4, 6, 7 */
      g_assert_cmpfloat_with_epsilon (d->items[0].score, (.9 + .6 + .5 + .8 + .7) / 5, 1e-5);
      g_assert_cmpstr (d->items[1].text, ==, "");
      g_assert_cmpfloat (d->items[1].score, ==, 0);
      assert_decode_fails (c, &badp, 1, NULL, LAMINA_DECODE_ERROR_CONFIG);
    }
}

/* ---- classification ---------------------------------------------------- */

/* Logits 1 3 2 0: softmax e^3/(e + e^3 + e^2 + 1) = .643914 for class 1,
 * e^2/... = .236883 for class 2. */
static void
test_classify (void)
{
  g_autoptr (LaminaPostprocessConfig) c = config_new (LAMINA_DECODER_CLASSIFY);
  g_autoptr (LaminaDetections) d = NULL;
  float logits[] = { 1, 3, 2, 0 };
  gint64 dims[] = { 1, 4, 1, 1 };
  LaminaValue v = value_f32 (logits, 4, dims);
  LaminaTransform t = transform (50, 40, 4, 4, 0.08, 0.1, 0);

  c->top_k = 2;
  c->labels = g_strsplit ("w,x,y,z", ",", -1);
  d = decode1 (c, &v, &t);
  g_assert_cmpuint (d->len, ==, 2);
  g_assert_cmpstr (d->items[0].label, ==, "x");
  g_assert_cmpfloat_with_epsilon (d->items[0].score, 0.643914, 1e-5);
  g_assert_cmpstr (d->items[1].label, ==, "y");
  g_assert_cmpfloat_with_epsilon (d->items[1].score, 0.236883, 1e-5);
  assert_box (&d->items[0], 0, 0, 50, 40);
}

/* ---- robustness -------------------------------------------------------- */

static void
test_bad_inputs (void)
{
  LaminaDecoderKind kinds[] = { LAMINA_DECODER_YOLOV5, LAMINA_DECODER_YOLO_FASTESTV2,
                                LAMINA_DECODER_ULTRAFACE, LAMINA_DECODER_BLAZEFACE,
                                LAMINA_DECODER_DBNET, LAMINA_DECODER_CTC, LAMINA_DECODER_CLASSIFY };
  float data[64] = { 0 };
  gint64 d1[] = { 7 }, d5[] = { 2, 2, 2, 2, 4 };
  LaminaValue vec = value_f32 (data, 1, d1), odd = value_f32 (data, 5, d5);
  LaminaTransform t = transform (64, 64, 64, 64, 1, 1, 0);

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr (LaminaPostprocessConfig) c = config_new (kinds[k]);
      LaminaValue *one[] = { &odd }, *two[] = { &odd, &vec }, *none[] = { NULL };

      config_set_anchors (c, yolo_strides, 3, yolo_anchors, 3);
      c->labels = g_strsplit ("a", ",", -1);
      g_test_message ("decoder %d", kinds[k]);
      if (kinds[k] != LAMINA_DECODER_CLASSIFY)
        assert_decode_fails (c, one, 1, &t, LAMINA_DECODE_ERROR_SHAPE);
      assert_decode_fails (c, two, kinds[k] == LAMINA_DECODER_CLASSIFY ? 0 : 2, &t, LAMINA_DECODE_ERROR_SHAPE);
      assert_decode_fails (c, none, 1, &t, LAMINA_DECODE_ERROR_SHAPE);
    }

  {
    g_autoptr (LaminaPostprocessConfig) c = config_new (LAMINA_DECODER_NONE);
    g_autoptr (LaminaPostprocessConfig) y = config_new (LAMINA_DECODER_YOLOV5);
    LaminaValue *one[] = { &vec };

    assert_decode_fails (c, one, 1, &t, LAMINA_DECODE_ERROR_CONFIG);
    y->format = g_strdup ("raw");   /* raw heads without anchors */
    assert_decode_fails (y, one, 1, &t, LAMINA_DECODE_ERROR_CONFIG);
  }
}

/* ---- the shipped presets ---------------------------------------------- */

/* Each shipped preset decodes outputs of its own [MATCH] signature ('?'
 * dims: batch 1, else 40) for a 640x480 image without error: anchors,
 * strides and sizes of the presets agree with the decoders. */
static void
test_shipped_presets (void)
{
  g_auto (GStrv) names = lamina_preset_list (NULL);
  const char *shared = g_getenv ("LAMINA_SHARED_DIR");

  g_assert_nonnull (names);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *model = g_build_filename (shared ? shared : "../shared", "models", names[i], NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (LaminaPreset) p = lamina_preset_find_by_name (names[i], model, NULL, &error);
      g_autoptr (GPtrArray) values = g_ptr_array_new ();
      g_autoptr (GPtrArray) buffers = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (LaminaDetections) d = NULL;
      g_autofree LaminaValue *v = g_new0 (LaminaValue, 8);
      LaminaTransform t;

      g_assert_no_error (error);
      if (p->post.decoder == LAMINA_DECODER_NONE || p->outputs == NULL
          || (p->post.decoder == LAMINA_DECODER_CTC && p->post.labels == NULL))
        {
          g_test_message ("%s: not checked (no decoder, signature or key list)", names[i]);
          continue;
        }
      g_auto (GStrv) shapes = g_strsplit (p->outputs[0], ",", 8);   /* one signature */

      for (guint o = 0; shapes[o] != NULL; o++)
        {
          g_auto (GStrv) parts = g_strsplit (shapes[o], "x", -1);
          gint64 dims[LAMINA_MAX_RANK];
          int rank = 0;

          for (; parts[rank] != NULL && rank < LAMINA_MAX_RANK; rank++)
            dims[rank] = g_str_equal (parts[rank], "?") ? (rank == 0 ? 1 : 40) : g_ascii_strtoll (parts[rank], NULL, 10);
          g_assert_true (lamina_value_set_shape (&v[o], LAMINA_DTYPE_FLOAT32, rank, dims, NULL));
          v[o].data = g_new0 (float, v[o].numel);
          g_ptr_array_add (buffers, v[o].data);
          g_ptr_array_add (values, &v[o]);
        }
      g_assert_true (lamina_preprocess_plan (&p->pre, 640, 480, 0, 0, &t, &error));
      g_assert_no_error (error);
      if (p->post.decoder == LAMINA_DECODER_DBNET)
        t.dst_width = t.dst_height = 40;   /* the map is the model input */
      d = lamina_decode (&p->post, (const LaminaValue *const *) values->pdata, values->len, &t, &error);
      g_assert_no_error (error);
      g_test_message ("%s: %u outputs, %u detections", names[i], values->len, d->len);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/decode/yolov5-decoded", test_yolov5_decoded);
  g_test_add_func ("/decode/yolov5-quantized", test_yolov5_quantized);
  g_test_add_func ("/decode/yolov5-raw", test_yolov5_raw);
  g_test_add_func ("/decode/yolo-fastestv2", test_yolo_fastestv2);
  g_test_add_func ("/decode/ultraface", test_ultraface);
  g_test_add_func ("/decode/blazeface-anchors", test_blazeface_anchors);
  g_test_add_func ("/decode/blazeface", test_blazeface_decode);
  g_test_add_func ("/decode/min-area-rect", test_min_area_rect);
  g_test_add_func ("/decode/dbnet", test_dbnet);
  g_test_add_func ("/decode/dbnet-regions", test_dbnet_regions);
  g_test_add_func ("/decode/ctc", test_ctc);
  g_test_add_func ("/decode/classify", test_classify);
  g_test_add_func ("/decode/bad-inputs", test_bad_inputs);
  g_test_add_func ("/decode/shipped-presets", test_shipped_presets);
  return g_test_run ();
}
