/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-preprocess.c: OpenCV-exact bilinear resize, letterbox/long-side/
 * fit-height geometry, channel order, normalisation, layouts, quantized
 * inputs and the transform back to image pixels.
 *
 * Expected values come from tests/gen-resize-reference.py: an independent
 * integer/Fraction model of cv::resize, checked there against cv2.resize
 * (python3-opencv 4.6, Debian 12) on 1,008 cases, and cv2 itself for the
 * letterbox and the real images.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <math.h>
#include <string.h>
#include "lamina-test-util.h"
#include "vision/lamina-preprocess.h"

/* The test image of gen-resize-reference.py's pixels(). */
static LaminaImage *
test_image (int w, int h)
{
  LaminaImage *im = lamina_image_new (w, h, NULL);

  for (gint64 i = 0; i < (gint64) w * h * 3; i++)
    im->data[i] = (guint8) (((i * 73 + 41) ^ (i >> 2)) & 255);
  return im;
}

typedef struct {
  int sw, sh, dw, dh;
  guint8 expected[256];
} ResizeCase;

/* gen-resize-reference.py output (cv2.resize INTER_LINEAR agrees) */
static const ResizeCase resize_cases[] = {
  { 5, 4, 3, 7, {
      29, 101, 175, 222, 41, 115, 161, 147, 50, 55, 127, 140, 155, 64, 141, 156, 112, 75, 98,
      169, 83, 48, 101, 184, 149, 55, 115, 136, 124, 67, 68, 149, 218, 98, 84, 158, 173, 74, 64,
      106, 194, 234, 53, 125, 195, 211, 69, 109, 154, 222, 136, 88, 169, 184, 234, 66, 138, 184,
      240, 75, 110, 197, 177 } },
  { 7, 5, 9, 3, {
      39, 111, 188, 16, 88, 163, 101, 59, 133, 212, 31, 103, 181, 3, 73, 158, 170, 46, 128, 202,
      65, 98, 175, 128, 74, 147, 213, 41, 102, 190, 177, 85, 167, 231, 63, 132, 207, 89, 97,
      184, 240, 75, 142, 219, 53, 113, 200, 155, 91, 169, 233, 74, 129, 216, 21, 117, 178, 164,
      96, 163, 219, 53, 138, 193, 59, 109, 178, 227, 85, 156, 206, 24, 134, 186, 135, 99, 166,
      225, 54, 150, 199 } },
  { 4, 6, 6, 2, {
      150, 221, 36, 133, 205, 21, 109, 182, 41, 85, 151, 181, 57, 125, 203, 35, 106, 189, 213,
      46, 103, 199, 143, 89, 175, 236, 70, 139, 217, 52, 115, 201, 145, 100, 189, 242 } },
  { 6, 6, 3, 3, {
      40, 110, 186, 158, 38, 112, 149, 157, 38, 99, 187, 186, 102, 107, 181, 208, 96, 114, 176,
      166, 74, 118, 176, 168, 71, 117, 182 } },
  { 9, 7, 4, 5, {
      53, 75, 148, 172, 43, 110, 102, 166, 63, 60, 100, 158, 143, 126, 133, 73, 150, 190, 143,
      64, 144, 166, 158, 95, 37, 132, 188, 202, 20, 119, 142, 199, 33, 24, 136, 195, 190, 101,
      99, 111, 192, 99, 101, 103, 185, 189, 106, 102, 80, 130, 180, 152, 64, 120, 149, 169, 52,
      96, 138, 174 } },
  { 3, 2, 8, 5, {
      41, 114, 187, 39, 111, 185, 25, 97, 171, 11, 83, 158, 45, 69, 144, 126, 56, 131, 208, 43,
      117, 222, 41, 115, 55, 103, 176, 53, 102, 174, 39, 97, 160, 25, 93, 146, 55, 84, 133, 127,
      71, 119, 199, 58, 106, 211, 56, 104, 113, 58, 133, 110, 63, 130, 97, 97, 115, 83, 131,
      101, 94, 142, 87, 128, 130, 75, 163, 117, 62, 169, 115, 61, 170, 12, 89, 167, 24, 86, 154,
      97, 71, 142, 170, 55, 133, 200, 42, 130, 188, 30, 126, 176, 19, 125, 174, 17, 184, 1, 78,
      182, 15, 75, 169, 97, 59, 156, 180, 44, 143, 215, 30, 130, 203, 19, 117, 191, 8, 115, 189,
      6 } },
  { 11, 3, 2, 1, {
      59, 142, 204, 108, 195, 193 } },
  { 1, 1, 3, 2, {
      41, 114, 187, 41, 114, 187, 41, 114, 187, 41, 114, 187, 41, 114, 187, 41, 114, 187 } },
};

