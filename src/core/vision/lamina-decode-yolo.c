/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * YOLO-family decoders: YOLOv5 (the decoded [1,N,5+C] output of exported
 * models and the three raw heads of the SigmaStar/RKNN walkthrough) and
 * Yolo-FastestV2 ([cells, 3*4 + 3 + C], sigmoid/softmax already applied).
 * Score = objectness x best class score, class-aware hard NMS (Ultralytics'
 * non_max_suppression with multi_label off).
 */
#define G_LOG_DOMAIN "lamina-decode"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-decode-private.h"

/* The box of a YOLO cell in model-input pixels, from the walkthrough:
 * xy = (t*2 - 0.5 + grid) * stride, wh = (t*2)^2 * anchor, where t is
 * already sigmoid-activated. */
static void
add_cell_box (LaminaDetections *dets, const LaminaTransform *tf, int class_id, float score,
              const float t[4], int gx, int gy, int stride, const float anchor[2])
{
  double cx = (t[0] * 2.0 - 0.5 + gx) * stride;
  double cy = (t[1] * 2.0 - 0.5 + gy) * stride;
  double w = (t[2] * 2.0) * (t[2] * 2.0) * anchor[0];
  double h = (t[3] * 2.0) * (t[3] * 2.0) * anchor[1];

  decode_add_box (dets, tf, TRUE, class_id, score, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
}

static gboolean
check_classes (const LaminaPostprocessConfig *c, const char *name, const DecodeTensor *o,
               gint64 nc, const char *expected, GError **error)
{
  if (nc < 1)
    return decode_shape_error (error, name, o, expected);
  if (c->num_classes > 0 && c->num_classes != nc)
    {
      g_autofree char *msg = g_strdup_printf (_("the preset says %u classes, the output has %d"),
                                              c->num_classes, (int) MIN (nc, G_MAXINT));
      return decode_config_error (error, name, msg);
    }
  return TRUE;
}

/* ---- YOLOv5, decoded form ---------------------------------------------- */

/* Exported models give cx,cy,w,h either in input pixels (ONNX export) or
 * normalised to 0..1 (TFLite export). Unless the preset says which, boxes
 * whose coordinates all stay below 2 are taken as normalised: a box in
 * pixels that small would be a speck in the image corner. */
static gboolean
boxes_normalized (const LaminaPostprocessConfig *c, const float *data, gint64 cols,
                  const GArray *rows)
{
  float max_coord = 0;

  if (decode_has_key (c, "boxes_normalized"))
    return c->boxes_normalized;
  for (guint i = 0; i < rows->len; i++)
    {
      const float *r = data + g_array_index (rows, gint64, i) * cols;

      for (int k = 0; k < 4; k++)
        if (isfinite (r[k]))
          max_coord = MAX (max_coord, fabsf (r[k]));
    }
  return max_coord < 2.0f;
}

static gboolean
yolov5_decoded (const LaminaPostprocessConfig *c, DecodeTensor *o, const LaminaTransform *tf,
                LaminaDetections *dets, GError **error)
{
  const char *expected = "[1,N,5+C]";
  g_autoptr (GArray) rows = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 n_rows, cols;
  int in_w = 1, in_h = 1;

  if (!decode_tensor_view (o, 2))
    return decode_shape_error (error, "yolov5", o, expected);
  n_rows = o->dims[0];
  cols = o->dims[1];
  if (!check_classes (c, "yolov5", o, cols - 5, expected, error))
    return FALSE;
  for (gint64 r = 0; r < n_rows; r++)
    {
      const float *row = o->data + r * cols;

      if (row[4] > c->obj_threshold)   /* NaN objectness fails too */
        g_array_append_val (rows, r);
    }
  if (boxes_normalized (c, o->data, cols, rows) && !decode_input_size (c, tf, &in_w, &in_h, error))
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      const float *row = o->data + g_array_index (rows, gint64, i) * cols;
      int cls = decode_argmax (row + 5, cols - 5);
      float score = cls >= 0 ? row[4] * row[5 + cls] : NAN;
      double cx = row[0] * in_w, cy = row[1] * in_h, w = row[2] * in_w, h = row[3] * in_h;

      if (score > c->conf_threshold)
        decode_add_box (dets, tf, TRUE, cls, score, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
    }
  return TRUE;
}

/* ---- YOLOv5, three raw heads ------------------------------------------- */

typedef enum { HEAD_CHW, HEAD_HWC, HEAD_AHWK } HeadLayout;

typedef struct {
  const DecodeTensor *t;
  HeadLayout layout;
  int        h, w;
  int        stride_index;
  gint64     nc;
} Head;

/* Recognises [A*(5+C),H,W] (NCHW), [H,W,A*(5+C)] (NHWC, SigmaStar's
 * output_layouts) and [A,H,W,5+C] (Ultralytics' 5-D head), leading 1s
 * removed. The grid must be the input size over one configured stride. */
static gboolean
match_head (const LaminaPostprocessConfig *c, const DecodeTensor *o, int in_w, int in_h, Head *head)
{
  for (guint s = 0; s < c->n_strides; s++)
    {
      gint64 a = c->anchors_per_stride[s], stride = c->strides[s];
      struct { HeadLayout layout; gint64 ch, h, w; } forms[] = {
        { HEAD_CHW, o->dims[0], o->dims[1], o->dims[2] },
        { HEAD_HWC, o->dims[2], o->dims[0], o->dims[1] },
      };

      if (a < 1 || stride < 1)
        continue;
      if (o->rank == 4 && o->dims[0] == a && o->dims[1] * stride == in_h && o->dims[2] * stride == in_w)
        {
          *head = (Head) { o, HEAD_AHWK, o->dims[1], o->dims[2], s, o->dims[3] - 5 };
          return head->nc >= 1;
        }
      for (guint f = 0; o->rank == 3 && f < G_N_ELEMENTS (forms); f++)
        if (forms[f].ch % a == 0 && forms[f].ch / a >= 6
            && forms[f].h * stride == in_h && forms[f].w * stride == in_w)
          {
            *head = (Head) { o, forms[f].layout, forms[f].h, forms[f].w, s, forms[f].ch / a - 5 };
            return TRUE;
          }
    }
  return FALSE;
}

/* Index of value k of anchor a in cell (y,x) is base + k * step. */
static void
head_index (const Head *hd, int a, int y, int x, gint64 *base, gint64 *step)
{
  gint64 k_all = hd->nc + 5, hw = (gint64) hd->h * hd->w;

  switch (hd->layout)
    {
    case HEAD_CHW:  *base = a * k_all * hw + (gint64) y * hd->w + x; *step = hw; break;
    case HEAD_HWC:  *base = ((gint64) y * hd->w + x) * hd->t->dims[2] + a * k_all; *step = 1; break;
    case HEAD_AHWK: *base = (a * hw + (gint64) y * hd->w + x) * k_all; *step = 1; break;
    default:        *base = 0; *step = 1; break;
    }
}

static void
decode_head (const LaminaPostprocessConfig *c, const Head *hd, const float *anchors,
             const LaminaTransform *tf, LaminaDetections *dets)
{
  int n_anchor = c->anchors_per_stride[hd->stride_index];
  int stride = c->strides[hd->stride_index];
  g_autofree float *logits = g_new (float, hd->nc);

  for (int a = 0; a < n_anchor; a++)
    for (int y = 0; y < hd->h; y++)
      for (int x = 0; x < hd->w; x++)
        {
          gint64 base, step;
          float obj, t[4], score;
          int cls;

          head_index (hd, a, y, x, &base, &step);
          obj = decode_sigmoid (hd->t->data[base + 4 * step]);
          if (!(obj > c->obj_threshold))
            continue;
          for (gint64 k = 0; k < hd->nc; k++)
            logits[k] = hd->t->data[base + (5 + k) * step];
          cls = decode_argmax (logits, hd->nc);   /* sigmoid keeps the order */
          score = cls >= 0 ? obj * decode_sigmoid (logits[cls]) : NAN;
          if (!(score > c->conf_threshold))
            continue;
          for (int k = 0; k < 4; k++)
            t[k] = decode_sigmoid (hd->t->data[base + k * step]);
          add_cell_box (dets, tf, cls, score, t, x, y, stride, anchors + 2 * a);
        }
}

static gboolean
check_anchors (const LaminaPostprocessConfig *c, const char *name, GError **error)
{
  guint total = 0;

  if (c->n_strides == 0)
    return decode_config_error (error, name, _("the preset has no strides"));
  for (guint s = 0; s < c->n_strides; s++)
    {
      if (c->strides[s] < 1 || c->anchors_per_stride[s] < 1)
        return decode_config_error (error, name, _("every stride needs a positive value and anchors"));
      total += c->anchors_per_stride[s];
    }
  if (c->anchors == NULL || total != c->n_anchors)
    return decode_config_error (error, name, _("the anchors do not match the strides"));
  return TRUE;
}

static gboolean
yolov5_raw (const LaminaPostprocessConfig *c, DecodeTensor *outs, guint n, const LaminaTransform *tf,
            LaminaDetections *dets, GError **error)
{
  const char *expected = "[1,A*(5+C),H,W], [1,H,W,A*(5+C)] or [1,A,H,W,5+C]";
  int in_w, in_h;

  if (!check_anchors (c, "yolov5", error) || !decode_input_size (c, tf, &in_w, &in_h, error))
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      Head hd;
      guint first_anchor = 0;

      if (!match_head (c, &outs[i], in_w, in_h, &hd))
        return decode_shape_error (error, "yolov5", &outs[i], expected);
      if (!check_classes (c, "yolov5", &outs[i], hd.nc, expected, error))
        return FALSE;
      for (int s = 0; s < hd.stride_index; s++)
        first_anchor += c->anchors_per_stride[s];
      decode_head (c, &hd, c->anchors + 2 * first_anchor, tf, dets);
    }
  return TRUE;
}

