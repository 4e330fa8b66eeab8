/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-preprocess.c: image → model input tensor.
 *
 * The resize reproduces cv::resize(INTER_LINEAR) on 8-bit images as OpenCV
 * 4.x computes it, because the reference pipelines of the shipped models
 * (YOLOv5, Yolo-FastestV2, UltraFace, PaddleOCR) all resize with it:
 *   - source coordinate of a destination pixel: (d + 0.5) * scale - 0.5 in
 *     float, scale = 1 / (dst / src) in double; floor gives the first tap;
 *   - weights (1 - f, f) as 11-bit fixed point (rounded to nearest even);
 *     horizontally a tap left of the image or at/after its last column is
 *     clamped (weight one on the border pixel); vertically only the row
 *     index is clamped, the weights stay;
 *   - horizontal pass in exact integers (sum of weight x pixel);
 *   - vertical pass in OpenCV 4's 16-bit form for 8-bit images (its SIMD
 *     loop and its scalar tail use the same one):
 *     ((h0 >> 4) * b0 >> 16) + ((h1 >> 4) * b1 >> 16), then (+2) >> 2.
 *     It is not the exact (h0 * b0 + h1 * b1 + 2^21) >> 22; the two differ
 *     by one on some pixels.
 * tests/gen-resize-reference.py models this independently and checks it
 * against cv2.resize.
 */
#define G_LOG_DOMAIN "lamina-preprocess"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-preprocess.h"

G_DEFINE_QUARK (lamina-preprocess-error-quark, lamina_preprocess_error)

#define COEF_BITS 11
#define COEF_ONE (1 << COEF_BITS)

void
lamina_preprocess_config_init (LaminaPreprocessConfig *c)
{
  memset (c, 0, sizeof *c);
  c->channels = LAMINA_CHANNELS_RGB;
  for (int i = 0; i < 3; i++)
    {
      c->mean[i] = 0.0;
      c->std[i] = 1.0;
      c->pad[i] = 114;
    }
  c->resize = LAMINA_RESIZE_STRETCH;
  c->layout = LAMINA_DATA_LAYOUT_AUTO;
}

/* ---- OpenCV-exact bilinear resize ---------------------------------------- */

typedef struct {
  int   ofs;        /* left/top source index */
  int   ofs1;       /* right/bottom source index (clamped) */
  short w0, w1;     /* fixed-point weights */
} Tap;

/* One axis of cv::resize's coefficient tables. clamp_weights: the
 * horizontal rule (border taps get weight one); vertical keeps weights. */
static void
compute_taps (int src, int dst, gboolean clamp_weights, Tap *taps)
{
  double scale = 1.0 / ((double) dst / src);

  for (int d = 0; d < dst; d++)
    {
      float f = (float) ((d + 0.5) * scale - 0.5);
      int s = (int) floorf (f);

      f -= (float) s;
      if (clamp_weights && s < 0)
        f = 0, s = 0;
      if (clamp_weights && s >= src - 1)
        f = 0, s = src - 1;
      taps[d].w0 = (short) lrintf ((1.f - f) * COEF_ONE);
      taps[d].w1 = (short) lrintf (f * COEF_ONE);
      taps[d].ofs = CLAMP (s, 0, src - 1);
      taps[d].ofs1 = CLAMP (s + 1, 0, src - 1);
    }
}

/* Horizontal pass of one source row into dst_w * 3 integer sums. */
static void
resize_row_h (const guint8 *row, int src_w, const Tap *xt, int dst_w, int *out)
{
  for (int dx = 0; dx < dst_w; dx++)
    {
      const guint8 *p0 = row + 3 * xt[dx].ofs;
      const guint8 *p1 = row + 3 * xt[dx].ofs1;
      gboolean border = xt[dx].ofs + 1 >= src_w;

      for (int c = 0; c < 3; c++)
        out[3 * dx + c] = border ? p0[c] * COEF_ONE : p0[c] * xt[dx].w0 + p1[c] * xt[dx].w1;
    }
}