static void
test_resize_opencv (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (resize_cases); i++)
    {
      const ResizeCase *c = &resize_cases[i];
      g_autoptr(LaminaImage) src = test_image (c->sw, c->sh);
      g_autoptr(GError) error = NULL;
      g_autoptr(LaminaImage) dst = lamina_image_resize_linear (src, c->dw, c->dh, &error);

      g_assert_no_error (error);
      g_assert_cmpint (dst->width, ==, c->dw);
      g_assert_cmpint (dst->height, ==, c->dh);
      g_test_message ("%dx%d -> %dx%d", c->sw, c->sh, c->dw, c->dh);
      g_assert_cmpmem (dst->data, (gsize) c->dw * c->dh * 3, c->expected, (gsize) c->dw * c->dh * 3);
    }
}

/* A tensor like a model input. */
static LaminaTensor *
make_input (LaminaDType dtype, gint64 d0, gint64 d1, gint64 d2, gint64 d3, float scale, int zero)
{
  LaminaTensor *t = lamina_tensor_new ("input");
  gint64 dims[4] = { d0, d1, d2, d3 };

  t->dtype = dtype;
  lamina_shape_set (&t->shape, 4, dims);
  if (scale > 0.f)
    {
      t->quant = lamina_quant_new (-1, 1);
      t->quant->scale[0] = scale;
      t->quant->zero_point[0] = zero;
    }
  return t;
}

/* Preprocesses into a uint8 NHWC tensor with scale 1: the bytes are the
 * resized and padded image itself. */
static void
preprocess_bytes (const LaminaImage *im, const LaminaPreprocessConfig *c, int w, int h,
                  LaminaValue *v, LaminaTransform *t)
{
  LaminaTensor *in = make_input (LAMINA_DTYPE_UINT8, 1, h, w, 3, 1.f, 0);
  g_autoptr(GError) error = NULL;

  memset (v, 0, sizeof *v);
  g_assert_true (lamina_preprocess_image (im, c, in, v, t, &error));
  g_assert_no_error (error);
  v->quant = NULL;     /* borrowed from the tensor freed now */
  lamina_tensor_free (in);
}

static void
test_letterbox_opencv (void)
{
  /* Ultralytics letterbox (cv2) of the 7x5 image into 8x8, grey 114 */
  static const guint8 expected[8 * 8 * 3] = {
    114, 114, 114, 114, 114, 114, 114, 114, 114, 114, 114, 114, 114, 114, 114, 114, 114, 114,
    114, 114, 114, 114, 114, 114, 41, 114, 187, 11, 83, 158, 154, 52, 126, 201, 18, 94, 169, 97,
    59, 139, 211, 26, 108, 180, 45, 79, 144, 216, 37, 108, 189, 12, 82, 157, 152, 48, 121, 196,
    19, 85, 167, 96, 57, 138, 206, 87, 97, 183, 190, 69, 152, 210, 38, 104, 189, 126, 81, 159,
    193, 52, 119, 196, 98, 85, 163, 173, 60, 127, 205, 107, 94, 180, 238, 70, 140, 213, 43, 110,
    178, 204, 85, 160, 218, 47, 124, 189, 147, 92, 160, 223, 58, 131, 198, 97, 101, 171, 233,
    79, 141, 206, 37, 120, 168, 198, 91, 158, 210, 35, 131, 182, 135, 98, 162, 216, 51, 143,
    189, 81, 110, 165, 229, 74, 156, 195, 8, 115, 186, 194, 92, 161, 209, 34, 127, 190, 130, 99,
    167, 214, 50, 138, 195, 77, 108, 173, 232, 38, 145, 203, 114, 114, 114, 114, 114, 114, 114,
    114, 114, 114, 114, 114, 114, 114, 114, 114, 114, 114, 114, 114, 114, 114, 114, 114
  };
  g_autoptr(LaminaImage) im = test_image (7, 5);
  LaminaPreprocessConfig c;
  LaminaTransform t;
  LaminaValue v;

  lamina_preprocess_config_init (&c);
  c.resize = LAMINA_RESIZE_LETTERBOX;
  preprocess_bytes (im, &c, 8, 8, &v, &t);
  g_assert_cmpmem (v.data, sizeof expected, expected, sizeof expected);
  g_assert_cmpint (t.resized_width, ==, 8);
  g_assert_cmpint (t.resized_height, ==, 6);
  g_assert_cmpint (t.pad_left, ==, 0);
  g_assert_cmpint (t.pad_top, ==, 1);
  lamina_value_clear (&v);
}

