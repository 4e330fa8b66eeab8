/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Face detectors: UltraFace (boxes decoded in the graph, per-class scores)
 * and MediaPipe BlazeFace (SSD anchors, regressors with keypoints, weighted
 * NMS), following the publishers' reference code.
 */
#define G_LOG_DOMAIN "lamina-decode"

#include <math.h>
#include <glib/gi18n.h>
#include "lamina-decode-private.h"

/* Of two outputs, the one whose last dim is `dim` (boxes: 4, BlazeFace
 * scores: 1); the other one goes to *other. */
static gboolean
pick_outputs (DecodeTensor *outs, guint n, gint64 dim, DecodeTensor **match, DecodeTensor **other)
{
  if (n < 2)
    return FALSE;
  for (guint i = 0; i < 2; i++)
    if (outs[i].dims[outs[i].rank - 1] == dim || (dim == 1 && outs[i].rank == 1))
      {
        *match = &outs[i];
        *other = &outs[1 - i];
        return TRUE;
      }
  return FALSE;
}

static LaminaNmsMethod
nms_method (const LaminaPostprocessConfig *c, LaminaNmsMethod fallback)
{
  return decode_has_key (c, "nms") ? c->nms : fallback;
}

/* ---- UltraFace --------------------------------------------------------- */

/* scores [N,C] (softmax applied) and boxes [N,4] (x0,y0,x1,y1 normalised to
 * the input). Each class from class_offset on with probability above the
 * threshold gives a box; hard NMS per class, as the reference predict(). */
gboolean
decode_ultraface (const LaminaPostprocessConfig *c, DecodeTensor *outs, guint n,
                  const LaminaTransform *tf, LaminaDetections *dets, GError **error)
{
  DecodeTensor *boxes = NULL, *scores = NULL;
  gint64 n_box, nc;
  int in_w = 1, in_h = 1;
  gboolean normalized = decode_has_key (c, "boxes_normalized") ? c->boxes_normalized : TRUE;

  if (!pick_outputs (outs, n, 4, &boxes, &scores) || !decode_tensor_view (boxes, 2))
    return decode_shape_error (error, "ultraface", n ? &outs[0] : NULL, "scores [1,N,C] + boxes [1,N,4]");
  n_box = boxes->dims[0];
  nc = scores->dims[scores->rank - 1];
  if (!decode_tensor_view (scores, 2) || scores->dims[0] != n_box || nc <= c->class_offset || c->class_offset < 0)
    return decode_shape_error (error, "ultraface", scores, "[1,N,C] beside boxes [1,N,4]");
  if (normalized && !decode_input_size (c, tf, &in_w, &in_h, error))
    return FALSE;

  for (gint64 i = 0; i < n_box; i++)
    for (gint64 k = c->class_offset; k < nc; k++)
      {
        float p = scores->data[i * nc + k];
        const float *b = boxes->data + i * 4;

        if (p > c->conf_threshold)
          decode_add_box (dets, tf, FALSE, (int) k, p,
                          b[0] * in_w, b[1] * in_h, b[2] * in_w, b[3] * in_h);
      }
  decode_finish (dets, c, nms_method (c, LAMINA_NMS_HARD), TRUE);
  return TRUE;
}

/* ---- BlazeFace: MediaPipe SsdAnchorsCalculator ------------------------- */

static float
anchor_scale (const LaminaPostprocessConfig *c, int index, int n)
{
  if (n == 1)
    return (c->min_scale + c->max_scale) * 0.5f;
  return c->min_scale + (c->max_scale - c->min_scale) * 1.0 * index / (n - 1.0f);
}

/* Anchor sizes of the layers sharing the stride of layer `first`; returns
 * the layer after them. */
static int
layer_anchor_sizes (const LaminaPostprocessConfig *c, int first, int n_layers, GArray *sizes)
{
  g_autoptr (GArray) ratios = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr (GArray) scales = g_array_new (FALSE, FALSE, sizeof (float));
  int last = first;

  for (; last < n_layers && c->strides[last] == c->strides[first]; last++)
    {
      float scale = anchor_scale (c, last, n_layers);

      if (last == 0 && c->reduce_boxes_in_lowest_layer)
        {
          float r[3] = { 1.0f, 2.0f, 0.5f }, s[3] = { 0.1f, scale, scale };

          g_array_append_vals (ratios, r, 3);
          g_array_append_vals (scales, s, 3);
          continue;
        }
      for (guint a = 0; a < c->n_aspect_ratios; a++)
        {
          g_array_append_val (ratios, c->aspect_ratios[a]);
          g_array_append_val (scales, scale);
        }
      if (c->interpolated_scale_aspect_ratio > 0.0)
        {
          float next = last == n_layers - 1 ? 1.0f : anchor_scale (c, last + 1, n_layers);
          float s = sqrtf (scale * next), r = c->interpolated_scale_aspect_ratio;

          g_array_append_val (scales, s);
          g_array_append_val (ratios, r);
        }
    }
  for (guint i = 0; i < ratios->len; i++)
    {
      float sq = sqrtf (g_array_index (ratios, float, i));
      float wh[2] = { g_array_index (scales, float, i) * sq, g_array_index (scales, float, i) / sq };

      g_array_append_vals (sizes, wh, 2);
    }
  return last;
}