/* OpenCV 4's vertical step for 8-bit images (VResizeLinear<uchar, ...>). */
static inline guint8
vresize (int h0, int h1, short b0, short b1)
{
  int t = ((((h0 >> 4) * b0) >> 16) + (((h1 >> 4) * b1) >> 16) + 2) >> 2;
  return (guint8) CLAMP (t, 0, 255);
}

LaminaImage *
lamina_image_resize_linear (const LaminaImage *src, int width, int height, GError **error)
{
  g_autoptr(LaminaImage) dst = lamina_image_new (width, height, error);
  g_autofree Tap *xt = NULL, *yt = NULL;
  g_autofree int *h0 = NULL, *h1 = NULL;
  int row_len, cached0 = -1, cached1 = -1;

  if (dst == NULL)
    return NULL;
  if (width == src->width && height == src->height)
    {
      for (int y = 0; y < height; y++)
        memcpy (dst->data + y * dst->stride, src->data + y * src->stride, (gsize) width * 3);
      return g_steal_pointer (&dst);
    }
  xt = g_new (Tap, width);
  yt = g_new (Tap, height);
  compute_taps (src->width, width, TRUE, xt);
  compute_taps (src->height, height, FALSE, yt);
  row_len = width * 3;
  h0 = g_new (int, row_len);
  h1 = g_new (int, row_len);
  for (int dy = 0; dy < height; dy++)
    {
      guint8 *out = dst->data + dy * dst->stride;
      short b0 = yt[dy].w0, b1 = yt[dy].w1;

      /* horizontal sums of the two source rows, reused across output rows */
      if (cached0 != yt[dy].ofs)
        {
          if (cached1 == yt[dy].ofs)
            memcpy (h0, h1, row_len * sizeof (int));
          else
            resize_row_h (src->data + yt[dy].ofs * src->stride, src->width, xt, width, h0);
          cached0 = yt[dy].ofs;
          cached1 = -1;
        }
      if (cached1 != yt[dy].ofs1)
        {
          resize_row_h (src->data + yt[dy].ofs1 * src->stride, src->width, xt, width, h1);
          cached1 = yt[dy].ofs1;
        }
      for (int x = 0; x < row_len; x++)
        out[x] = vresize (h0[x], h1[x], b0, b1);
    }
  return g_steal_pointer (&dst);
}

/* ---- geometry ------------------------------------------------------------ */

/* Ultralytics' letterbox: scale = min(W/w, H/h), new size round() (Python's
 * round: ties to even, as nearbyint), padding split with the -0.1/+0.1
 * rounding; results map back with the unrounded padding (scale_boxes). */
static void
plan_letterbox (LaminaTransform *t)
{
  double r = MIN ((double) t->dst_width / t->src_width, (double) t->dst_height / t->src_height);
  double dw, dh;

  t->resized_width = CLAMP ((int) nearbyint (t->src_width * r), 1, t->dst_width);
  t->resized_height = CLAMP ((int) nearbyint (t->src_height * r), 1, t->dst_height);
  dw = (t->dst_width - t->resized_width) / 2.0;
  dh = (t->dst_height - t->resized_height) / 2.0;
  t->pad_left = (int) nearbyint (dw - 0.1);
  t->pad_top = (int) nearbyint (dh - 0.1);
  t->scale_x = t->scale_y = r;
  t->offset_x = (t->dst_width - t->src_width * r) / 2.0;
  t->offset_y = (t->dst_height - t->src_height * r) / 2.0;
}

/* PaddleOCR DetResizeForTest (limit_type "max"): the long side at most
 * max_side, each side int() then rounded to a multiple (at least one). */