static void
test_letterbox_geometry (void)
{
  /* w, h → 64x64: resized size and top/left padding per Ultralytics
   * (round() ties to even, padding split with -0.1/+0.1) */
  static const struct { int w, h, rw, rh, left, top; } cases[] = {
    { 100, 50, 64, 32, 0, 16 },
    { 100, 47, 64, 30, 0, 17 },
    { 100, 48, 64, 31, 0, 16 },   /* dh = 16.5: top 16, bottom 17 */
    { 48, 100, 31, 64, 16, 0 },
    { 32, 32, 64, 64, 0, 0 },     /* upscaled (scaleup=True) */
    { 810, 1080, 48, 64, 8, 0 },
  };
  LaminaPreprocessConfig c;

  lamina_preprocess_config_init (&c);
  c.resize = LAMINA_RESIZE_LETTERBOX;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      LaminaTransform t;
      g_autoptr(GError) error = NULL;
      double ix, iy, mx, my;

      g_assert_true (lamina_preprocess_plan (&c, cases[i].w, cases[i].h, 64, 64, &t, &error));
      g_assert_cmpint (t.resized_width, ==, cases[i].rw);
      g_assert_cmpint (t.resized_height, ==, cases[i].rh);
      g_assert_cmpint (t.pad_left, ==, cases[i].left);
      g_assert_cmpint (t.pad_top, ==, cases[i].top);
      /* Ultralytics scale_boxes: image = (model - pad) / gain, unrounded pad */
      lamina_transform_to_image (&t, 32, 32, &ix, &iy);
      g_assert_cmpfloat_with_epsilon (ix, cases[i].w / 2.0, 1e-9);
      g_assert_cmpfloat_with_epsilon (iy, cases[i].h / 2.0, 1e-9);
      lamina_transform_to_model (&t, ix, iy, &mx, &my);
      g_assert_cmpfloat_with_epsilon (mx, 32, 1e-9);
      g_assert_cmpfloat_with_epsilon (my, 32, 1e-9);
    }
}

static void
test_box_to_image (void)
{
  LaminaPreprocessConfig c;
  LaminaTransform t;
  float box[4] = { 8, 0, 56, 64 };   /* the letterboxed image's extent */
  float outside[4] = { -10, -10, 100, 100 };

  lamina_preprocess_config_init (&c);
  c.resize = LAMINA_RESIZE_LETTERBOX;
  g_assert_true (lamina_preprocess_plan (&c, 810, 1080, 64, 64, &t, NULL));
  lamina_transform_box_to_image (&t, box);
  g_assert_cmpfloat_with_epsilon (box[0], 0, 1e-3);
  g_assert_cmpfloat_with_epsilon (box[1], 0, 1e-3);
  g_assert_cmpfloat_with_epsilon (box[2], 810, 1e-3);
  g_assert_cmpfloat_with_epsilon (box[3], 1080, 1e-3);
  lamina_transform_box_to_image (&t, outside);       /* clipped to the image */
  g_assert_cmpfloat (outside[0], ==, 0);
  g_assert_cmpfloat (outside[3], ==, 1080);

  /* stretch: per-axis scale */
  c.resize = LAMINA_RESIZE_STRETCH;
  g_assert_true (lamina_preprocess_plan (&c, 640, 480, 320, 240, &t, NULL));
  {
    float b[4] = { 10, 20, 160, 120 };
    lamina_transform_box_to_image (&t, b);
    g_assert_cmpfloat (b[0], ==, 20);
    g_assert_cmpfloat (b[1], ==, 40);
    g_assert_cmpfloat (b[2], ==, 320);
    g_assert_cmpfloat (b[3], ==, 240);
  }
}