static gboolean
check_anchor_options (const LaminaPostprocessConfig *c, int n_layers, int in_w, int in_h, GError **error)
{
  if (n_layers < 1 || (guint) n_layers != c->n_strides)
    return decode_config_error (error, "blazeface", _("num_layers must equal the number of strides"));
  if (in_w < 1 || in_h < 1)
    return decode_config_error (error, "blazeface", _("the model input size is unknown (set input_size)"));
  for (int l = 0; l < n_layers; l++)
    if (c->strides[l] < 1)
      return decode_config_error (error, "blazeface", _("every stride needs a positive value and anchors"));
  return TRUE;
}

/* Counted before anything is allocated: an odd preset (16384x16384 at
 * stride 1) would otherwise build gigabytes of anchors. */
guint64
lamina_decode_ssd_anchor_count (const LaminaPostprocessConfig *c, int input_w, int input_h)
{
  int n_layers = c->num_layers > 0 ? c->num_layers : (int) c->n_strides;
  int in_w = c->input_width > 0 ? c->input_width : input_w;
  int in_h = c->input_height > 0 ? c->input_height : input_h;
  guint64 total = 0;

  if (!check_anchor_options (c, n_layers, in_w, in_h, NULL))
    return 0;
  for (int layer = 0; layer < n_layers;)
    {
      g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (float));
      int next = layer_anchor_sizes (c, layer, n_layers, sizes);
      guint64 fh = (guint64) ceilf (1.0f * in_h / c->strides[layer]);
      guint64 fw = (guint64) ceilf (1.0f * in_w / c->strides[layer]);

      total += fh * fw * (sizes->len / 2);
      layer = next;
    }
  return total;
}

float *
lamina_decode_ssd_anchors (const LaminaPostprocessConfig *c, int input_w, int input_h,
                           guint *n_anchors, GError **error)
{
  g_autoptr (GArray) anchors = g_array_new (FALSE, FALSE, sizeof (float));
  int n_layers = c->num_layers > 0 ? c->num_layers : (int) c->n_strides;
  int in_w = c->input_width > 0 ? c->input_width : input_w;
  int in_h = c->input_height > 0 ? c->input_height : input_h;
  guint64 count;

  *n_anchors = 0;
  if (!check_anchor_options (c, n_layers, in_w, in_h, error))
    return NULL;
  count = lamina_decode_ssd_anchor_count (c, input_w, input_h);
  if (count > LAMINA_DECODE_MAX_ANCHORS)
    {
      g_autofree char *n = g_strdup_printf ("%" G_GUINT64_FORMAT, count);
      g_autofree char *msg = g_strdup_printf (_("input_size and strides give %s anchors, more than %d"),
                                              n, LAMINA_DECODE_MAX_ANCHORS);
      decode_config_error (error, "blazeface", msg);
      return NULL;
    }
  for (int layer = 0; layer < n_layers;)
    {
      g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (float));
      int next = layer_anchor_sizes (c, layer, n_layers, sizes);
      int fh = (int) ceilf (1.0f * in_h / c->strides[layer]);
      int fw = (int) ceilf (1.0f * in_w / c->strides[layer]);

      for (int y = 0; y < fh; y++)
        for (int x = 0; x < fw; x++)
          for (guint a = 0; a < sizes->len / 2; a++)
            {
              float anchor[4] = {
                (x + c->anchor_offset_x) * 1.0f / fw,
                (y + c->anchor_offset_y) * 1.0f / fh,
                c->fixed_anchor_size ? 1.0f : g_array_index (sizes, float, 2 * a),
                c->fixed_anchor_size ? 1.0f : g_array_index (sizes, float, 2 * a + 1),
              };

              g_array_append_vals (anchors, anchor, 4);
            }
      layer = next;
    }
  *n_anchors = anchors->len / 4;
  if (*n_anchors == 0)
    {
      decode_config_error (error, "blazeface", _("the anchor options give no anchors (set aspect_ratios)"));
      return NULL;
    }
  return (float *) g_array_free (g_steal_pointer (&anchors), FALSE);
}