static void
plan_long_side (LaminaTransform *t, int max_side, int multiple)
{
  int w = t->src_width, h = t->src_height;
  double ratio = 1.0;
  int rw, rh;

  if (max_side > 0 && MAX (w, h) > max_side)
    ratio = (double) max_side / (h > w ? h : w);
  rh = (int) (h * ratio);
  rw = (int) (w * ratio);
  if (multiple > 0)
    {
      rh = MAX ((int) nearbyint ((double) rh / multiple) * multiple, multiple);
      rw = MAX ((int) nearbyint ((double) rw / multiple) * multiple, multiple);
    }
  t->dst_width = t->resized_width = MAX (rw, 1);
  t->dst_height = t->resized_height = MAX (rh, 1);
}

/* PaddleOCR resize_norm_img: height fixed, width ceil(H * w / h) up to the
 * input width, padded on the right. A dynamic input width grows to
 * int(H * w / h) when the text line is longer than the nominal width. */
static void
plan_fit_height (LaminaTransform *t, int nominal_w, gboolean dynamic_w)
{
  double ratio = (double) t->src_width / t->src_height;
  int want = (int) ceil (t->dst_height * ratio);

  if (dynamic_w)
    t->dst_width = MAX (nominal_w, (int) (t->dst_height * ratio));
  t->resized_width = CLAMP (want, 1, t->dst_width);
  t->resized_height = t->dst_height;
}

gboolean
lamina_preprocess_plan (const LaminaPreprocessConfig *c, int image_w, int image_h,
                        int model_w, int model_h, LaminaTransform *t, GError **error)
{
  int w = c->width > 0 ? c->width : model_w;
  int h = c->height > 0 ? c->height : model_h;

  memset (t, 0, sizeof *t);
  t->src_width = image_w;
  t->src_height = image_h;
  /* the model's own fixed size wins over the preset's nominal size */
  if (model_w > 0)
    w = model_w;
  if (model_h > 0)
    h = model_h;
  if (c->resize == LAMINA_RESIZE_LONG_SIDE)
    plan_long_side (t, c->max_side, c->multiple);
  else if (h <= 0 || (w <= 0 && c->resize != LAMINA_RESIZE_FIT_HEIGHT))
    {
      g_set_error (error, LAMINA_PREPROCESS_ERROR, LAMINA_PREPROCESS_ERROR_CONFIG,
                   _("The model input has no fixed size; set size=WxH in the preset’s [RESIZE] group"));
      return FALSE;
    }
  else
    {
      t->dst_width = w;
      t->dst_height = h;
      if (c->resize == LAMINA_RESIZE_LETTERBOX)
        plan_letterbox (t);
      else if (c->resize == LAMINA_RESIZE_FIT_HEIGHT)
        plan_fit_height (t, MAX (w, c->width), model_w <= 0);
      else
        {
          t->resized_width = w;
          t->resized_height = h;
        }
    }
  if (c->resize != LAMINA_RESIZE_LETTERBOX)
    {
      t->scale_x = (double) t->resized_width / image_w;
      t->scale_y = (double) t->resized_height / image_h;
    }
  if (t->dst_width > LAMINA_IMAGE_MAX_SIDE || t->dst_height > LAMINA_IMAGE_MAX_SIDE)
    {
      g_set_error (error, LAMINA_PREPROCESS_ERROR, LAMINA_PREPROCESS_ERROR_CONFIG,
                   _("The model input would be %d×%d pixels, which is too large"),
                   t->dst_width, t->dst_height);
      return FALSE;
    }
  return TRUE;
}

void
lamina_transform_to_image (const LaminaTransform *t, double mx, double my, double *ix, double *iy)
{
  *ix = (mx - t->offset_x) / t->scale_x;
  *iy = (my - t->offset_y) / t->scale_y;
}

void
lamina_transform_to_model (const LaminaTransform *t, double ix, double iy, double *mx, double *my)
{
  *mx = ix * t->scale_x + t->offset_x;
  *my = iy * t->scale_y + t->offset_y;
}