static void
test_long_side (void)
{
  /* PaddleOCR DetResizeForTest, limit_type max, 960, multiples of 32 */
  static const struct { int w, h, dw, dh; } cases[] = {
    { 1000, 500, 960, 480 },
    { 50, 20, 64, 32 },      /* round(1.5625) = 2, round(0.625) = 1 */
    { 810, 1080, 704, 960 }, /* int(810 * 960 / 1080) = 720 → round(22.5) = 22 → 704 */
    { 10, 10, 32, 32 },
  };
  LaminaPreprocessConfig c;

  lamina_preprocess_config_init (&c);
  c.resize = LAMINA_RESIZE_LONG_SIDE;
  c.max_side = 960;
  c.multiple = 32;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      LaminaTransform t;
      g_assert_true (lamina_preprocess_plan (&c, cases[i].w, cases[i].h, -1, -1, &t, NULL));
      g_test_message ("%dx%d -> %dx%d", cases[i].w, cases[i].h, t.dst_width, t.dst_height);
      g_assert_cmpint (t.dst_width, ==, cases[i].dw);
      g_assert_cmpint (t.dst_height, ==, cases[i].dh);
      g_assert_cmpint (t.resized_width, ==, t.dst_width);
      g_assert_cmpfloat_with_epsilon (t.scale_x, (double) cases[i].dw / cases[i].w, 1e-12);
    }
}

static void
test_fit_height (void)
{
  g_autoptr(LaminaImage) im = test_image (100, 20);
  LaminaTensor *in = make_input (LAMINA_DTYPE_FLOAT32, 1, 3, 48, -1, 0, 0);
  LaminaPreprocessConfig c;
  LaminaTransform t;
  LaminaValue v = { 0 };
  g_autoptr(GError) error = NULL;
  const float *f;

  lamina_preprocess_config_init (&c);
  c.resize = LAMINA_RESIZE_FIT_HEIGHT;
  c.width = 320;
  c.height = 48;
  c.pad_is_value = TRUE;
  c.pad_value = 0.0;
  for (int i = 0; i < 3; i++)
    c.mean[i] = c.std[i] = 127.5;
  g_assert_true (lamina_preprocess_image (im, &c, in, &v, &t, &error));
  g_assert_no_error (error);
  /* ratio 5: ceil(48 * 5) = 240 wide, padded to 320 with zeros */
  g_assert_cmpint (v.dims[3], ==, 320);
  g_assert_cmpint (v.dims[2], ==, 48);
  g_assert_cmpint (t.resized_width, ==, 240);
  f = v.data;
  g_assert_cmpfloat (f[0 * 48 * 320 + 10 * 320 + 300], ==, 0.f);
  g_assert_cmpfloat (f[2 * 48 * 320 + 47 * 320 + 319], ==, 0.f);
  g_assert_cmpfloat (fabsf (f[239]), <=, 1.f);
  lamina_value_clear (&v);

  /* a long line grows a dynamic width: int(48 * 20) = 960 */
  {
    g_autoptr(LaminaImage) line = test_image (400, 20);
    g_assert_true (lamina_preprocess_image (line, &c, in, &v, &t, &error));
    g_assert_cmpint (v.dims[3], ==, 960);
    g_assert_cmpint (t.resized_width, ==, 960);
    lamina_value_clear (&v);
  }
  lamina_tensor_free (in);
}