gboolean
decode_yolov5 (const LaminaPostprocessConfig *c, DecodeTensor *outs, guint n,
               const LaminaTransform *tf, LaminaDetections *dets, GError **error)
{
  gboolean raw;

  if (c->format == NULL || g_str_equal (c->format, "auto"))
    raw = n > 1 || outs[0].rank > 2;
  else if (g_str_equal (c->format, "raw") || g_str_equal (c->format, "decoded"))
    raw = g_str_equal (c->format, "raw");
  else
    return decode_config_error (error, "yolov5", _("format must be auto, decoded or raw"));
  if (!(raw ? yolov5_raw (c, outs, n, tf, dets, error) : yolov5_decoded (c, &outs[0], tf, dets, error)))
    return FALSE;
  decode_finish (dets, c, c->nms, c->class_aware);
  return TRUE;
}

/* ---- Yolo-FastestV2 ---------------------------------------------------- */

/* Rows are the cells of each stride's grid in turn (row-major, x fastest);
 * columns are A anchors x 4 box values, A objectness values, then C class
 * scores shared by the anchors. */
gboolean
decode_yolo_fastestv2 (const LaminaPostprocessConfig *c, DecodeTensor *outs, guint n,
                       const LaminaTransform *tf, LaminaDetections *dets, GError **error)
{
  const char *expected = "[cells, A*5+C]";
  DecodeTensor *o = &outs[0];
  gint64 row = 0, cols = o->dims[o->rank - 1], nc, cells = 0;
  guint a_n, first_anchor = 0;
  int in_w, in_h;

  if (!check_anchors (c, "yolo-fastestv2", error) || !decode_input_size (c, tf, &in_w, &in_h, error))
    return FALSE;
  a_n = c->anchors_per_stride[0];
  for (guint s = 1; s < c->n_strides; s++)
    if (c->anchors_per_stride[s] != a_n)
      return decode_config_error (error, "yolo-fastestv2", _("every stride needs the same number of anchors"));
  nc = cols - 5 * (gint64) a_n;
  for (guint s = 0; s < c->n_strides; s++)
    cells += (gint64) (in_h / c->strides[s]) * (in_w / c->strides[s]);
  if (!decode_tensor_view (o, 2) || o->dims[0] != cells)
    return decode_shape_error (error, "yolo-fastestv2", o, expected);
  if (!check_classes (c, "yolo-fastestv2", o, nc, expected, error))
    return FALSE;

  for (guint s = 0; s < c->n_strides; s++)
    {
      int gw = in_w / c->strides[s], gh = in_h / c->strides[s];

      for (gint64 cell = 0; cell < (gint64) gw * gh; cell++, row++)
        {
          const float *r = o->data + row * cols;
          int cls = decode_argmax (r + 5 * a_n, nc);

          for (guint a = 0; a < a_n && cls >= 0; a++)
            {
              float obj = r[4 * a_n + a], score = obj * r[5 * a_n + cls];

              if (obj > c->obj_threshold && score > c->conf_threshold)
                add_cell_box (dets, tf, cls, score, r + 4 * a, cell % gw, cell / gw,
                              c->strides[s], c->anchors + 2 * (first_anchor + a));
            }
        }
      first_anchor += a_n;
    }
  decode_finish (dets, c, c->nms, c->class_aware);
  return TRUE;
}