void
lamina_transform_box_to_image (const LaminaTransform *t, float box[4])
{
  double x0, y0, x1, y1;

  lamina_transform_to_image (t, box[0], box[1], &x0, &y0);
  lamina_transform_to_image (t, box[2], box[3], &x1, &y1);
  box[0] = CLAMP (x0, 0.0, (double) t->src_width);
  box[1] = CLAMP (y0, 0.0, (double) t->src_height);
  box[2] = CLAMP (x1, 0.0, (double) t->src_width);
  box[3] = CLAMP (y1, 0.0, (double) t->src_height);
}

/* ---- tensor -------------------------------------------------------------- */

typedef struct {
  int          n_channels;     /* 1 or 3 */
  int          order[3];       /* tensor channel c takes image channel order[c] */
  float        mean[3], std[3];
  float        pad[3];         /* normalised pad value per tensor channel */
  gboolean     nchw;
  LaminaDType  dtype;
  float        qscale;         /* quantized inputs */
  int          qzero, qmin, qmax;
} Writer;

static gboolean
input_geometry (const LaminaTensor *input, const LaminaPreprocessConfig *c,
                gboolean *nchw, int *channels, int *w, int *h, GError **error)
{
  const LaminaDim *d = input->shape.dims;

  if (input->shape.rank != 4)
    {
      g_set_error (error, LAMINA_PREPROCESS_ERROR, LAMINA_PREPROCESS_ERROR_INPUT,
                   _("Input “%s” is not an image tensor (rank %d, expected 4)"),
                   input->name, input->shape.rank);
      return FALSE;
    }
  if (c->layout == LAMINA_DATA_LAYOUT_AUTO)
    *nchw = d[1].value == 1 || d[1].value == 3 || !(d[3].value == 1 || d[3].value == 3);
  else
    *nchw = c->layout == LAMINA_DATA_LAYOUT_NCHW;
  *channels = (int) (*nchw ? d[1].value : d[3].value);
  *h = (int) (*nchw ? d[2].value : d[1].value);
  *w = (int) (*nchw ? d[3].value : d[2].value);
  if (*channels != 1 && *channels != 3)
    {
      g_set_error (error, LAMINA_PREPROCESS_ERROR, LAMINA_PREPROCESS_ERROR_INPUT,
                   _("Input “%s” has %d channels; only 1 or 3 can be filled from an image"),
                   input->name, *channels);
      return FALSE;
    }
  return TRUE;
}

static gboolean
writer_init (Writer *wr, const LaminaPreprocessConfig *c, const LaminaTensor *input,
             int channels, gboolean nchw, GError **error)
{
  memset (wr, 0, sizeof *wr);
  wr->n_channels = channels;
  wr->nchw = nchw;
  wr->dtype = input->dtype;
  for (int i = 0; i < 3; i++)
    {
      wr->order[i] = c->channels == LAMINA_CHANNELS_BGR ? 2 - i : i;
      wr->mean[i] = (float) c->mean[i];
      wr->std[i] = c->std[i] != 0.0 ? (float) c->std[i] : 1.f;
    }
  for (int i = 0; i < 3; i++)
    wr->pad[i] = c->pad_is_value ? (float) c->pad_value
               : ((float) c->pad[wr->order[i]] - wr->mean[i]) / wr->std[i];
  if (wr->dtype == LAMINA_DTYPE_FLOAT32)
    return TRUE;
  if ((wr->dtype == LAMINA_DTYPE_UINT8 || wr->dtype == LAMINA_DTYPE_INT8)
      && input->quant != NULL && input->quant->n >= 1 && input->quant->scale[0] > 0.f)
    {
      wr->qscale = input->quant->scale[0];
      wr->qzero = (int) input->quant->zero_point[0];
      wr->qmin = wr->dtype == LAMINA_DTYPE_UINT8 ? 0 : -128;
      wr->qmax = wr->dtype == LAMINA_DTYPE_UINT8 ? 255 : 127;
      return TRUE;
    }
  g_set_error (error, LAMINA_PREPROCESS_ERROR, LAMINA_PREPROCESS_ERROR_INPUT,
               _("Input “%s” has type %s; images can fill float32 inputs and quantized uint8/int8 inputs"),
               input->name, lamina_dtype_name (input->dtype));
  return FALSE;
}