static void
test_normalise_layouts (void)
{
  g_autoptr(LaminaImage) im = test_image (2, 2);    /* no resize: same size */
  LaminaTensor *nchw = make_input (LAMINA_DTYPE_FLOAT32, 1, 3, 2, 2, 0, 0);
  LaminaTensor *nhwc = make_input (LAMINA_DTYPE_FLOAT32, 1, 2, 2, 3, 0, 0);
  LaminaPreprocessConfig c;
  LaminaValue a = { 0 }, b = { 0 };
  g_autoptr(GError) error = NULL;
  const double mean[3] = { 10, 20, 30 }, std[3] = { 2, 4, 8 };

  lamina_preprocess_config_init (&c);
  c.channels = LAMINA_CHANNELS_BGR;
  memcpy (c.mean, mean, sizeof mean);
  memcpy (c.std, std, sizeof std);
  g_assert_true (lamina_preprocess_image (im, &c, nchw, &a, NULL, &error));
  g_assert_true (lamina_preprocess_image (im, &c, nhwc, &b, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (a.dims[1], ==, 3);
  g_assert_cmpint (b.dims[3], ==, 3);
  for (int y = 0; y < 2; y++)
    for (int x = 0; x < 2; x++)
      for (int ch = 0; ch < 3; ch++)
        {
          /* tensor channel 0 is blue (image channel 2); mean/std in tensor order */
          guint8 p = im->data[y * im->stride + x * 3 + (2 - ch)];
          float want = ((float) p - (float) mean[ch]) / (float) std[ch];
          g_assert_cmpfloat (LAMINA_VALUE_F32 (&a)[(ch * 2 + y) * 2 + x], ==, want);
          g_assert_cmpfloat (LAMINA_VALUE_F32 (&b)[(y * 2 + x) * 3 + ch], ==, want);
        }
  lamina_value_clear (&a);
  lamina_value_clear (&b);

  /* explicit layout wins over the shape heuristic */
  c.layout = LAMINA_DATA_LAYOUT_NHWC;
  g_assert_false (lamina_preprocess_image (im, &c, nchw, &a, NULL, &error));   /* C would be 2 */
  g_assert_error (error, LAMINA_PREPROCESS_ERROR, LAMINA_PREPROCESS_ERROR_INPUT);
  lamina_tensor_free (nchw);
  lamina_tensor_free (nhwc);
}

static void
test_quantized (void)
{
  g_autoptr(LaminaImage) im = test_image (3, 2);
  /* YOLOv5n int8 TFLite: uint8 input, scale 1/255, zero point 0 */
  LaminaTensor *u8 = make_input (LAMINA_DTYPE_UINT8, 1, 2, 3, 3, 0.00392156886f, 0);
  LaminaTensor *s8 = make_input (LAMINA_DTYPE_INT8, 1, 2, 3, 3, 0.00392156886f, -128);
  LaminaTensor *plain = make_input (LAMINA_DTYPE_INT8, 1, 2, 3, 3, 0, 0);
  LaminaPreprocessConfig c;
  LaminaValue a = { 0 }, b = { 0 };
  g_autoptr(GError) error = NULL;

  lamina_preprocess_config_init (&c);
  c.std[0] = c.std[1] = c.std[2] = 255.0;
  g_assert_true (lamina_preprocess_image (im, &c, u8, &a, NULL, &error));
  g_assert_true (lamina_preprocess_image (im, &c, s8, &b, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (a.quant == u8->quant);
  for (int i = 0; i < 18; i++)
    {
      g_assert_cmpint (((guint8 *) a.data)[i], ==, im->data[i]);
      g_assert_cmpint (((gint8 *) b.data)[i], ==, im->data[i] - 128);
    }
  lamina_value_clear (&a);
  lamina_value_clear (&b);
  /* an integer input without quantization cannot take a normalised image */
  g_assert_false (lamina_preprocess_image (im, &c, plain, &a, NULL, &error));
  g_assert_error (error, LAMINA_PREPROCESS_ERROR, LAMINA_PREPROCESS_ERROR_INPUT);
  lamina_tensor_free (u8);
  lamina_tensor_free (s8);
  lamina_tensor_free (plain);
}

static void
test_grey_and_errors (void)
{
  g_autoptr(LaminaImage) im = test_image (2, 1);
  LaminaTensor *grey = make_input (LAMINA_DTYPE_FLOAT32, 1, 1, 1, 2, 0, 0);
  LaminaTensor *five = make_input (LAMINA_DTYPE_FLOAT32, 1, 5, 4, 4, 0, 0);
  LaminaTensor *half = make_input (LAMINA_DTYPE_FLOAT16, 1, 3, 4, 4, 0, 0);
  LaminaTensor *rank3 = lamina_tensor_new ("x");
  LaminaTensor *dynamic = make_input (LAMINA_DTYPE_FLOAT32, 1, 3, -1, -1, 0, 0);
  gint64 d3[3] = { 3, 4, 4 };
  LaminaPreprocessConfig c;
  LaminaValue v = { 0 };
  g_autoptr(GError) error = NULL;

  lamina_preprocess_config_init (&c);
  g_assert_true (lamina_preprocess_image (im, &c, grey, &v, NULL, &error));
  for (int x = 0; x < 2; x++)
    {
      const guint8 *p = im->data + x * 3;
      /* OpenCV's RGB2GRAY fixed point */
      int y = (p[0] * 4899 + p[1] * 9617 + p[2] * 1868 + 8192) >> 14;
      g_assert_cmpfloat (LAMINA_VALUE_F32 (&v)[x], ==, (float) y);
    }
  lamina_value_clear (&v);

  rank3->dtype = LAMINA_DTYPE_FLOAT32;
  lamina_shape_set (&rank3->shape, 3, d3);
  g_assert_false (lamina_preprocess_image (im, &c, rank3, &v, NULL, &error));
  g_assert_error (error, LAMINA_PREPROCESS_ERROR, LAMINA_PREPROCESS_ERROR_INPUT);
  g_clear_error (&error);
  g_assert_false (lamina_preprocess_image (im, &c, five, &v, NULL, &error));
  g_assert_error (error, LAMINA_PREPROCESS_ERROR, LAMINA_PREPROCESS_ERROR_INPUT);
  g_clear_error (&error);
  g_assert_false (lamina_preprocess_image (im, &c, half, &v, NULL, &error));
  g_assert_error (error, LAMINA_PREPROCESS_ERROR, LAMINA_PREPROCESS_ERROR_INPUT);
  g_clear_error (&error);
  g_assert_false (lamina_preprocess_image (im, &c, dynamic, &v, NULL, &error));
  g_assert_error (error, LAMINA_PREPROCESS_ERROR, LAMINA_PREPROCESS_ERROR_CONFIG);
  g_clear_error (&error);
  c.width = 8;
  c.height = 6;    /* a nominal size makes a dynamic input usable */
  g_assert_true (lamina_preprocess_image (im, &c, dynamic, &v, NULL, &error));
  g_assert_cmpint (v.dims[2], ==, 6);
  g_assert_cmpint (v.dims[3], ==, 8);
  lamina_value_clear (&v);
  lamina_tensor_free (grey);
  lamina_tensor_free (five);
  lamina_tensor_free (half);
  lamina_tensor_free (rank3);
  lamina_tensor_free (dynamic);
}

/* bus.jpg through the real pipelines: SHA-256 of the bytes cv2 produces */
static void
test_shared_bus (void)
{
  static const struct { LaminaResizeMode mode; int w, h; const char *sha; } refs[] = {
    { LAMINA_RESIZE_STRETCH, 640, 640, "7937685ca6390cd723cdf5b60e4d4327479351b296d68e0bb16d08d74f44a5b1" },
    { LAMINA_RESIZE_STRETCH, 352, 352, "0fee137815c467cdc1338258fc1757c3b99b18bdd3c44b3e72fba5d06dbc5ce5" },
    { LAMINA_RESIZE_STRETCH, 320, 240, "47fc6633e1f6222134ebba284cf43f6b3c061976bbab3d42e01b07e0635e32d4" },
    { LAMINA_RESIZE_LETTERBOX, 640, 640, "2aaa370ef8f6feb3bfa9df1ad1dd32c9cf0d1b31efa813cfa8b056cd8cde6508" },
  };
  g_autofree char *path = lamina_test_shared_image ("bus.jpg");
  g_autoptr(LaminaImage) im = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    return;
  im = lamina_image_load (path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (refs); i++)
    {
      LaminaPreprocessConfig c;
      LaminaTransform t;
      LaminaValue v;
      g_autofree char *sha = NULL;

      lamina_preprocess_config_init (&c);
      c.resize = refs[i].mode;
      preprocess_bytes (im, &c, refs[i].w, refs[i].h, &v, &t);
      sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, v.data, v.numel);
      g_assert_cmpstr (sha, ==, refs[i].sha);
      lamina_value_clear (&v);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lamina/preprocess/resize-opencv", test_resize_opencv);
  g_test_add_func ("/lamina/preprocess/letterbox-opencv", test_letterbox_opencv);
  g_test_add_func ("/lamina/preprocess/letterbox-geometry", test_letterbox_geometry);
  g_test_add_func ("/lamina/preprocess/box-to-image", test_box_to_image);
  g_test_add_func ("/lamina/preprocess/long-side", test_long_side);
  g_test_add_func ("/lamina/preprocess/fit-height", test_fit_height);
  g_test_add_func ("/lamina/preprocess/normalise-layouts", test_normalise_layouts);
  g_test_add_func ("/lamina/preprocess/quantized", test_quantized);
  g_test_add_func ("/lamina/preprocess/grey-and-errors", test_grey_and_errors);
  g_test_add_func ("/lamina/preprocess/shared-bus", test_shared_bus);
  return g_test_run ();
}