/* ---- BlazeFace: TensorsToDetectionsCalculator -------------------------- */

typedef struct {
  double x, y, w, h;   /* scales dividing the raw regressors */
  int    in_w, in_h;
} BoxScale;

static void
add_blazeface (LaminaDetections *dets, const LaminaPostprocessConfig *c, const LaminaTransform *tf,
               const BoxScale *bs, const float *raw, const float *anchor, float score)
{
  double cx = raw[0] / bs->x * anchor[2] + anchor[0];
  double cy = raw[1] / bs->y * anchor[3] + anchor[1];
  double w = raw[2] / bs->w * anchor[2], h = raw[3] / bs->h * anchor[3];
  LaminaDetection *d = decode_add_box (dets, tf, FALSE, 0, score,
                                       (cx - w / 2) * bs->in_w, (cy - h / 2) * bs->in_h,
                                       (cx + w / 2) * bs->in_w, (cy + h / 2) * bs->in_h);

  if (d == NULL || c->num_keypoints < 1)
    return;
  d->n_keypoints = c->num_keypoints;
  d->keypoints = g_new (LaminaPoint, d->n_keypoints);
  for (int k = 0; k < c->num_keypoints; k++)
    {
      const float *kp = raw + 4 + k * MAX (c->keypoint_values, 2);

      d->keypoints[k] = decode_map_point (tf, (kp[0] / bs->x * anchor[2] + anchor[0]) * bs->in_w,
                                          (kp[1] / bs->y * anchor[3] + anchor[1]) * bs->in_h);
    }
}

static float
blazeface_score (const LaminaPostprocessConfig *c, float raw)
{
  if (c->score_clip > 0)
    raw = CLAMP (raw, -c->score_clip, c->score_clip);
  return c->sigmoid_score ? decode_sigmoid (raw) : raw;
}

gboolean
decode_blazeface (const LaminaPostprocessConfig *c, DecodeTensor *outs, guint n,
                  const LaminaTransform *tf, LaminaDetections *dets, GError **error)
{
  DecodeTensor *scores = NULL, *regs = NULL;
  g_autofree float *anchors = NULL;
  guint n_anchors;
  gint64 cols;
  BoxScale bs;

  if (!pick_outputs (outs, n, 1, &scores, &regs) || !decode_tensor_view (regs, 2))
    return decode_shape_error (error, "blazeface", n ? &outs[0] : NULL, "regressors [1,N,4+2K] + scores [1,N,1]");
  cols = regs->dims[1];
  if (cols < 4 + (gint64) MAX (c->num_keypoints, 0) * MAX (c->keypoint_values, 2))
    return decode_shape_error (error, "blazeface", regs, "[1,N,4+2K]");
  if (!decode_input_size (c, tf, &bs.in_w, &bs.in_h, error))
    return FALSE;
  anchors = lamina_decode_ssd_anchors (c, bs.in_w, bs.in_h, &n_anchors, error);
  if (anchors == NULL)
    return FALSE;
  if (regs->dims[0] != n_anchors || scores->numel != n_anchors)
    {
      g_autofree char *msg = g_strdup_printf (_("the anchor options give %u anchors, the model has %d"),
                                              n_anchors, (int) MIN (regs->dims[0], G_MAXINT));
      return decode_config_error (error, "blazeface", msg);
    }
  /* MediaPipe's scales default to the input size (128 short range, 192 full). */
  bs.x = c->x_scale > 0 ? c->x_scale : bs.in_w;
  bs.y = c->y_scale > 0 ? c->y_scale : bs.in_h;
  bs.w = c->w_scale > 0 ? c->w_scale : bs.in_w;
  bs.h = c->h_scale > 0 ? c->h_scale : bs.in_h;

  for (guint i = 0; i < n_anchors; i++)
    {
      float score = blazeface_score (c, scores->data[i]);

      if (score >= c->conf_threshold)   /* NaN fails */
        add_blazeface (dets, c, tf, &bs, regs->data + i * cols, anchors + 4 * i, score);
    }
  decode_finish (dets, c, nms_method (c, LAMINA_NMS_WEIGHTED), FALSE);
  return TRUE;
}