/* Stores normalised value v at element index i, quantizing for fixed inputs
 * (round half away from zero, as TFLite's Quantize). */
static inline void
writer_store (const Writer *wr, void *data, gsize i, float v)
{
  int q;

  if (wr->dtype == LAMINA_DTYPE_FLOAT32)
    {
      ((float *) data)[i] = v;
      return;
    }
  q = (int) CLAMP (roundf (v / wr->qscale) + wr->qzero, wr->qmin, wr->qmax);
  if (wr->dtype == LAMINA_DTYPE_UINT8)
    ((guint8 *) data)[i] = (guint8) q;
  else
    ((gint8 *) data)[i] = (gint8) q;
}

static inline gsize
element_index (const Writer *wr, int W, int H, int x, int y, int c)
{
  return wr->nchw ? ((gsize) c * H + y) * W + x : ((gsize) y * W + x) * wr->n_channels + c;
}

/* OpenCV's COLOR_RGB2GRAY on 8-bit: fixed point with 14 bits. */
static inline float
grey_of (const guint8 *p)
{
  return (float) ((p[0] * 4899 + p[1] * 9617 + p[2] * 1868 + (1 << 13)) >> 14);
}

static void
fill_tensor (const Writer *wr, const LaminaImage *resized, const LaminaTransform *t, void *data)
{
  int W = t->dst_width, H = t->dst_height;

  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        int rx = x - t->pad_left, ry = y - t->pad_top;
        gboolean inside = rx >= 0 && ry >= 0 && rx < resized->width && ry < resized->height;
        const guint8 *p = inside ? resized->data + ry * resized->stride + rx * 3 : NULL;

        for (int c = 0; c < wr->n_channels; c++)
          {
            float v;
            if (!inside)
              v = wr->pad[c];
            else
              {
                float pix = wr->n_channels == 1 ? grey_of (p) : (float) p[wr->order[c]];
                v = (pix - wr->mean[c]) / wr->std[c];
              }
            writer_store (wr, data, element_index (wr, W, H, x, y, c), v);
          }
      }
}

gboolean
lamina_preprocess_image (const LaminaImage *image, const LaminaPreprocessConfig *config,
                         const LaminaTensor *input, LaminaValue *out,
                         LaminaTransform *transform, GError **error)
{
  g_autoptr(LaminaImage) resized = NULL;
  LaminaTransform t;
  Writer wr;
  gboolean nchw;
  int channels, mw, mh;
  gint64 dims[4];

  if (!input_geometry (input, config, &nchw, &channels, &mw, &mh, error)
      || !writer_init (&wr, config, input, channels, nchw, error)
      || !lamina_preprocess_plan (config, image->width, image->height, mw, mh, &t, error))
    return FALSE;
  resized = lamina_image_resize_linear (image, t.resized_width, t.resized_height, error);
  if (resized == NULL)
    return FALSE;
  dims[0] = 1;
  dims[1] = nchw ? channels : t.dst_height;
  dims[2] = nchw ? t.dst_height : t.dst_width;
  dims[3] = nchw ? t.dst_width : channels;
  lamina_value_clear (out);
  if (!lamina_value_set_shape (out, input->dtype, 4, dims, error) || !lamina_value_alloc (out, error))
    return FALSE;
  out->quant = input->quant;
  fill_tensor (&wr, resized, &t, out->data);
  if (transform != NULL)
    *transform = t;
  return TRUE;
}
